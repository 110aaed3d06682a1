#include "mas/agent/subprocess_container.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string_view>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "agent/child_process.hpp"
#include "rpc/connection_state.hpp"
#include "mas/agent/container.hpp"
#include "mas/core/log.hpp"
#include "mas/core/with_timeout.hpp"

namespace mas::agent {

namespace {

using asio::experimental::as_tuple;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view ready_prefix = "mas-subproc ready ";

const std::shared_ptr<spdlog::logger>& agent_log() {
    static const auto logger = mas::log("mas.agent");
    return logger;
}

std::string shorten(const std::string& text) {
    constexpr std::size_t limit = 200;
    return text.size() <= limit ? text : text.substr(0, limit) + "...";
}

long long milliseconds(SteadyClock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

std::vector<std::string> child_arguments(const SubprocessOptions& options) {
    std::vector<std::string> args{"--addr", options.addr,
                                  "--clock", options.clock == ClockKind::real ? "real" : "external",
                                  "--utc-start", options.utc_start.to_string(),
                                  "--init-time", fmt::format("{}", options.init_time),
                                  "--log-level", options.log_level,
                                  "--watch-stdin"};
    args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
    return args;
}

void run_exit_callback(const std::function<void(ExitStatus)>& callback, ExitStatus status, const std::string& who) {
    try {
        callback(status);
    } catch (const std::exception& e) {
        agent_log()->error("on_exit callback of {} failed: {}", who, e.what());
    }
}

}  // namespace

/// The shared state of one child: the process, the connection to its Manager, and its exit.
struct SubprocessContainer::State {
    State(Container& parent_container, std::string program, const SubprocessOptions& options)
        : parent(&parent_container),
          executor(parent_container.executor()),
          executable(std::move(program)),
          stop_timeout(options.stop_timeout),
          child(executor, executable, child_arguments(options)),
          exited(executor, SteadyClock::time_point::max()) {}

    [[nodiscard]] std::string describe() const {
        if (addr.empty()) return fmt::format("subprocess container \"{}\" (pid {})", executable, child.pid());
        return fmt::format("subprocess container {} (pid {})", addr, child.pid());
    }

    /// Reads the ready line and returns the announced address; see start_subprocess_container.
    static asio::awaitable<std::string> read_ready_line(std::shared_ptr<State> self);
    /// Logs the child's further output until it ends, then reaps the child and finishes.
    static asio::awaitable<void> watch(std::shared_ptr<State> self);
    void forget_connection() noexcept;
    /// Records the exit, wakes wait_exit() and runs the on_exit callbacks.
    void finish(ExitStatus result);
    /// The last handle is gone: kill and reap a child that still runs, without callbacks.
    void abandon() noexcept;

