#pragma once
/// \file
/// Process: a child process started with posix_spawn, watched and reaped on an executor. The one
/// place libmas starts programs: subprocess containers and the mosaik orchestrator's simulator
/// processes build on it.

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "mas/core/error.hpp"

namespace mas {

/// How a child process ended.
struct ExitStatus {
    ExitStatus() noexcept {}
    /// A status with the given meaning of `code` (see below).
    ExitStatus(bool exited_normally, int status_code) noexcept : exited(exited_normally), code(status_code) {}
    /// True: the process exited and `code` is its exit code. False: a signal killed it and `code`
    /// is the signal number, or `code` is -1 if the status could not be collected.
    bool exited = false;
    /// The exit code or the signal number, see `exited`.
    int code = -1;
    /// Whether the process exited with code 0.
    [[nodiscard]] bool success() const noexcept { return exited && code == 0; }
    /// "exit code 3", "signal 9 (Killed)" or "unknown status", for messages.
    [[nodiscard]] std::string to_string() const;
    /// Equal when both fields are.
    friend bool operator==(const ExitStatus& a, const ExitStatus& b) noexcept = default;
};

/// A program could not be started; code() is the reason as an errno value.
class ProcessError : public Error {
public:
    ProcessError(const std::string& what, std::error_code code) : Error(what), code_(code) {}
    [[nodiscard]] std::error_code code() const noexcept { return code_; }

private:
    std::error_code code_;
};

/// How to start a Process.
struct ProcessOptions {
    ProcessOptions() noexcept {}
    /// The program to execute, as exec takes it (a path; relative ones from `cwd`).
    std::string executable;
    /// The arguments, argv[0] included (empty: just the executable).
    std::vector<std::string> argv;
    /// The working directory; empty means this process's.
    std::string cwd;
    /// The whole environment as "NAME=value"; nullopt inherits this process's.
    std::optional<std::vector<std::string>> environment;
    /// The child's stdin: this descriptor, or /dev/null for -1.
    int stdin_fd = -1;
    /// The child's stdout: this descriptor, or this process's stdout for -1.
    int stdout_fd = -1;
    /// Make the child lead a process group of its own, so that signals and the final kill reach
    /// whatever it starts too (a shell's children).
    bool own_process_group = false;
};

/// A started child. It inherits stderr and no descriptor other than its stdin, stdout and stderr
/// (Asio opens sockets without close-on-exec, and a child must not keep connections open), gets
/// default signal handling and an empty signal mask. Its exit is watched through a pidfd (by
/// polling on kernels without one). Every child is reaped: by wait(), kill_and_reap() or the
/// destructor, which kills it (its group, with own_process_group) with SIGKILL. Use it on the
/// executor it was made with.
class Process {
public:
    /// Starts the child. Throws ProcessError naming the program and the reason if it cannot be
    /// started (not found, not executable, bad cwd).
    Process(const asio::any_io_executor& executor, const ProcessOptions& options);
    /// Kills (SIGKILL) and reaps a child that has not been reaped yet. Never throws.
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    [[nodiscard]] pid_t pid() const noexcept;
    /// The exit status once the child has been reaped, else nullopt.
    [[nodiscard]] std::optional<ExitStatus> status() const noexcept;

    /// Waits until the child exits, then (with own_process_group) kills what is left of its
    /// group, reaps it and returns its status; at once if already reaped. Cancellation (Asio
    /// per-operation cancellation, or close()) throws asio::system_error(operation_aborted) and
    /// leaves the child running.
    asio::awaitable<ExitStatus> wait();
    /// Sends `signal` to the child (its group, with own_process_group) unless it has been reaped.
    void signal(int signal) noexcept;
    /// Kills with SIGKILL and reaps now (blocking briefly), unless already reaped. Never throws.
    void kill_and_reap() noexcept;
    /// Stops watching: a pending wait() ends with operation_aborted. The child is still reaped
    /// by kill_and_reap() or the destructor.
    void close() noexcept;

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace mas
