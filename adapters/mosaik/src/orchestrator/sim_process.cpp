#include "mas/mosaik/orchestrator/sim_process.hpp"

#include <unistd.h>

#include <chrono>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "mas/core/error.hpp"
#include "mas/core/log.hpp"
#include "mas/core/process.hpp"
#include "mas/core/with_timeout.hpp"
#include "orchestrator/find_program.hpp"

extern char** environ;

namespace mas::mosaik {

struct SimProcess::State {
    std::optional<Process> process;
};

namespace {

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

/// `program` as exec will find it: names with a '/' as they are, others through PATH (as
/// Python's Popen does).
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

}  // namespace

SimProcess::SimProcess(const asio::any_io_executor& executor, const ProcessSpec& spec)
    : state_(std::make_shared<State>()) {
    if (spec.argv.empty() || spec.argv.front().empty()) throw ConfigError("a simulator command must name a program");
    ProcessOptions options;
    options.environment = merged_environment(spec.env);
    options.executable = resolve(spec.argv.front(), *options.environment, spec.cwd);
    options.argv = spec.argv;
    options.cwd = spec.cwd;
    if (spec.stdout_to_stderr) options.stdout_fd = STDERR_FILENO;
    options.own_process_group = true;
    state_->process.emplace(executor, options);
    mas::log("mas.mosaik")->debug("started simulator process {}: {}", pid(), fmt::join(spec.argv, " "));
}

SimProcess::~SimProcess() { kill(); }

pid_t SimProcess::pid() const noexcept { return state_->process->pid(); }

std::optional<agent::ExitStatus> SimProcess::exit_status() const noexcept { return state_->process->status(); }

asio::awaitable<agent::ExitStatus> SimProcess::wait() {
    // The state outlives this SimProcess while the wait is pending.
    auto state = state_;
    co_return co_await state->process->wait();
}

asio::awaitable<agent::ExitStatus> SimProcess::stop(Duration grace) {
    auto state = state_;
    try {
        co_return co_await with_timeout(state->process->wait(), grace, "waiting for the simulator process to exit");
    } catch (const Timeout&) {
        mas::log("mas.mosaik")->warn("simulator process {} did not exit within {} ms; killing it", state->process->pid(),
                                     std::chrono::duration_cast<std::chrono::milliseconds>(grace).count());
    } catch (const std::exception& e) {
        mas::log("mas.mosaik")->error("waiting for simulator process {} failed: {}", state->process->pid(), e.what());
    }
    state->process->kill_and_reap();
    co_return *state->process->status();
}

void SimProcess::kill() noexcept { state_->process->kill_and_reap(); }

}  // namespace mas::mosaik
