#include "example_app.hpp"

#include <algorithm>
#include <csignal>
#include <exception>
#include <utility>
#include <variant>

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "mas/core/block_on.hpp"
#include "mas/core/endpoint.hpp"
#include "mas/core/error.hpp"
#include "mas/core/json_codec.hpp"

namespace mas::example {
namespace {

enum class Mode { demo, server, client };

struct Settings {
    Mode mode = Mode::demo;
    Endpoint endpoint;
    double timeout_s = 10.0;
    std::string log_level = "info";
    std::string codec = "json";
};

std::shared_ptr<const Codec>& chosen_codec() {
    static std::shared_ptr<const Codec> codec = std::make_shared<JsonCodec>();
    return codec;
}

/// A parse failure that is reported like any other error, with exit code 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::chrono::steady_clock::duration seconds(double s) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
}

// Keeps the error report to one line even when the reason spans several (a remote traceback).
std::string one_line(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    for (auto& c : text) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return text;
}

// Returns the settings, or an exit code when there is nothing to run (--help, bad arguments).
std::variant<Settings, int> parse(const AppRoles& roles, int argc, char** argv) {
    Settings settings;
    std::string address;
    CLI::App app{std::string(roles.description), std::string(roles.name)};
    app.fallthrough();  // `--log-level` may come after the subcommand too
    app.require_subcommand(0, 1);
    app.add_option("--log-level", settings.log_level, "Level of the diagnostics on stderr")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    app.add_option("--codec", settings.codec, "Codec of every connection, as aiomas' codec= (both sides must agree)")
        ->check(CLI::IsMember({"json", "msgpack", "msgpack-blosc"}))
        ->capture_default_str();
    auto* server = app.add_subcommand("server", "Serve on ADDRESS until SIGINT or SIGTERM");
    server->add_option("address", address, "HOST:PORT (port 0 picks a free one), or unix:///path")
        ->required();
    auto* client = app.add_subcommand("client", "Connect to ADDRESS, talk, and exit");
    client->add_option("address", address, "HOST:PORT or unix:///path of the server")->required();
    client->add_option("--timeout", settings.timeout_s, "Seconds to keep retrying while the server is not up")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app.add_subcommand("demo", "Run a server on 127.0.0.1 and a client against it (the default)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);  // --help
        throw UsageError(e.what());
    }
    if (server->parsed()) settings.mode = Mode::server;
    if (client->parsed()) settings.mode = Mode::client;
    if (settings.mode != Mode::demo) {
        try {
            settings.endpoint = Endpoint::parse(address);
        } catch (const ConfigError& e) {
            throw UsageError(e.what());
        }
    }
    return settings;
}

void set_up_logging(const AppRoles& roles, const Settings& settings) {
    auto logger = spdlog::stderr_color_mt(std::string(roles.name));
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(settings.log_level));
}

asio::awaitable<void> serve_until_signal(Endpoint endpoint, const AppRoles& roles) {
    // Installed before the server is announced, so a SIGTERM right after the announcement
    // already finds the handler.
    asio::signal_set signals(co_await asio::this_coro::executor, SIGINT, SIGTERM);
    auto serving = co_await roles.serve(std::move(endpoint));
    say("server: listening on {}", serving.address);
    const int signal = co_await signals.async_wait(asio::use_awaitable);
    spdlog::info("signal {} received, stopping", signal);
}

asio::awaitable<void> demo(const AppRoles& roles) {
    auto serving = co_await roles.serve(Endpoint::tcp("127.0.0.1", 0));
    say("server: listening on {}", serving.address);
    const auto endpoint = Endpoint::parse(serving.address);
    co_await roles.talk(endpoint, std::chrono::seconds(10));
}

void run(const AppRoles& roles, const Settings& settings) {
    asio::io_context io;
    switch (settings.mode) {
    case Mode::server: block_on(io, serve_until_signal(settings.endpoint, roles)); break;
    case Mode::client: block_on(io, roles.talk(settings.endpoint, seconds(settings.timeout_s))); break;
    case Mode::demo: block_on(io, demo(roles)); break;
    }
}

asio::awaitable<Serving> start_channel_server(Endpoint endpoint, ClientConnected serve) {
    ServerOptions options;
    options.codec = codec();
    auto server = co_await start_server(std::move(endpoint), std::move(serve), std::move(options));
    Serving serving;
    serving.address = server.endpoint().to_string();
    serving.keep_alive = std::make_shared<Server>(server);
    co_return serving;
}

