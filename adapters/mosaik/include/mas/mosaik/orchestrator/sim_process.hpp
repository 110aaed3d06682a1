#pragma once
/// \file
/// SimProcess: the operating-system process of a simulator started from a `cmd` sim_config.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "mas/agent/subprocess_container.hpp"

namespace mas::mosaik {

/// How a SimProcess is started.
struct ProcessSpec {
    ProcessSpec() noexcept {}
    /// The program and its arguments; a program name without '/' is looked up in the PATH of the
    /// child's environment (as Python's Popen does), a relative path is taken from `cwd`.
    std::vector<std::string> argv;
    /// The working directory; empty means the orchestrator's.
    std::string cwd;
    /// Variables set on top of the orchestrator's environment.
    std::map<std::string, std::string> env;
    /// Where the child's stdout goes: the orchestrator's stderr (mas-run, whose stdout is for
    /// results only) or its stdout (a mosaik script's, where a collector process prints).
    bool stdout_to_stderr = true;
};

/// A started child process. Its stdin is /dev/null, its stderr goes to the orchestrator's stderr
/// and its stdout as the spec says; it inherits no other descriptor, gets default signal handling and an
/// empty signal mask, and leads a process group of its own, so stopping it also ends what it
/// started (a shell's children). Exit is watched through a pidfd. Every child is reaped: by
/// wait() or stop(), or at the latest by the destructor, which kills the group with SIGKILL.
/// Use it on the executor it was started with.
class SimProcess {
public:
    using Duration = std::chrono::steady_clock::duration;

    /// Starts the process. Throws mas::Error naming the program and the reason if it cannot be
    /// started (not found, not executable, bad cwd), and mas::ConfigError for an empty argv.
    SimProcess(const asio::any_io_executor& executor, const ProcessSpec& spec);
    /// Kills (SIGKILL, whole group) and reaps a child that has not been reaped yet. Never throws.
    ~SimProcess();
    SimProcess(const SimProcess&) = delete;
    SimProcess& operator=(const SimProcess&) = delete;

    /// The child's process id (also its process group id).
    [[nodiscard]] pid_t pid() const noexcept;
    /// The exit status once the child has been reaped, else nullopt.
    [[nodiscard]] std::optional<agent::ExitStatus> exit_status() const noexcept;

    /// Waits until the child exits, kills what is left of its process group, reaps the child and
    /// returns its status (at once if already reaped). Cancellation abandons the wait; the child
    /// keeps running. Never throws otherwise.
    asio::awaitable<agent::ExitStatus> wait();
    /// Gives the child up to `grace` to exit by itself, then kills its group with SIGKILL; reaps
    /// it and returns its status. Never throws.
    asio::awaitable<agent::ExitStatus> stop(Duration grace);
    /// Kills the group with SIGKILL and reaps the child now (blocking briefly). Never throws.
    void kill() noexcept;

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace mas::mosaik
