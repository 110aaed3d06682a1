#include "mas/mosaik/orchestrator/sim_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include <asio/experimental/as_tuple.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "mas/core/error.hpp"
#include "mas/core/log.hpp"
#include "mas/core/with_timeout.hpp"
#include "orchestrator/find_program.hpp"

extern char** environ;

namespace mas::mosaik {

struct SimProcess::State {
    explicit State(const asio::any_io_executor& executor) : pidfd(executor), poll(executor) {}

    /// The child has exited (it may still be a zombie) or has been reaped.
    bool exited() {
        if (status) return true;
        siginfo_t info{};
        const int result = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
        if (result != 0) return errno == ECHILD;  // reaped elsewhere: finish() reports it
        return info.si_pid == pid;
    }

    /// Kills what is left of the group, then reaps the child. While the child is not reaped its
    /// pid, and so its group id, cannot be reused, so the group kill hits no stranger.
    void finish() noexcept {
        if (status || pid <= 0) return;
        ::kill(-pid, SIGKILL);
        int raw = 0;
        pid_t result = 0;
        do {
            result = ::waitpid(pid, &raw, 0);
        } while (result < 0 && errno == EINTR);
        if (result != pid) {
            // Someone else reaped it (SIGCHLD ignored, or a waitpid(-1) elsewhere in the program).
            mas::log("mas.mosaik")->warn("cannot collect the exit status of simulator process {}: {}", pid,
                                         std::strerror(errno));
            status = agent::ExitStatus();
        } else if (WIFEXITED(raw)) {
            status = agent::ExitStatus(true, WEXITSTATUS(raw));
        } else {
            status = agent::ExitStatus(false, WIFSIGNALED(raw) ? WTERMSIG(raw) : -1);
        }
        std::error_code ignored;
        pidfd.close(ignored);
    }

    pid_t pid = -1;
    asio::posix::stream_descriptor pidfd;
    asio::steady_timer poll;  // only without a pidfd (kernels before 5.3)
    std::optional<agent::ExitStatus> status;
};

namespace {

using asio::experimental::as_tuple;

void check(int result, const char* what) {
    if (result != 0) throw Error(fmt::format("cannot start a simulator process: {}: {}", what, std::strerror(result)));
}

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

/// The orchestrator's environment with `extra` set on top, as "NAME=value" strings.
std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra) {
    std::vector<std::string> out;
    for (char** item = environ; item && *item; ++item) {
        const std::string entry(*item);
        const auto name = entry.substr(0, entry.find('='));
        if (!extra.contains(name)) out.push_back(entry);
    }
    for (const auto& [name, value] : extra) out.push_back(name + "=" + value);
    return out;
}

/// `program` as exec will find it: names with a '/' as they are, others through PATH.
std::string resolve(const std::string& program, const std::vector<std::string>& env, const std::string& cwd) {
    if (program.find('/') != std::string::npos) return program;
    std::string path = "/usr/local/bin:/usr/bin:/bin";
    for (const auto& entry : env) {
        if (entry.starts_with("PATH=")) path = entry.substr(5);
    }
    auto found = detail::find_program(program, path, cwd);
    if (!found) throw Error(fmt::format("cannot start \"{}\": command not found in PATH", program));
    return *found;
}

pid_t spawn(const ProcessSpec& spec) {
    auto env = merged_environment(spec.env);
    const auto executable = resolve(spec.argv.front(), env, spec.cwd);
    SpawnSetup setup;
    sigset_t none;
    sigemptyset(&none);
    sigset_t defaults;
    sigfillset(&defaults);
    check(posix_spawnattr_setsigmask(&setup.attr, &none), "posix_spawnattr_setsigmask");
    check(posix_spawnattr_setsigdefault(&setup.attr, &defaults), "posix_spawnattr_setsigdefault");
    check(posix_spawnattr_setpgroup(&setup.attr, 0), "posix_spawnattr_setpgroup");
    check(posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP),
          "posix_spawnattr_setflags");
    check(posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0), "addopen");
    // mosaik's simulators print to stdout; the orchestrator's stdout is for results only.
    check(posix_spawn_file_actions_adddup2(&setup.actions, STDERR_FILENO, STDOUT_FILENO), "adddup2");
    if (!spec.cwd.empty()) check(posix_spawn_file_actions_addchdir_np(&setup.actions, spec.cwd.c_str()), "addchdir");
    // Asio opens sockets without close-on-exec: a simulator must not keep the orchestrator's
    // listening sockets and other simulators' connections open.
    check(posix_spawn_file_actions_addclosefrom_np(&setup.actions, STDERR_FILENO + 1), "addclosefrom");

    std::vector<char*> argv;
    for (const auto& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& entry : env) envp.push_back(entry.data());
    envp.push_back(nullptr);
    pid_t pid = -1;
    const int spawned = posix_spawn(&pid, executable.c_str(), &setup.actions, &setup.attr, argv.data(), envp.data());
    if (spawned != 0) {
        const auto where = spec.cwd.empty() ? std::string() : fmt::format(" in \"{}\"", spec.cwd);
        throw Error(fmt::format("cannot start \"{}\"{}: {}", executable, where, std::strerror(spawned)));
    }
    return pid;
}

