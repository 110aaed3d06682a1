#include "integration/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

#include "mas/core/error.hpp"

extern char** environ;

namespace mas::test {
namespace {

[[noreturn]] void fail_errno(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

void check(int result, const char* what) {
    if (result != 0) throw std::system_error(result, std::generic_category(), what);
}

void close_fd(int& fd) noexcept {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

ExitStatus decode(int status) {
    if (WIFEXITED(status)) return {true, WEXITSTATUS(status)};
    return {false, WTERMSIG(status)};
}

// The spawn attributes and file actions, released on every path out.
struct SpawnSetup {
    posix_spawnattr_t attr{};
    posix_spawn_file_actions_t actions{};
    SpawnSetup() {
        check(posix_spawnattr_init(&attr), "posix_spawnattr_init");
        check(posix_spawn_file_actions_init(&actions), "posix_spawn_file_actions_init");
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
};

}  // namespace

ChildProcess::ChildProcess(const std::string& path, const std::vector<std::string>& args) {
    std::array<int, 2> out{-1, -1};
    std::array<int, 2> err{-1, -1};
    if (::pipe2(out.data(), O_CLOEXEC) != 0) fail_errno("pipe2");
    if (::pipe2(err.data(), O_CLOEXEC) != 0) {
        close_fd(out[0]);
        close_fd(out[1]);
        fail_errno("pipe2");
    }
    out_.fd = out[0];
    err_.fd = err[0];

    SpawnSetup setup;
    // The test runner may block or handle signals; the child starts with the defaults.
    sigset_t none;
    sigemptyset(&none);
    sigset_t defaults;
    sigfillset(&defaults);
    check(posix_spawnattr_setsigmask(&setup.attr, &none), "posix_spawnattr_setsigmask");
    check(posix_spawnattr_setsigdefault(&setup.attr, &defaults), "posix_spawnattr_setsigdefault");
    check(posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF),
          "posix_spawnattr_setflags");
    check(posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0), "addopen");
    check(posix_spawn_file_actions_adddup2(&setup.actions, out[1], 1), "adddup2");
    check(posix_spawn_file_actions_adddup2(&setup.actions, err[1], 2), "adddup2");

    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(path.c_str()));
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    const int spawned = posix_spawn(&pid_, path.c_str(), &setup.actions, &setup.attr, argv.data(), environ);
    close_fd(out[1]);
    close_fd(err[1]);
    if (spawned != 0) {
        close_fd(out_.fd);
        close_fd(err_.fd);
        pid_ = -1;
        throw std::system_error(spawned, std::generic_category(), "posix_spawn " + path);
    }
    pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd_ < 0) {
        const int error = errno;
        ::kill(pid_, SIGKILL);
        reap();
        close_fd(out_.fd);
        close_fd(err_.fd);
        throw std::system_error(error, std::generic_category(), "pidfd_open");
    }
}

ChildProcess::~ChildProcess() {
    if (!status_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        reap();
    }
    close_fd(pidfd_);
    close_fd(out_.fd);
    close_fd(err_.fd);
}

template <class Done>
void ChildProcess::pump(Duration guard, Done done) {
    const auto deadline = std::chrono::steady_clock::now() + guard;
    while (!done()) {
        std::array<pollfd, 3> fds{{{out_.fd, POLLIN, 0}, {err_.fd, POLLIN, 0}, {status_ ? -1 : pidfd_, POLLIN, 0}}};
        using std::chrono::milliseconds;
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw Timeout("child process: hang guard expired");
        const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()) + 1);
        if (ready < 0 && errno != EINTR) fail_errno("poll");
        if (ready <= 0) continue;
        if (fds[0].revents != 0) read_from(out_);
        if (fds[1].revents != 0) read_from(err_);
        if (fds[2].revents != 0) reap();
    }
}

void ChildProcess::read_from(Pipe& pipe) {
    std::array<char, 4096> buffer{};
    const auto n = ::read(pipe.fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) return;
    if (n <= 0) {
        close_fd(pipe.fd);  // end of stream (or an error, which ends it as well)
        return;
    }
    pipe.data.append(buffer.data(), static_cast<std::size_t>(n));
}

void ChildProcess::reap() {
    int status = 0;
    pid_t result = 0;
    do {
        result = ::waitpid(pid_, &status, 0);
    } while (result < 0 && errno == EINTR);
    if (result == pid_) status_ = decode(status);
}

std::optional<std::string> ChildProcess::read_line(Stream stream, Duration guard) {
    Pipe& pipe = stream == Stream::out ? out_ : err_;
    auto newline = [&] { return pipe.data.find('\n', pipe.consumed); };
    pump(guard, [&] { return newline() != std::string::npos || pipe.fd < 0; });
    const auto end = newline();
    if (end == std::string::npos) return std::nullopt;
    std::string line = pipe.data.substr(pipe.consumed, end - pipe.consumed);
    pipe.consumed = end + 1;
    return line;
}

void ChildProcess::signal(int signal) {
    if (!status_ && pid_ > 0) ::kill(pid_, signal);
}

ExitStatus ChildProcess::wait(Duration guard) {
    pump(guard, [&] { return status_ && out_.fd < 0 && err_.fd < 0; });
    return *status_;
}

const std::string& ChildProcess::output(Stream stream) const noexcept {
    return stream == Stream::out ? out_.data : err_.data;
}

ProgramRun run_program(const std::string& path, const std::vector<std::string>& args, ChildProcess::Duration guard) {
    ChildProcess child(path, args);
    const auto status = child.wait(guard);
    return {status, child.output(Stream::out), child.output(Stream::err)};
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t begin = 0;
    while (begin < text.size()) {
        auto end = text.find('\n', begin);
        if (end == std::string::npos) end = text.size();
        lines.push_back(text.substr(begin, end - begin));
        begin = end + 1;
    }
    return lines;
}

}  // namespace mas::test
