#pragma once
/// \file
/// SubprocessContainer: a container in a child process, started and driven by its parent
/// (aiomas.subproc's start and Manager proxy).

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <asio/awaitable.hpp>

#include "mas/agent/subprocess_options.hpp"
#include "mas/core/process.hpp"
#include "mas/core/json.hpp"
#include "mas/rpc/proxy.hpp"

namespace mas::agent {

class Container;

/// How a child process ended (mas::ExitStatus).
using ExitStatus = mas::ExitStatus;

/// A subprocess container: a child process running run_manager (manager.hpp), its Manager
/// agent reached through the parent container, and the child's lifetime. Made by
/// start_subprocess_container.
///
/// A copyable handle; copies refer to the same child. When the last copy (including those held
/// by operations in progress) is destroyed while the child still runs, the child is killed with
/// SIGKILL and reaped at once, without calling the on_exit callbacks; so no child outlives its
/// handles and none stays a zombie. Use it on the parent container's executor, and destroy it
/// before that container and its io_context.
///
/// The parent keeps reading the child's stdout (each further line is logged on "mas.agent" at
/// info level); when it ends, the child is reaped (waiting for it through a pidfd, so the parent
/// thread never blocks), wait_exit() completes and the on_exit callbacks run. An exit that was
/// not asked for by stop() is logged as an error on "mas.agent"; calls pending to its agents
/// fail with mas::ConnectionError as their connection breaks.
class SubprocessContainer {
public:
    /// An empty handle (Asio needs result types to be default-constructible); assign to it.
    SubprocessContainer() noexcept {}

    /// Whether this handle refers to a child.
    [[nodiscard]] explicit operator bool() const noexcept { return state_ != nullptr; }
    /// A proxy to the child's Manager agent (agent 0), for its spawn, set_time and stop.
    [[nodiscard]] const rpc::Proxy& manager() const;
    /// The child container's address, e.g. `tcp://127.0.0.1:41234`.
    [[nodiscard]] const std::string& addr() const;
    /// The child's process id (not reused by the system while a handle exists, unless the child
    /// has been reaped).
    [[nodiscard]] pid_t pid() const;

    /// Creates an agent with the child's factory `name` from `args` (converted to Json;
    /// rpc::kw(name, value) for keyword arguments) and returns a proxy to it, connected through
    /// the parent container. Throws rpc::RemoteError if the child rejects the call (LookupError
    /// for an unknown name, TypeError for arguments that do not fit), mas::ConnectionError if
    /// the child is gone.
    template <class... A>
    asio::awaitable<rpc::Proxy> spawn(std::string name, A&&... args) const {
        JsonArray positional;
        JsonObject keywords;
        positional.reserve(sizeof...(A));
        (rpc::add_call_argument(positional, keywords, std::forward<A>(args)), ...);
        return spawn_agent(*this, std::move(name), std::move(positional), std::move(keywords));
    }

    /// Sets the child's ExternalClock to `t`. Throws rpc::RemoteError if its clock is not an
    /// ExternalClock or `t` is before its time, mas::ConnectionError if the child is gone.
    asio::awaitable<void> set_time(double t) const;

    /// Asks the child to stop and returns its exit status once it has been reaped: it calls the
    /// Manager's stop(), then waits for the exit. If there is no reply or no exit within the
    /// stop timeout (SubprocessOptions::stop_timeout, counted from the call), the child is
    /// killed with SIGKILL. Returns at once if the child has already exited. Does not throw
    /// for a child that is gone.
    asio::awaitable<ExitStatus> stop() const;

    /// The exit status once the child has exited and been reaped, else nullopt.
    [[nodiscard]] std::optional<ExitStatus> exited() const;
    /// Waits until the child has exited and been reaped and returns its status. Supports Asio
    /// per-operation cancellation (e.g. mas::with_timeout): then it throws
    /// asio::system_error(operation_aborted) and the child is unaffected.
    asio::awaitable<ExitStatus> wait_exit() const;
    /// Registers `callback` for the child's exit; it runs once, on the parent's executor, with
    /// the status (posted at once if the child has already exited). An exception it throws is
    /// logged. Not called when the last handle's destruction kills the child.
    void on_exit(std::function<void(ExitStatus)> callback) const;

private:
    struct State;
    friend asio::awaitable<SubprocessContainer> start_subprocess_container(Container&, std::string,
                                                                          SubprocessOptions);

    explicit SubprocessContainer(std::shared_ptr<State> state);

    [[nodiscard]] State& state() const;
    static asio::awaitable<rpc::Proxy> spawn_agent(SubprocessContainer self, std::string name, JsonArray args,
                                                   JsonObject kwargs);
    static asio::awaitable<void> set_child_time(SubprocessContainer self, double t);
    static asio::awaitable<ExitStatus> stop_child(SubprocessContainer self);
    static asio::awaitable<ExitStatus> wait_for_exit(SubprocessContainer self);

    std::shared_ptr<State> state_;
    std::shared_ptr<void> owner_;  // the last copy kills and reaps a child that still runs
};

/// Starts `executable` (a path; PATH is not searched) as a subprocess container: a program whose
/// main is run_manager. The child gets the options as its command line (`--addr`, `--clock`,
/// `--utc-start`, `--init-time`, `--log-level`, `--watch-stdin`, then `options.extra_args`), a
/// pipe as stdout, a pipe as stdin whose write end only the parent holds (so the child exits
/// when the parent process dies, see run_manager), and the parent's stderr. Waits for its line
/// `mas-subproc ready <address>`, then connects `parent` to its Manager (agent 0).
/// Runs on (and must be called on) `parent`'s executor; `parent` must outlive the handle.
///
/// Throws mas::ConnectionError if the program cannot be started (code: the errno) or exits
/// before it is ready (the message gives its exit status), mas::ProtocolError if its first line
/// is not the ready line (the message quotes it), mas::Timeout if it is not ready within
/// `options.startup_timeout`, and whatever Container::connect throws. In every failure the
/// child is killed and reaped before the exception leaves.
asio::awaitable<SubprocessContainer> start_subprocess_container(Container& parent, std::string executable,
                                                                SubprocessOptions options = {});

}  // namespace mas::agent