    Container* parent;
    asio::any_io_executor executor;
    std::string executable;
    SteadyClock::duration stop_timeout;
    detail::ChildProcess child;
    std::string addr;
    rpc::Proxy manager;
    asio::steady_timer exited;  // cancelled once `status` is set
    std::optional<ExitStatus> status;
    std::vector<std::function<void(ExitStatus)>> on_exit;
    bool stop_requested = false;
    bool abandoned = false;
};

asio::awaitable<std::string> SubprocessContainer::State::read_ready_line(std::shared_ptr<State> self) {
    const auto line = co_await self->child.read_line();
    if (!line) {
        const auto result = co_await self->child.wait();
        throw ConnectionError(fmt::format("{} exited before it was ready: {}", self->describe(), result.to_string()),
                              make_error_code(asio::error::eof));
    }
    if (!line->starts_with(ready_prefix)) {
        throw ProtocolError(fmt::format("{} printed \"{}\" instead of \"mas-subproc ready <address>\"",
                                        self->describe(), shorten(*line)));
    }
    std::string address = line->substr(ready_prefix.size());
    if (!address.empty() && address.back() == '\r') address.pop_back();
    try {
        (void)container_endpoint(address);
    } catch (const ConfigError& e) {
        throw ProtocolError(fmt::format("{} announced a bad address: {}", self->describe(), e.what()));
    }
    co_return address;
}

asio::awaitable<void> SubprocessContainer::State::watch(std::shared_ptr<State> self) {
    for (;;) {
        std::optional<std::string> line;
        try {
            line = co_await self->child.read_line();
        } catch (const asio::system_error& e) {
            agent_log()->debug("{}: stopped reading its output: {}", self->describe(), e.what());
        }
        if (!line) break;
        agent_log()->info("{}: {}", self->describe(), *line);
    }
    if (self->abandoned) co_return;
    ExitStatus result;
    bool reaped = false;
    try {
        result = co_await self->child.wait();
        reaped = true;
    } catch (const asio::system_error& e) {
        agent_log()->debug("{}: stopped waiting for its exit: {}", self->describe(), e.what());
    }
    if (reaped && !self->abandoned) self->finish(result);
}

void SubprocessContainer::State::finish(ExitStatus result) {
    if (status) return;
    status = result;
    child.close();
    forget_connection();
    if (stop_requested) {
        agent_log()->info("{} stopped: {}", describe(), result.to_string());
    } else {
        agent_log()->error("{} exited unexpectedly: {}", describe(), result.to_string());
    }
    exited.cancel();
    auto callbacks = std::move(on_exit);
    on_exit.clear();
    const auto who = describe();
    for (const auto& callback : callbacks) run_exit_callback(callback, result, who);
}

void SubprocessContainer::State::abandon() noexcept {
    abandoned = true;
    on_exit.clear();
    if (!status) {
        stop_requested = true;
        child.kill_and_reap();
        status = child.status();
        agent_log()->debug("{} killed: its last handle is gone", describe());
    }
    child.close();
    forget_connection();
    exited.cancel();
}

void SubprocessContainer::State::forget_connection() noexcept {
    // The child's container is gone for good: its connection must not try to come back.
    if (const auto& connection = manager.connection()) connection->channel.close();
}

SubprocessContainer::SubprocessContainer(std::shared_ptr<State> state)
    : state_(state), owner_(nullptr, [state](void*) { state->abandon(); }) {}

SubprocessContainer::State& SubprocessContainer::state() const {
    if (!state_) throw Error("empty SubprocessContainer handle");
    return *state_;
}

const rpc::Proxy& SubprocessContainer::manager() const { return state().manager; }

const std::string& SubprocessContainer::addr() const { return state().addr; }

pid_t SubprocessContainer::pid() const { return state().child.pid(); }

std::optional<ExitStatus> SubprocessContainer::exited() const { return state().status; }

asio::awaitable<void> SubprocessContainer::set_time(double t) const { return set_child_time(*this, t); }

asio::awaitable<ExitStatus> SubprocessContainer::stop() const { return stop_child(*this); }

asio::awaitable<ExitStatus> SubprocessContainer::wait_exit() const { return wait_for_exit(*this); }

void SubprocessContainer::on_exit(std::function<void(ExitStatus)> callback) const {
    State& s = state();
    if (!callback) return;
    if (!s.status) {
        s.on_exit.push_back(std::move(callback));
        return;
    }
    auto posted = [callback = std::move(callback), result = *s.status, who = s.describe()] {
        run_exit_callback(callback, result, who);
    };
    asio::post(s.executor, std::move(posted));
}

asio::awaitable<rpc::Proxy> SubprocessContainer::spawn_agent(SubprocessContainer self, std::string name, JsonArray args,
                                                             JsonObject kwargs) {
    State& s = self.state();
    // aiomas' spawn(qualname, *args, **kwargs) -> (proxy, address); the address goes through
    // connect(), which checks the agent and caches the proxy as every other one.
    args.insert(args.begin(), Json(std::move(name)));
    auto call = s.manager["spawn"].call_unpacked(std::move(args), std::move(kwargs));
    const Json reply = co_await std::move(call);
    if (!reply.is_array() || reply.size() != 2 || !reply[1].is_string()) {
        throw ProtocolError("the child's spawn() did not reply [proxy, address]: " + reply.describe());
    }
    auto connecting = s.parent->connect(reply[1].as_string());
    co_return co_await std::move(connecting);
}

asio::awaitable<void> SubprocessContainer::set_child_time(SubprocessContainer self, double t) {
    auto call = self.state().manager["set_time"].call<void>(t);
    co_await std::move(call);
}

asio::awaitable<ExitStatus> SubprocessContainer::stop_child(SubprocessContainer self) {
    State& s = self.state();
    if (s.status) co_return *s.status;
    s.stop_requested = true;
    const auto deadline = SteadyClock::now() + s.stop_timeout;
    try {
        auto call = s.manager["stop"].call<void>();
        co_await with_timeout(std::move(call), s.stop_timeout, "stop()");
    } catch (const Error& e) {
        agent_log()->debug("{}: no reply to stop() ({}); waiting for its exit", s.describe(), e.what());
    }
    if (s.status) co_return *s.status;
    bool timed_out = false;
    try {
        auto waiting = wait_for_exit(self);
        const auto left = std::max(deadline - SteadyClock::now(), SteadyClock::duration::zero());
        co_return co_await with_timeout(std::move(waiting), left, "exit");
    } catch (const Timeout&) {
        timed_out = true;
    }
    if (timed_out) {
        agent_log()->warn("{} did not exit within {} ms of stop(); killing it", s.describe(),
                          milliseconds(s.stop_timeout));
        s.child.signal(SIGKILL);
    }
    co_return co_await wait_for_exit(self);
}

asio::awaitable<ExitStatus> SubprocessContainer::wait_for_exit(SubprocessContainer self) {
    State& s = self.state();
    if (!s.status) {
        auto [ec] = co_await s.exited.async_wait(as_tuple(asio::use_awaitable));
        // `exited` is only cancelled after `status` is set: anything else cancelled this wait.
        if (!s.status) throw asio::system_error(ec ? ec : make_error_code(asio::error::operation_aborted));
    }
    co_return *s.status;
}

asio::awaitable<SubprocessContainer> start_subprocess_container(Container& parent, std::string executable,
                                                                SubprocessOptions options) {
    using State = SubprocessContainer::State;
    auto state = std::make_shared<State>(parent, std::move(executable), options);
    SubprocessContainer handle(state);  // kills and reaps the child if we leave by an exception
    std::string address;
    bool timed_out = false;
    try {
        auto ready = State::read_ready_line(state);
        address = co_await with_timeout(std::move(ready), options.startup_timeout, "startup");
    } catch (const Timeout&) {
        timed_out = true;
    }
    if (timed_out) {
        throw Timeout(fmt::format("{} was not ready within {} ms; killed it", state->describe(),
                                  milliseconds(options.startup_timeout)));
    }
    state->addr = address;
    auto connecting = parent.connect(address + "/0");
    state->manager = co_await std::move(connecting);
    auto watcher = State::watch(state);
    asio::co_spawn(state->executor, std::move(watcher), [](std::exception_ptr error) {
        if (!error) return;
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            agent_log()->error("watching a subprocess container failed: {}", e.what());
        } catch (...) {
            agent_log()->error("watching a subprocess container failed with a non-standard exception");
        }
    });
    agent_log()->info("{} started", state->describe());
    co_return handle;
}

}  // namespace mas::agent
