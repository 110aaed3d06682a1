#include "agent/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "mas/core/error.hpp"
#include "mas/core/log.hpp"

extern char** environ;

namespace mas::agent::detail {
namespace {

using asio::experimental::as_tuple;

constexpr std::size_t max_line = 64 * 1024;

/// A file descriptor closed on every path out unless released.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) noexcept : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    [[nodiscard]] int get() const noexcept { return fd_; }
    int release() noexcept { return std::exchange(fd_, -1); }
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

/// A pipe whose both ends are close-on-exec: only the ends dup2'ed into a child survive exec.
struct Pipe {
    Pipe() {
        std::array<int, 2> fds{-1, -1};
        if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
            throw ConnectionError("cannot create a pipe for a subprocess container",
                                  std::error_code(errno, std::generic_category()));
        }
        read.reset(fds[0]);
        write.reset(fds[1]);
    }
    Fd read;
    Fd write;
};

void check(int result, const char* what) {
    if (result != 0) {
        throw ConnectionError(fmt::format("cannot start a subprocess container: {}: {}", what, std::strerror(result)),
                              std::error_code(result, std::generic_category()));
    }
}

// The spawn attributes and file actions, released on every path out.
struct SpawnSetup {
    posix_spawnattr_t attr{};
    posix_spawn_file_actions_t actions{};
    SpawnSetup() {
        check(posix_spawnattr_init(&attr), "posix_spawnattr_init");
        if (const int error = posix_spawn_file_actions_init(&actions); error != 0) {
            posix_spawnattr_destroy(&attr);
            check(error, "posix_spawn_file_actions_init");
        }
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
};

// Starts `executable` with `stdin_fd` and `stdout_fd` as its stdin and stdout, the parent's
// stderr, no other descriptors, default signal handling and an empty signal mask.
pid_t spawn(const std::string& executable, const std::vector<std::string>& args, int stdin_fd, int stdout_fd) {
    SpawnSetup setup;
    sigset_t none;
    sigemptyset(&none);
    sigset_t defaults;
    sigfillset(&defaults);
    check(posix_spawnattr_setsigmask(&setup.attr, &none), "posix_spawnattr_setsigmask");
    check(posix_spawnattr_setsigdefault(&setup.attr, &defaults), "posix_spawnattr_setsigdefault");
    check(posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF),
          "posix_spawnattr_setflags");
    check(posix_spawn_file_actions_adddup2(&setup.actions, stdin_fd, STDIN_FILENO), "adddup2");
    check(posix_spawn_file_actions_adddup2(&setup.actions, stdout_fd, STDOUT_FILENO), "adddup2");
    // Asio opens sockets without close-on-exec: a child must not keep the parent's listening
    // sockets and connections open (a peer would never see them close).
    check(posix_spawn_file_actions_addclosefrom_np(&setup.actions, STDERR_FILENO + 1), "addclosefrom");

    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(executable.c_str()));
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int spawned = posix_spawn(&pid, executable.c_str(), &setup.actions, &setup.attr, argv.data(), environ);
    if (spawned != 0) {
        throw ConnectionError(fmt::format("cannot start subprocess container \"{}\": {}", executable,
                                          std::strerror(spawned)),
                              std::error_code(spawned, std::generic_category()));
    }
    return pid;
}

ExitStatus decode(int status) {
    if (WIFEXITED(status)) return {true, WEXITSTATUS(status)};
    if (WIFSIGNALED(status)) return {false, WTERMSIG(status)};
    return {};
}

}  // namespace

ChildProcess::ChildProcess(const asio::any_io_executor& executor, const std::string& executable,
                           const std::vector<std::string>& args)
    : out_(executor), pidfd_(executor) {
    Pipe out;
    Pipe in;
    pid_ = spawn(executable, args, in.read.get(), out.write.get());
    in.read.reset();
    out.write.reset();
    lifeline_ = in.write.release();
    std::error_code error;
    out_.assign(out.read.get(), error);
    if (error) {
        kill_and_reap();
        close();
        throw ConnectionError(fmt::format("cannot watch the stdout of subprocess container \"{}\": {}", executable,
                                          error.message()),
                              error);
    }
    (void)out.read.release();
    const auto pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd >= 0) {
        pidfd_.assign(pidfd, error);
        if (error) ::close(pidfd);
    }
    if (!pidfd_.is_open()) {
        mas::log("mas.agent")->debug("no pidfd for child {}; it is reaped after its stdout ends", pid_);
    }
}

ChildProcess::~ChildProcess() {
    kill_and_reap();
    close();
}

asio::awaitable<std::optional<std::string>> ChildProcess::read_line() {
    std::array<char, 4096> chunk{};
    for (;;) {
        if (const auto newline = buffer_.find('\n'); newline != std::string::npos) {
            std::string line = buffer_.substr(0, newline);
            buffer_.erase(0, newline + 1);
            co_return line;
        }
        if (buffer_.size() >= max_line || (!out_.is_open() && !buffer_.empty())) {
            co_return std::exchange(buffer_, std::string());
        }
        if (!out_.is_open()) co_return std::nullopt;
        auto [ec, n] = co_await out_.async_read_some(asio::buffer(chunk), as_tuple(asio::use_awaitable));
        buffer_.append(chunk.data(), n);
        if (ec == asio::error::operation_aborted) throw asio::system_error(ec);
        if (ec) {
            std::error_code ignored;
            out_.close(ignored);  // end of file, or an error that ends the stream as well
        }
    }
}

asio::awaitable<ExitStatus> ChildProcess::wait() {
    if (status_) co_return *status_;
    if (pidfd_.is_open()) {
        auto [ec] = co_await pidfd_.async_wait(asio::posix::descriptor_base::wait_read, as_tuple(asio::use_awaitable));
        if (status_) co_return *status_;  // reaped meanwhile by kill_and_reap
        if (ec) throw asio::system_error(ec);
    }
    reap_blocking();
    co_return *status_;
}

void ChildProcess::signal(int signal) noexcept {
    if (!status_ && pid_ > 0) ::kill(pid_, signal);
}

void ChildProcess::kill_and_reap() noexcept {
    if (status_ || pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    reap_blocking();
}

void ChildProcess::close() noexcept {
    std::error_code ignored;
    out_.close(ignored);
    pidfd_.close(ignored);
    if (lifeline_ >= 0) ::close(lifeline_);
    lifeline_ = -1;
}

void ChildProcess::reap_blocking() noexcept {
    if (status_ || pid_ <= 0) return;
    int status = 0;
    pid_t result = 0;
    do {
        result = ::waitpid(pid_, &status, 0);
    } while (result < 0 && errno == EINTR);
    if (result == pid_) {
        status_ = decode(status);
    } else {
        // Someone else reaped it (SIGCHLD ignored, or a waitpid(-1) elsewhere in the program).
        mas::log("mas.agent")->warn("cannot collect the exit status of child {}: {}", pid_, std::strerror(errno));
        status_ = ExitStatus();
    }
}

}  // namespace mas::agent::detail
