#pragma once
// ChildProcess: the POSIX side of a subprocess container: a mas::Process with a stdout pipe and a
// lifeline stdin pipe, and line reading from stdout. Single-threaded: use it on the executor it
// was made with.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/posix/stream_descriptor.hpp>

#include "mas/agent/subprocess_container.hpp"
#include "mas/core/process.hpp"

namespace mas::agent::detail {

class ChildProcess {
public:
    /// Starts `executable` with `args` (argv[1..]): stdin is a pipe whose write end (close-on-exec)
    /// only this object holds, stdout a pipe read by read_line(), stderr inherited; default
    /// signal dispositions and an empty signal mask. Throws mas::ConnectionError with the errno
    /// if the program cannot be started.
    ChildProcess(const asio::any_io_executor& executor, const std::string& executable,
                 const std::vector<std::string>& args);
    /// Kills (SIGKILL) and reaps a child that has not been reaped yet.
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    [[nodiscard]] pid_t pid() const noexcept { return process_->pid(); }
    /// The status once reaped.
    [[nodiscard]] std::optional<ExitStatus> status() const noexcept { return process_->status(); }

    /// The next line of the child's stdout without its '\n' (lines longer than 64 KiB come in
    /// pieces), or nullopt once stdout has ended or been closed. Throws
    /// asio::system_error(operation_aborted) if the read is cancelled.
    asio::awaitable<std::optional<std::string>> read_line();
    /// Waits for the exit and reaps the child (Process::wait). Returns at once once reaped. Throws
    /// asio::system_error(operation_aborted) if cancelled or closed.
    asio::awaitable<ExitStatus> wait();

    /// Sends `signal` to a child that has not been reaped yet.
    void signal(int signal) noexcept;
    /// Kills with SIGKILL and reaps at once a child that has not been reaped yet.
    void kill_and_reap() noexcept;
    /// Closes stdout, the lifeline and the pidfd; pending reads and waits complete with
    /// operation_aborted.
    void close() noexcept;

private:
    std::optional<Process> process_;  // set once started
    asio::posix::stream_descriptor out_;
    int lifeline_ = -1;
    std::string buffer_;
};

}  // namespace mas::agent::detail
