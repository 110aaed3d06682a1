#pragma once
/// \file
/// Manager: the agent through which a parent process runs a subprocess container (aiomas'
/// subproc Manager), and run_manager, the whole main of such a child program.

#include <functional>
#include <optional>
#include <string>

#include "mas/agent/agent.hpp"
#include "mas/agent/agent_factories.hpp"
#include "mas/core/json.hpp"

namespace mas::agent {

class Container;

/// Agent 0 of a subprocess container. It exposes, over RPC:
/// - `spawn(qualname, *args, **kwargs)`, as aiomas' subproc Manager: creates an agent with the
///   factory `qualname` (see AgentFactories) from the remaining positional and the keyword
///   arguments and returns `[proxy, address]`, the proxy being the agent as a service
///   (`{"__type__": [k, "agents/<aid>"]}`); an unknown name fails with LookupError, arguments
///   that do not fit with TypeError.
/// - `set_time(t)`: sets the container's ExternalClock to `t`; fails if the container has
///   another clock or `t` is before the clock's time.
/// - `stop()`: replies, then asks the process to shut down (calls the `on_stop` callback
///   through the executor, after the reply is queued).
/// Runs on its container's executor, like every agent.
class Manager : public Agent {
public:
    /// A manager in `container` that creates agents with `factories` (which must outlive it)
    /// and calls `on_stop` when stop() is called.
    Manager(Container& container, const AgentFactories& factories, std::function<void()> on_stop);

    /// Creates an agent with the factory `name`. Throws rpc::LookupError for an unknown factory,
    /// rpc::ArgumentError for arguments that do not fit.
    Agent& spawn(const std::string& name, const JsonArray& args, const JsonObject& kwargs);
    /// Sets the container's ExternalClock to `t`. Throws mas::Error if the container's clock is
    /// not an ExternalClock, or as ExternalClock::set_time.
    void set_time(double t);
    /// Schedules the `on_stop` callback on the executor and returns.
    void stop();

private:
    const AgentFactories& factories_;
    std::function<void()> on_stop_;
};

/// The whole `main` of a subprocess container program; returns its exit code:
///
///     int main(int argc, char** argv) {
///         mas::agent::AgentFactories factories;
///         factories.add<Callee>("Callee");
///         return mas::agent::run_manager(argc, argv, factories);
///     }
///
/// It parses the command line (`--addr` default `tcp://127.0.0.1:0`, `--clock external|real`
/// default external, `--utc-start` ISO date default `1970-01-01T00:00:00+00:00`, `--init-time`
/// default 0, `--log-level` default info, `--watch-stdin`, `--help`), sends spdlog's output to
/// stderr (it sets the default logger, as a main does), creates a container with a Manager as
/// agent 0 on its own io_context, prints exactly one line `mas-subproc ready <container address>`
/// to stdout, and serves until the Manager's stop(), SIGINT or SIGTERM, or, with
/// `--watch-stdin`, the end of stdin.
///
/// `--watch-stdin` is how a child does not outlive its parent: start_subprocess_container gives
/// the child a pipe as stdin and keeps the only write end, so when the parent process dies for
/// any reason (even SIGKILL) the kernel closes it and the child sees end-of-file. Unlike
/// PR_SET_PDEATHSIG this does not fire when merely the parent's spawning thread ends, and it has
/// no start-up race.
///
/// Exit codes: 0 after an orderly stop, 1 for a runtime error, 2 for bad arguments; errors are
/// printed as one line `<program>: error: <reason>` on stderr. Call it once, from main.
int run_manager(int argc, char** argv, const AgentFactories& factories);

}  // namespace mas::agent
