#include "mas/core/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>

#include <asio/experimental/as_tuple.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "mas/core/error.hpp"
#include "mas/core/log.hpp"

extern char** environ;

namespace mas {

std::string ExitStatus::to_string() const {
    if (exited) return fmt::format("exit code {}", code);
    if (code < 0) return "unknown status";
    return fmt::format("signal {} ({})", code, ::strsignal(code));
}

struct Process::State {
    explicit State(const asio::any_io_executor& executor) : pidfd(executor), poll(executor) {}

    /// The child has exited (it may still be a zombie) or has been reaped.
    bool exited() const {
        if (status) return true;
        siginfo_t info{};
        const int result = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
        if (result != 0) return errno == ECHILD;  // reaped elsewhere: reap() reports it
        return info.si_pid == pid;
    }

    /// Kills what is left (of the group), then reaps the child. While the child is not reaped
    /// its pid, and so its group id, cannot be reused, so the kill hits no stranger.
    void reap(bool kill_child) noexcept {
        if (status || pid <= 0) return;
        if (group) {
            ::kill(-pid, SIGKILL);
        } else if (kill_child) {
            ::kill(pid, SIGKILL);
        }
        int raw = 0;
        pid_t result = 0;
        do {
            result = ::waitpid(pid, &raw, 0);
        } while (result < 0 && errno == EINTR);
        if (result != pid) {
            // Someone else reaped it (SIGCHLD ignored, or a waitpid(-1) elsewhere in the program).
            mas::log("mas")->warn("cannot collect the exit status of child process {}: {}", pid, std::strerror(errno));
            status = ExitStatus();
        } else if (WIFEXITED(raw)) {
            status = ExitStatus(true, WEXITSTATUS(raw));
        } else {
            status = ExitStatus(false, WIFSIGNALED(raw) ? WTERMSIG(raw) : -1);
        }
        close();
    }

    void close() noexcept {
        closed = true;
        std::error_code ignored;
        pidfd.close(ignored);
        poll.cancel();
    }

    pid_t pid = -1;
    bool group = false;
    bool closed = false;
    asio::posix::stream_descriptor pidfd;
    asio::steady_timer poll;  // only without a pidfd (kernels before 5.3)
    std::optional<ExitStatus> status;
};

namespace {

using asio::experimental::as_tuple;

void check(int result, const char* what) {
    if (result != 0) {
        throw ProcessError(fmt::format("cannot start a child process: {}: {}", what, std::strerror(result)),
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

pid_t spawn(const ProcessOptions& options) {
    SpawnSetup setup;
    sigset_t none;
    sigemptyset(&none);
    sigset_t defaults;
    sigfillset(&defaults);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    check(posix_spawnattr_setsigmask(&setup.attr, &none), "posix_spawnattr_setsigmask");
    check(posix_spawnattr_setsigdefault(&setup.attr, &defaults), "posix_spawnattr_setsigdefault");
    if (options.own_process_group) {
        check(posix_spawnattr_setpgroup(&setup.attr, 0), "posix_spawnattr_setpgroup");
        flags |= POSIX_SPAWN_SETPGROUP;
    }
    check(posix_spawnattr_setflags(&setup.attr, flags), "posix_spawnattr_setflags");
    if (options.stdin_fd >= 0) {
        check(posix_spawn_file_actions_adddup2(&setup.actions, options.stdin_fd, STDIN_FILENO), "adddup2");
    } else {
        check(posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0), "addopen");
    }
    if (options.stdout_fd >= 0) {
        check(posix_spawn_file_actions_adddup2(&setup.actions, options.stdout_fd, STDOUT_FILENO), "adddup2");
    }
    if (!options.cwd.empty()) {
        check(posix_spawn_file_actions_addchdir_np(&setup.actions, options.cwd.c_str()), "addchdir");
    }
    check(posix_spawn_file_actions_addclosefrom_np(&setup.actions, STDERR_FILENO + 1), "addclosefrom");

    std::vector<char*> argv;
    if (options.argv.empty()) argv.push_back(const_cast<char*>(options.executable.c_str()));
    for (const auto& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    if (options.environment) {
        for (const auto& entry : *options.environment) envp.push_back(const_cast<char*>(entry.c_str()));
        envp.push_back(nullptr);
    }
    pid_t pid = -1;
    const int spawned = posix_spawn(&pid, options.executable.c_str(), &setup.actions, &setup.attr, argv.data(),
                                    options.environment ? envp.data() : environ);
    if (spawned != 0) {
        const auto where = options.cwd.empty() ? std::string() : fmt::format(" in \"{}\"", options.cwd);
        throw ProcessError(fmt::format("cannot start \"{}\"{}: {}", options.executable, where, std::strerror(spawned)),
                           std::error_code(spawned, std::generic_category()));
    }
    return pid;
}

asio::awaitable<bool> cancelled() {
    auto state = co_await asio::this_coro::cancellation_state;
    co_return state.cancelled() != asio::cancellation_type::none;
}

// On the shared state, so that a Process destroyed while waited for leaves nothing dangling.
asio::awaitable<ExitStatus> wait_for_exit(std::shared_ptr<Process::State> state) {
    while (!state->exited()) {
        if (state->closed) throw asio::system_error(asio::error::operation_aborted);
        std::error_code ec;
        if (state->pidfd.is_open()) {
            std::tie(ec) = co_await state->pidfd.async_wait(asio::posix::descriptor_base::wait_read,
                                                           as_tuple(asio::use_awaitable));
        } else {
            state->poll.expires_after(std::chrono::milliseconds(20));
            std::tie(ec) = co_await state->poll.async_wait(as_tuple(asio::use_awaitable));
        }
        if (state->exited()) break;
        // Not inside the condition: g++ 12 miscompiles a co_await in a short-circuit operand.
        const bool abandoned = co_await cancelled();
        if (abandoned || state->closed) throw asio::system_error(asio::error::operation_aborted);
    }
    state->reap(false);
    co_return *state->status;
}

}  // namespace

Process::Process(const asio::any_io_executor& executor, const ProcessOptions& options)
    : state_(std::make_shared<State>(executor)) {
    state_->pid = spawn(options);
    state_->group = options.own_process_group;
    const auto pidfd = static_cast<int>(::syscall(SYS_pidfd_open, state_->pid, 0));
    if (pidfd >= 0) {
        std::error_code error;
        state_->pidfd.assign(pidfd, error);
        if (error) ::close(pidfd);
    }
}

Process::~Process() { kill_and_reap(); }

pid_t Process::pid() const noexcept { return state_->pid; }

std::optional<ExitStatus> Process::status() const noexcept { return state_->status; }

asio::awaitable<ExitStatus> Process::wait() { co_return co_await wait_for_exit(state_); }

void Process::signal(int signal) noexcept {
    if (state_->status || state_->pid <= 0) return;
    ::kill(state_->group ? -state_->pid : state_->pid, signal);
}

void Process::kill_and_reap() noexcept { state_->reap(true); }

void Process::close() noexcept { state_->close(); }

}  // namespace mas
