// run_manager: the main of a subprocess container program (the child side of
// start_subprocess_container). Unlike the rest of the library it configures logging and writes
// to stdout and stderr, because it is a whole main: the ready line on stdout is its protocol
// with the parent.

#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>

#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "mas/agent/container.hpp"
#include "mas/agent/external_clock.hpp"
#include "mas/agent/manager.hpp"
#include "mas/agent/real_time_clock.hpp"
#include "mas/channel/channel_options.hpp"
#include "mas/core/block_on.hpp"
#include "mas/core/log.hpp"

namespace mas::agent {
namespace {

using asio::experimental::as_tuple;

struct Settings {
    std::string addr = "tcp://127.0.0.1:0";
    std::string clock = "external";
    DateTime utc_start;
    double init_time = 0;
    std::string log_level = "info";
    bool watch_stdin = false;
};

/// A command line that does not parse; reported with exit code 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Keeps the error report to one line even when the reason spans several (a remote traceback).
std::string one_line(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    for (auto& c : text) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return text;
}

// Returns the settings, or an exit code when there is nothing to run (--help).
std::variant<Settings, int> parse(const std::string& name, int argc, char** argv) {
    Settings settings;
    std::string utc_start = "1970-01-01T00:00:00+00:00";
    CLI::App app{"A subprocess container: a Manager agent (agent 0) spawns agents for the parent process.", name};
    app.add_option("--addr", settings.addr, "Address to listen on: tcp://host:port (port 0: any), ipc://path")
        ->capture_default_str();
    app.add_option("--clock", settings.clock, "The container's clock")
        ->check(CLI::IsMember({"external", "real"}))
        ->capture_default_str();
    app.add_option("--utc-start", utc_start, "Start date of the external clock (ISO 8601)")->capture_default_str();
    app.add_option("--init-time", settings.init_time, "Initial time of the external clock in seconds")
        ->capture_default_str();
    app.add_option("--log-level", settings.log_level, "Level of the diagnostics on stderr")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
        ->capture_default_str();
    app.add_flag("--watch-stdin", settings.watch_stdin, "Stop when stdin ends (the parent holds its write end)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);  // --help
        throw UsageError(e.what());
    }
    try {
        settings.utc_start = DateTime::parse(utc_start);
    } catch (const TypeError& e) {
        throw UsageError(fmt::format("--utc-start: {}", e.what()));
    }
    return settings;
}

void set_up_logging(const std::string& name, const Settings& settings) {
    auto logger = spdlog::stderr_color_mt(name);
    spdlog::set_default_logger(logger);
    // Several children may share the parent's stderr: the pid tells them apart.
    spdlog::set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%n %P] [%^%l%$] %v");
    spdlog::set_level(spdlog::level::from_str(settings.log_level));
}

/// The one reason the child stops, from whichever source comes first.
struct StopRequest {
    explicit StopRequest(const asio::any_io_executor& executor)
        : requested(executor, asio::steady_timer::time_point::max()) {}
    void request(const std::string& why) {
        if (stopping) return;
        stopping = true;
        mas::log("mas.agent")->info("subprocess container stopping: {}", why);
        requested.cancel();
    }
    asio::steady_timer requested;  // cancelled when a stop is requested
    bool stopping = false;
};

asio::awaitable<void> watch_stdin(asio::posix::stream_descriptor& input, std::weak_ptr<StopRequest> stop) {
    std::array<char, 256> buffer{};
    for (;;) {
        auto [ec, n] = co_await input.async_read_some(asio::buffer(buffer), as_tuple(asio::use_awaitable));
        if (ec == asio::error::operation_aborted) co_return;  // we are stopping anyway
        if (ec) break;  // end of file (or a broken pipe): the parent is gone
    }
    if (auto s = stop.lock()) s->request("stdin ended, the parent process is gone");
}

// Watches stdin if it can be polled (a pipe, as the parent sets up); anything else is logged.
std::optional<asio::posix::stream_descriptor> open_stdin(const asio::any_io_executor& executor) {
    const int fd = ::dup(STDIN_FILENO);
    if (fd < 0) {
        mas::log("mas.agent")->warn("--watch-stdin: cannot duplicate stdin; not watching it");
        return std::nullopt;
    }
    std::optional<asio::posix::stream_descriptor> input(std::in_place, executor);
    std::error_code ec;
    input->assign(fd, ec);
    if (ec) {
        ::close(fd);
        mas::log("mas.agent")->warn("--watch-stdin: stdin cannot be watched ({}); not watching it", ec.message());
        return std::nullopt;
    }
    return input;
}

std::shared_ptr<Clock> make_clock(const Settings& settings, const asio::any_io_executor& executor) {
    if (settings.clock == "real") return std::make_shared<RealTimeClock>(executor);
    return std::make_shared<ExternalClock>(executor, settings.utc_start, settings.init_time);
}

void announce(const std::string& address) {
    const auto line = fmt::format("mas-subproc ready {}\n", address);
    std::fputs(line.c_str(), stdout);
    std::fflush(stdout);
}

asio::awaitable<void> serve(const Settings& settings, const AgentFactories& factories) {
    auto executor = co_await asio::this_coro::executor;
    auto stop = std::make_shared<StopRequest>(executor);
    const std::weak_ptr<StopRequest> weak_stop = stop;
    asio::signal_set signals(executor, SIGINT, SIGTERM);
    signals.async_wait([weak_stop](std::error_code ec, int signal) {
        if (auto s = weak_stop.lock(); s && !ec) s->request(fmt::format("signal {}", signal));
    });
    std::optional<asio::posix::stream_descriptor> input;
    if (settings.watch_stdin) input = open_stdin(executor);
    if (input) asio::co_spawn(executor, watch_stdin(*input, weak_stop), asio::detached);  // handles its failures

    ContainerOptions options;
    options.clock = make_clock(settings, executor);
    auto container = co_await Container::create(settings.addr, options);
    auto on_stop = [weak_stop] {
        if (auto s = weak_stop.lock()) s->request("the manager was told to stop");
    };
    container->spawn<Manager>(factories, on_stop);
    announce(container->addr());
    mas::log("mas.agent")->info("subprocess container {} ready", container->addr());

    (void)co_await stop->requested.async_wait(as_tuple(asio::use_awaitable));
    container->shutdown();
}

void run(const Settings& settings, const AgentFactories& factories) {
    asio::io_context io;
    block_on(io, serve(settings, factories));
    // The closed connections flush what is still queued (the reply to stop()) for up to their
    // close linger; run_for returns as soon as nothing is left to do.
    io.restart();
    io.run_for(ChannelOptions().close_linger + std::chrono::seconds(1));
}

}  // namespace

int run_manager(int argc, char** argv, const AgentFactories& factories) {
    const std::string name =
        argc > 0 && argv[0] ? std::filesystem::path(argv[0]).filename().string() : std::string("mas-subproc");
    try {
        auto parsed = parse(name, argc, argv);
        if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
        const auto& settings = std::get<Settings>(parsed);
        set_up_logging(name, settings);
        run(settings, factories);
        return 0;
    } catch (const UsageError& e) {
        fmt::print(stderr, "{}: error: {} (see --help)\n", name, one_line(e.what()));
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "{}: error: {}\n", name, one_line(e.what()));
        return 1;
    } catch (...) {
        fmt::print(stderr, "{}: error: an exception not derived from std::exception\n", name);
        return 1;
    }
}

}  // namespace mas::agent
