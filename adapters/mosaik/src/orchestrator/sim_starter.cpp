#include "mas/mosaik/orchestrator/sim_starter.hpp"

#include <cstdlib>
#include <memory>
#include <optional>

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/co_spawn.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "mas/channel/server.hpp"
#include "mas/channel/tls_context.hpp"
#include "mas/core/endpoint.hpp"
#include "mas/core/error.hpp"
#include "mas/core/log.hpp"
#include "mas/core/with_timeout.hpp"
#include "mas/mosaik/orchestrator/command_line.hpp"
#include "mas/mosaik/orchestrator/local_sim_proxy.hpp"
#include "mas/mosaik/orchestrator/sim_process.hpp"
#include "orchestrator/find_program.hpp"
#include "orchestrator/peer_process.hpp"

namespace mas::mosaik {
namespace {

using Duration = std::chrono::steady_clock::duration;

auto logger() { return mas::log("mas.mosaik"); }

long long milliseconds(Duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

/// The first connection to a `cmd` simulator's connect-back server.
struct Arrival {
    explicit Arrival(const asio::any_io_executor& executor) : wake(executor) {
        wake.expires_at(asio::steady_timer::time_point::max());
    }
    std::optional<Channel> channel;
    asio::steady_timer wake;
    bool only_own_processes = true;
    std::uint16_t server_port = 0;
    pid_t process = 0;  // known before any connection is handed over: nothing is awaited in between
};

asio::awaitable<void> arrive(std::shared_ptr<Arrival> arrival, std::string sid, Channel channel) {
    std::string why = "the simulator's process has not started";
    if (arrival->only_own_processes &&
        (arrival->process == 0 ||
         !detail::connection_from_tree(channel.peer(), arrival->server_port, arrival->process, why))) {
        logger()->warn("refusing a connection from {} to the server of simulator {}: {}", channel.peer(), sid, why);
        channel.close();
        co_return;
    }
    if (!arrival->channel) {
        arrival->channel = std::move(channel);
        arrival->wake.cancel();
    } else {
        logger()->warn("closing an unexpected second connection from {} to the server of simulator {}",
                       channel.peer(), sid);
        channel.close();
    }
    co_return;
}

asio::awaitable<void> wait_for_arrival(std::shared_ptr<Arrival> arrival) {
    while (!arrival->channel) {
        co_await arrival->wake.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        auto state = co_await asio::this_coro::cancellation_state;
        if (!arrival->channel && state.cancelled() != asio::cancellation_type::none) {
            throw asio::system_error(asio::error::operation_aborted);
        }
    }
}

enum class Outcome { connected, exited, timed_out, cancelled };

/// Waits until the simulator connects, its process exits, or the timeout passes.
asio::awaitable<Outcome> await_connection(std::shared_ptr<Arrival> arrival, SimProcess& process, Duration timeout) {
    namespace ex = asio::experimental;
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor, timeout);
    auto group = ex::make_parallel_group(asio::co_spawn(executor, wait_for_arrival(arrival), ex::deferred),
                                         asio::co_spawn(executor, process.wait(), ex::deferred),
                                         timer.async_wait(ex::deferred));
    auto result = co_await group.async_wait(ex::wait_for_one(), asio::use_awaitable);
    if (arrival->channel) co_return Outcome::connected;
    auto state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) co_return Outcome::cancelled;
    co_return std::get<0>(result)[0] == 1 ? Outcome::exited : Outcome::timed_out;
}

std::string python_path(const std::string& configured) {
    if (!configured.empty()) return configured;
    const char* path = std::getenv("PATH");
    return detail::find_program("python3", path ? path : "", std::string()).value_or("python3");
}

std::string address_of(const Endpoint& endpoint) {
    if (endpoint.host.find(':') != std::string::npos) return fmt::format("[{}]:{}", endpoint.host, endpoint.port);
    return fmt::format("{}:{}", endpoint.host, endpoint.port);
}

}  // namespace

SimStarter::SimStarter(SimRegistry registry, StarterOptions options)
    : registry_(std::move(registry)), options_(std::move(options)) {}

asio::awaitable<std::unique_ptr<SimProxy>> SimStarter::start(std::string sid, SimConfig config) {
    switch (config.kind) {
    case SimConfig::Kind::in_process: co_return start_in_process(std::move(sid), config);
    case SimConfig::Kind::cmd: co_return co_await start_command(std::move(sid), config);
    case SimConfig::Kind::connect: co_return co_await start_connect(std::move(sid), config);
    }
    throw ConfigError(fmt::format("simulator {}: unknown kind of sim_config", sid));
}

