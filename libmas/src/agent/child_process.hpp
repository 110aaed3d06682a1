#pragma once
// ChildProcess: the POSIX side of a subprocess container: posix_spawn with a stdout pipe and a
// lifeline stdin pipe, line reading from stdout, and reaping through a pidfd. Single-threaded:
// use it on the executor it was made with.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/posix/stream_descriptor.hpp>

#include "mas/agent/subprocess_container.hpp"

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

    [[nodiscard]] pid_t pid() const noexcept { return pid_; }
    /// The status once reaped.
    [[nodiscard]] const std::optional<ExitStatus>& status() const noexcept { return status_; }

    /// The next line of the child's stdout without its '\n' (lines longer than 64 KiB come in
    /// pieces), or nullopt once stdout has ended or been closed. Throws
    /// asio::system_error(operation_aborted) if the read is cancelled.
    asio::awaitable<std::optional<std::string>> read_line();
    /// Waits for the exit through a pidfd and reaps the child; without a pidfd (old kernels) it
    /// blocks in waitpid, so call it once stdout has ended. Returns at once once reaped. Throws
    /// asio::system_error(operation_aborted) if cancelled.
    asio::awaitable<ExitStatus> wait();

    /// Sends `signal` to a child that has not been reaped yet.
    void signal(int signal) noexcept;
    /// Kills with SIGKILL and reaps at once a child that has not been reaped yet.
    void kill_and_reap() noexcept;
    /// Closes stdout, the lifeline and the pidfd; pending reads and waits complete with
    /// operation_aborted.
    void close() noexcept;

private:
    void reap_blocking() noexcept;

    pid_t pid_ = -1;
    asio::posix::stream_descriptor out_;
    asio::posix::stream_descriptor pidfd_;
    int lifeline_ = -1;
    std::string buffer_;
    std::optional<ExitStatus> status_;
};

}  // namespace mas::agent::detail