asio::awaitable<void> connect_and_talk(Endpoint endpoint, std::chrono::steady_clock::duration timeout,
                                       std::function<asio::awaitable<void>(Channel)> talk) {
    ConnectOptions options;
    options.timeout = timeout;
    options.codec = codec();
    auto channel = co_await open_connection(std::move(endpoint), options);
    spdlog::debug("connected to {}", channel.peer());
    co_await talk(channel);
    channel.close();
}

}  // namespace

int run_example(const ExampleRoles& channel_roles, int argc, char** argv) {
    AppRoles roles;
    roles.name = channel_roles.name;
    roles.description = channel_roles.description;
    roles.serve = [serve = channel_roles.serve](Endpoint endpoint) { return start_channel_server(std::move(endpoint), serve); };
    roles.talk = [talk = channel_roles.talk](Endpoint endpoint, std::chrono::steady_clock::duration timeout) {
        return connect_and_talk(std::move(endpoint), timeout, talk);
    };
    return run_example(roles, argc, argv);
}

int run_example(const AppRoles& roles, int argc, char** argv) {
    try {
        auto parsed = parse(roles, argc, argv);
        if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
        const auto& settings = std::get<Settings>(parsed);
        set_up_logging(roles, settings);
        chosen_codec() = make_codec(settings.codec);
        run(roles, settings);
        return 0;
    } catch (const UsageError& e) {
        fmt::print(stderr, "{}: error: {} (see --help)\n", roles.name, one_line(e.what()));
        return 2;
    } catch (const RemoteError& e) {
        fmt::print(stderr, "{}: error: request failed at {}: {}\n", roles.name, e.origin(), one_line(e.summary()));
        return 1;
    } catch (const std::exception& e) {
        fmt::print(stderr, "{}: error: {}\n", roles.name, one_line(e.what()));
        return 1;
    }
}

std::shared_ptr<const Codec> codec() { return chosen_codec(); }

namespace {

bool holds_bytes(const Json& value) {
    if (value.is_bytes()) return true;
    if (value.is_array()) return std::any_of(value.as_array().begin(), value.as_array().end(), holds_bytes);
    if (value.is_object()) {
        return std::any_of(value.as_object().begin(), value.as_object().end(),
                           [](const auto& item) { return holds_bytes(item.second); });
    }
    return false;
}

// Bytes as Python shows them (b'\x00ab'), so that what a MsgPack peer sent can be printed.
void show_to(const Json& value, const JsonCodec& codec, std::string& out) {
    if (value.is_bytes()) {
        out += "b'";
        for (const unsigned char c : value.as_bytes()) {
            if (c == '\\' || c == '\'') {
                out += '\\';
                out += static_cast<char>(c);
            } else if (c >= 0x20 && c < 0x7f) {
                out += static_cast<char>(c);
            } else {
                out += fmt::format("\\x{:02x}", c);
            }
        }
        out += '\'';
    } else if (value.is_array() && holds_bytes(value)) {
        out += '[';
        const char* separator = "";
        for (const auto& item : value.as_array()) {
            out += std::exchange(separator, ", ");
            show_to(item, codec, out);
        }
        out += ']';
    } else if (value.is_object() && holds_bytes(value)) {
        out += '{';
        const char* separator = "";
        for (const auto& [key, item] : value.as_object()) {
            out += std::exchange(separator, ", ");
            codec.encode_to(Json(key), out);
            out += ": ";
            show_to(item, codec, out);
        }
        out += '}';
    } else {
        codec.encode_to(value, out);
    }
}

}  // namespace

std::string show(const Json& value) {
    static const JsonCodec codec;
    std::string out;
    show_to(value, codec, out);
    return out;
}

}  // namespace mas::example

namespace mas::example {

int run_local_example(std::string_view name, std::string_view description, std::function<asio::awaitable<void>()> body,
                      int argc, char** argv) {
    std::string log_level = "info";
    CLI::App app{std::string(description), std::string(name)};
    app.add_option("--log-level", log_level, "Level of the diagnostics on stderr")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);  // --help
        fmt::print(stderr, "{}: error: {} (see --help)\n", name, one_line(e.what()));
        return 2;
    }
    try {
        auto logger = spdlog::stderr_color_mt(std::string(name));
        spdlog::set_default_logger(logger);
        spdlog::set_level(spdlog::level::from_str(log_level));
        asio::io_context io;
        block_on(io, body());
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "{}: error: {}\n", name, one_line(e.what()));
        return 1;
    }
}

}  // namespace mas::example