asio::awaitable<bool> cancelled() {
    auto state = co_await asio::this_coro::cancellation_state;
    co_return state.cancelled() != asio::cancellation_type::none;
}

asio::awaitable<agent::ExitStatus> wait_for_exit(std::shared_ptr<SimProcess::State> state) {
    while (!state->exited()) {
        if (state->pidfd.is_open()) {
            co_await state->pidfd.async_wait(asio::posix::descriptor_base::wait_read, as_tuple(asio::use_awaitable));
        } else {
            state->poll.expires_after(std::chrono::milliseconds(20));
            co_await state->poll.async_wait(as_tuple(asio::use_awaitable));
        }
        if (state->exited()) break;
        // Not inside the condition: g++ 12 miscompiles a co_await in a short-circuit operand.
        const bool abandoned = co_await cancelled();
        if (abandoned) throw asio::system_error(asio::error::operation_aborted);
    }
    state->finish();
    co_return *state->status;
}

}  // namespace

SimProcess::SimProcess(const asio::any_io_executor& executor, const ProcessSpec& spec)
    : state_(std::make_shared<State>(executor)) {
    if (spec.argv.empty() || spec.argv.front().empty()) throw ConfigError("a simulator command must name a program");
    state_->pid = spawn(spec);
    const auto pidfd = static_cast<int>(::syscall(SYS_pidfd_open, state_->pid, 0));
    if (pidfd >= 0) {
        std::error_code error;
        state_->pidfd.assign(pidfd, error);
        if (error) ::close(pidfd);
    }
    mas::log("mas.mosaik")->debug("started simulator process {}: {}", state_->pid, fmt::join(spec.argv, " "));
}

SimProcess::~SimProcess() { kill(); }

pid_t SimProcess::pid() const noexcept { return state_->pid; }

std::optional<agent::ExitStatus> SimProcess::exit_status() const noexcept { return state_->status; }

asio::awaitable<agent::ExitStatus> SimProcess::wait() { co_return co_await wait_for_exit(state_); }

asio::awaitable<agent::ExitStatus> SimProcess::stop(Duration grace) {
    try {
        co_return co_await with_timeout(wait_for_exit(state_), grace, "waiting for the simulator process to exit");
    } catch (const Timeout&) {
        mas::log("mas.mosaik")->warn("simulator process {} did not exit within {} ms; killing it", state_->pid,
                                     std::chrono::duration_cast<std::chrono::milliseconds>(grace).count());
    } catch (const std::exception& e) {
        mas::log("mas.mosaik")->error("waiting for simulator process {} failed: {}", state_->pid, e.what());
    }
    kill();
    co_return *state_->status;
}

void SimProcess::kill() noexcept { state_->finish(); }

}  // namespace mas::mosaik
