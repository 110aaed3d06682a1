#pragma once
/// \file
/// SimStarter: starts a simulator as its sim_config entry says and hands back its SimProxy.

#include <chrono>
#include <memory>
#include <string>

#include <asio/awaitable.hpp>

#include "mas/core/json.hpp"
#include "mas/mosaik/orchestrator/remote_sim_proxy.hpp"
#include "mas/mosaik/orchestrator/sim_config.hpp"
#include "mas/mosaik/orchestrator/sim_proxy.hpp"
#include "mas/mosaik/orchestrator/sim_registry.hpp"

namespace mas::mosaik {

/// Options of a SimStarter (mosaik's mosaik_config).
struct StarterOptions {
    using Duration = std::chrono::steady_clock::duration;
    StarterOptions() noexcept {}
    /// The host the connect-back server of `cmd` simulators listens on (on a port the system
    /// picks); `%(addr)s` becomes `host:port`.
    std::string host = "127.0.0.1";
    /// Whether the connect-back server of a `cmd` simulator takes only a connection from the
    /// process it started (or one of that process's descendants), found through the kernel's
    /// socket tables (Linux); any other is refused and logged. Off only where the simulator
    /// connects from somewhere this process cannot see, such as a container of its own.
    bool only_own_processes = true;
    /// How long a `cmd` simulator has to connect back, and a `connect` simulator to accept.
    Duration start_timeout = std::chrono::seconds(10);
    /// What `%(python)s` becomes; empty means the `python3` found in PATH (or just "python3").
    std::string python;
    /// Whether a `cmd` simulator's stdout goes to this process's stderr (see ProcessSpec).
    bool child_stdout_to_stderr = true;
    /// The options of the RemoteSimProxy of `cmd` and `connect` simulators.
    RemoteSimOptions remote;
};

/// Starts simulators as mosaik's three starters do (mosaik's simmanager.start). In-process:
/// the SimRegistry's factory makes the simulator and a LocalSimProxy wraps it. `cmd`: a server
/// listens on `host`, port 0; the placeholders are substituted and the command split like a
/// shell; the process (SimProcess: own process group, output to stderr) gets `start_timeout` to
/// connect back, and the server stops accepting once it has (or has failed to). `connect`: a
/// TCP connection to `host:port`, one attempt. The returned proxy is not initialised yet: the
/// World sends init (see init_within).
class SimStarter {
public:
    explicit SimStarter(SimRegistry registry = SimRegistry(), StarterOptions options = StarterOptions());

    /// Starts simulator `sid` on the calling coroutine's executor. Throws mas::ConfigError for an
    /// unknown registry name, a bad command line or address; SimulationError if a factory fails,
    /// a program cannot be started, exits before connecting ("exited with ... before it
    /// connected"), does not connect in time ("did not connect to mosaik in time", the process
    /// is killed and reaped), or a connection is refused or times out. Cancellation kills a
    /// process started meanwhile.
    asio::awaitable<std::unique_ptr<SimProxy>> start(std::string sid, SimConfig config);

    [[nodiscard]] const StarterOptions& options() const noexcept { return options_; }
    [[nodiscard]] const SimRegistry& registry() const noexcept { return registry_; }

private:
    asio::awaitable<std::unique_ptr<SimProxy>> start_command(std::string sid, const SimConfig& config);
    asio::awaitable<std::unique_ptr<SimProxy>> start_connect(std::string sid, const SimConfig& config);
    std::unique_ptr<SimProxy> start_in_process(std::string sid, const SimConfig& config) const;

    SimRegistry registry_;
    StarterOptions options_;
};

/// Sends `init` through `proxy` and returns the meta, as mosaik does within its start_timeout.
/// Throws SimulationError `Simulator "<sid>" did not answer init in time` after `timeout` (the
/// request is abandoned), and the proxy's SimulationErrors.
asio::awaitable<Json> init_within(SimProxy& proxy, double time_resolution, JsonObject sim_params,
                                  std::chrono::steady_clock::duration timeout);

}  // namespace mas::mosaik
