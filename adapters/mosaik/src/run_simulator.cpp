#include "mas/mosaik/run_simulator.hpp"

#include <chrono>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "mas/channel/server.hpp"
#include "mas/channel/tls_context.hpp"
#include "mas/core/block_on.hpp"
#include "mas/core/endpoint.hpp"
#include "mas/core/error.hpp"
#include "mas/core/log.hpp"
#include "mas/core/with_timeout.hpp"
#include "mas/mosaik/serve.hpp"

namespace mas::mosaik {
namespace {

struct Settings {
    std::string address;
    bool remote = false;
    double timeout_s = 60;
    std::string log_level = "info";
    // --remote over mutual TLS (a libmas extension; mosaik_api_v3 has no such options).
    std::string tls_ca;
    std::string tls_cert;
    std::string tls_key;
};

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The first connection a listening server accepts.
struct FirstConnection {
    explicit FirstConnection(const asio::any_io_executor& executor) : arrived(executor) {
        arrived.expires_at(asio::steady_timer::time_point::max());
    }
    std::optional<Channel> channel;
    asio::steady_timer arrived;
};

asio::awaitable<Channel> wait_for(std::shared_ptr<FirstConnection> first) {
    while (!first->channel) {
        co_await first->arrived.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }
    co_return *first->channel;
}

asio::awaitable<ServeEnd> serve_remote(Endpoint endpoint, std::chrono::steady_clock::duration timeout,
                                       ServerOptions options, Simulator& sim) {
    auto first = std::make_shared<FirstConnection>(co_await asio::this_coro::executor);
    ClientConnected on_connect = [first](Channel channel) -> asio::awaitable<void> {
        if (!first->channel) {
            first->channel = std::move(channel);
            first->arrived.cancel();
        }
        co_return;
    };
    const bool tls = options.ssl != nullptr;
    // Over TLS, a client without a certificate of the CA never gets to be the one served.
    auto server = co_await start_server(endpoint, std::move(on_connect), std::move(options));
    mas::log("mas.mosaik")->info("waiting for mosaik to connect to {}{}", server.endpoint().to_string(),
                                 tls ? " (mutual TLS)" : "");
    auto channel = co_await with_timeout(wait_for(first), timeout, "waiting for mosaik to connect");
    auto end = co_await serve(std::move(channel), sim);
    server.close();
    co_return end;
}

asio::awaitable<ServeEnd> serve_connect(Endpoint endpoint, Simulator& sim) {
    auto channel = co_await open_connection(std::move(endpoint));
    co_return co_await serve(std::move(channel), sim);
}

std::optional<Settings> parse(const std::string& name, int argc, char** argv, int& exit_code) {
    Settings settings;
    CLI::App app{"A mosaik 3 simulator (mosaik starts it with HOST:PORT).", name};
    app.add_option("address", settings.address, "HOST:PORT of mosaik, or to listen on with --remote")->required();
    app.add_flag("-r,--remote", settings.remote, "Listen on HOST:PORT and wait for mosaik to connect");
    app.add_option("-t,--timeout", settings.timeout_s, "Seconds to wait for mosaik to connect (--remote)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app.add_option("--tls-ca", settings.tls_ca, "With --remote: take only a mosaik whose certificate this CA signed (TLS)");
    app.add_option("--tls-cert", settings.tls_cert, "With --remote: this simulator's certificate chain (PEM)");
    app.add_option("--tls-key", settings.tls_key, "With --remote: this simulator's private key (PEM)");
    app.add_option("-l,--log-level", settings.log_level, "Level of the diagnostics on stderr")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "warning", "error", "critical", "off"}))
        ->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
            exit_code = app.exit(e);
            return std::nullopt;
        }
        throw UsageError(e.what());
    }
    const int tls_files = !settings.tls_ca.empty() + !settings.tls_cert.empty() + !settings.tls_key.empty();
    if (tls_files != 0 && tls_files != 3) throw UsageError("TLS needs all of --tls-ca, --tls-cert and --tls-key");
    if (tls_files == 3 && !settings.remote) {
        throw UsageError("--tls-ca, --tls-cert and --tls-key apply to --remote only (mosaik's cmd starter speaks plain TCP)");
    }
    return settings;
}

ServerOptions server_options(const Settings& settings) {
    ServerOptions options;
    if (!settings.tls_ca.empty()) {
        try {
            options.ssl = std::make_shared<asio::ssl::context>(
                make_ssl_server_context(TlsFiles{settings.tls_ca, settings.tls_cert, settings.tls_key}));
        } catch (const ConfigError& e) {
            throw UsageError(e.what());
        }
    }
    return options;
}

void setup_logging(const std::string& name, const std::string& level) {
    auto logger = spdlog::stderr_color_mt(name);
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(level == "warning" ? "warn" : level));
}

}  // namespace

int run_simulator(int argc, char** argv, const SimulatorFactory& factory) {
    const std::string name = argc > 0 ? std::filesystem::path(argv[0]).filename().string() : "simulator";
    try {
        int exit_code = 0;
        auto settings = parse(name, argc, argv, exit_code);
        if (!settings) return exit_code;
        setup_logging(name, settings->log_level);
        Endpoint endpoint;
        try {
            endpoint = Endpoint::parse(settings->address);
        } catch (const ConfigError& e) {
            throw UsageError(e.what());
        }
        auto sim = factory();
        asio::io_context io;
        const auto timeout = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(settings->timeout_s));
        auto end = settings->remote ? block_on(io, serve_remote(endpoint, timeout, server_options(*settings), *sim))
                                    : block_on(io, serve_connect(endpoint, *sim));
        if (end == ServeEnd::stopped_after_failure) {
            fmt::print(stderr, "{}: error: a request from mosaik failed (see the log above)\n", name);
            return 1;
        }
        return 0;
    } catch (const UsageError& e) {
        fmt::print(stderr, "{}: error: {}\n", name, e.what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "{}: error: {}\n", name, e.what());
        return 1;
    }
}

}  // namespace mas::mosaik