std::unique_ptr<SimProxy> SimStarter::start_in_process(std::string sid, const SimConfig& config) const {
    const auto* factory = registry_.find(config.target);
    if (!factory) {
        throw ConfigError(fmt::format("simulator {}: no C++ simulator is registered as \"{}\" (registered: {})", sid,
                                      config.target, fmt::join(registry_.names(), ", ")));
    }
    logger()->info("starting simulator {} in-process ({})", sid, config.target);
    std::unique_ptr<Simulator> sim;
    try {
        sim = (*factory)();
    } catch (const std::exception& e) {
        throw SimulationError(sid, fmt::format("Simulator \"{}\" could not be created: {}", sid, e.what()));
    }
    if (!sim) throw SimulationError(sid, fmt::format("Simulator \"{}\" could not be created: no simulator", sid));
    return std::make_unique<LocalSimProxy>(std::move(sid), std::move(sim));
}

asio::awaitable<std::unique_ptr<SimProxy>> SimStarter::start_command(std::string sid, const SimConfig& config) {
    auto executor = co_await asio::this_coro::executor;
    auto arrival = std::make_shared<Arrival>(executor);
    ClientConnected on_connect = [arrival, sid](Channel channel) { return arrive(arrival, sid, std::move(channel)); };
    auto listen = Endpoint::tcp(options_.host, 0);
    auto server = co_await start_server(std::move(listen), std::move(on_connect));
    arrival->only_own_processes = options_.only_own_processes;
    arrival->server_port = server.endpoint().port;
    ProcessSpec spec;
    spec.argv = split_command(substitute_command(config.target, address_of(server.endpoint()), python_path(options_.python)));
    spec.cwd = config.cwd;
    spec.env = config.env;
    spec.stdout_to_stderr = options_.child_stdout_to_stderr;
    logger()->info("starting simulator {}: {}", sid, fmt::join(spec.argv, " "));
    std::unique_ptr<SimProcess> process;
    try {
        process = std::make_unique<SimProcess>(executor, spec);
    } catch (const ConfigError&) {
        throw;
    } catch (const Error& e) {
        throw SimulationError(sid, fmt::format("Simulator \"{}\" could not be started: {}", sid, e.what()));
    }
    arrival->process = process->pid();
    const auto outcome = co_await await_connection(arrival, *process, options_.start_timeout);
    // mosaik closes the server straight away; the simulator's channel stays open.
    server.stop_accepting();
    switch (outcome) {
    case Outcome::connected: break;
    case Outcome::exited:
        throw SimulationError(sid, fmt::format("Simulator \"{}\" exited with {} before it connected to mosaik", sid,
                                               process->exit_status().value_or(agent::ExitStatus()).to_string()));
    case Outcome::timed_out:
        process->kill();
        throw SimulationError(sid, fmt::format("Simulator \"{}\" did not connect to mosaik in time ({} ms)", sid,
                                               milliseconds(options_.start_timeout)));
    case Outcome::cancelled: throw asio::system_error(asio::error::operation_aborted);
    }
    logger()->debug("simulator {} connected from {}", sid, arrival->channel->peer());
    co_return std::make_unique<RemoteSimProxy>(std::move(sid), *arrival->channel, std::move(process), options_.remote);
}

asio::awaitable<std::unique_ptr<SimProxy>> SimStarter::start_connect(std::string sid, const SimConfig& config) {
    auto endpoint = Endpoint::parse(config.target);
    ConnectOptions connect;
    if (config.tls) {
        try {
            connect.ssl = std::make_shared<asio::ssl::context>(make_ssl_client_context(*config.tls));
        } catch (const ConfigError& e) {
            throw ConfigError(fmt::format("simulator {}: {}", sid, e.what()));
        }
        connect.tls_server_name = config.tls_server_name;
    }
    logger()->info("connecting to simulator {} at {}{}", sid, endpoint.to_string(), config.tls ? " (TLS)" : "");
    auto connecting = open_connection(endpoint, std::move(connect));
    std::string what = "connecting to " + endpoint.to_string();
    std::optional<Channel> channel;
    try {
        channel = co_await with_timeout(std::move(connecting), options_.start_timeout, std::move(what));
    } catch (const ConnectionError& e) {
        throw SimulationError(sid, fmt::format("Simulator \"{}\" could not be reached at {}: {}", sid, config.target,
                                               e.what()));
    } catch (const Timeout& e) {
        throw SimulationError(sid, fmt::format("Simulator \"{}\" could not be reached at {}: {}", sid, config.target,
                                               e.what()));
    }
    co_return std::make_unique<RemoteSimProxy>(std::move(sid), std::move(*channel), nullptr, options_.remote);
}

asio::awaitable<Json> init_within(SimProxy& proxy, double time_resolution, JsonObject sim_params, Duration timeout) {
    auto init = proxy.init(time_resolution, std::move(sim_params));
    std::string what = "init";
    try {
        co_return co_await with_timeout(std::move(init), timeout, std::move(what));
    } catch (const Timeout&) {
        throw SimulationError(proxy.sid(), fmt::format("Simulator \"{}\" did not answer init in time ({} ms)",
                                                       proxy.sid(), milliseconds(timeout)));
    }
}

}  // namespace mas::mosaik
