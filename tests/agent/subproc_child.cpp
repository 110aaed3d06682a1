// mas-test-subproc-child: the subprocess container program of subprocess_test.cpp. Its main is
// run_manager with these factories:
//   Callee()                          add(a, b), spam(times), now(), utcnow(), nap_until(t), block()
//   Counter(start, label, step=None)  describe()
//   Crasher()                         crash(): exit code 3 at once; die_by_signal(): SIGKILL itself
//   Spawner(executable)               start_child(): starts a subprocess container, returns its pid;
//                                     die(): exit code 4 at once, leaving that child behind
// An argument `--child-mode=<mode>` (anywhere; removed before run_manager parses the rest)
// makes it misbehave instead: `never-ready` prints nothing, `garbage` prints a line that is not
// the ready line; both then wait until stdin ends (that is, until the parent is gone).

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mas/agent/agent.hpp"
#include "mas/agent/agent_factories.hpp"
#include "mas/agent/clock.hpp"
#include "mas/agent/container.hpp"
#include "mas/agent/manager.hpp"
#include "mas/agent/subprocess_container.hpp"

namespace {

using namespace mas::agent;

// Blocks the whole process until stdin reports end-of-file or hang-up (the parent holds the only
// write end), then exits: a hung child that still cannot outlive its parent.
[[noreturn]] void block_until_stdin_ends(int exit_code) {
    for (;;) {
        pollfd fd{STDIN_FILENO, POLLIN, 0};
        if (::poll(&fd, 1, -1) < 0) continue;
        if ((fd.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) std::_Exit(exit_code);
        std::array<char, 256> buffer{};
        if (::read(STDIN_FILENO, buffer.data(), buffer.size()) == 0) std::_Exit(exit_code);
    }
}

class Callee : public Agent {
public:
    explicit Callee(Container& c) : Agent(c) {
        expose("add", &Callee::add, {"a", "b"});
        expose("spam", &Callee::spam, {"times"});
        expose("now", &Callee::now);
        expose("utcnow", &Callee::utcnow);
        expose("nap_until", &Callee::nap_until, {"t"});
        expose("block", &Callee::block);
    }
    int add(int a, int b) { return a + b; }
    std::string spam(int times) {
        std::string out;
        for (int i = 0; i < times; ++i) out += "spam";
        return out;
    }
    double now() { return clock().time(); }
    std::string utcnow() { return clock().utcnow().to_string(); }
    asio::awaitable<double> nap_until(double t) {
        co_await clock().sleep_until(t);
        co_return clock().time();
    }
    void block() { block_until_stdin_ends(5); }
};

class Counter : public Agent {
public:
    Counter(Container& c, int start, std::string label, std::optional<int> step)
        : Agent(c), start_(start), label_(std::move(label)), step_(step.value_or(1)) {
        expose("describe", &Counter::describe);
    }
    std::string describe() { return label_ + ":" + std::to_string(start_) + "+" + std::to_string(step_); }

private:
    int start_;
    std::string label_;
    int step_;
};

class Crasher : public Agent {
public:
    explicit Crasher(Container& c) : Agent(c) {
        expose("crash", &Crasher::crash);
        expose("die_by_signal", &Crasher::die_by_signal);
    }
    void crash() { std::_Exit(3); }
    void die_by_signal() { ::raise(SIGKILL); }
};

class Spawner : public Agent {
public:
    Spawner(Container& c, std::string executable) : Agent(c), executable_(std::move(executable)) {
        expose("start_child", &Spawner::start_child);
        expose("die", &Spawner::die);
    }
    asio::awaitable<int> start_child() {
        auto starting = start_subprocess_container(container(), executable_, SubprocessOptions());
        child_ = co_await std::move(starting);
        co_return static_cast<int>(child_.pid());
    }
    void die() { std::_Exit(4); }

private:
    std::string executable_;
    SubprocessContainer child_;
};

}  // namespace

int main(int argc, char** argv) {
    std::vector<char*> args;
    std::string mode;
    for (int i = 0; i < argc; ++i) {
        const std::string_view arg(argv[i]);
        if (arg.starts_with("--child-mode=")) {
            mode = arg.substr(arg.find('=') + 1);
        } else {
            args.push_back(argv[i]);
        }
    }
    if (mode == "never-ready") block_until_stdin_ends(0);
    if (mode == "garbage") {
        std::puts("hello, I am not ready");
        std::fflush(stdout);
        block_until_stdin_ends(0);
    }
    AgentFactories factories;
    factories.add<Callee>("Callee")
        .add<Counter, int, std::string, std::optional<int>>("Counter", {"start", "label", "step"})
        .add<Crasher>("Crasher")
        .add<Spawner, std::string>("Spawner", {"executable"});
    args.push_back(nullptr);
    return run_manager(static_cast<int>(args.size()) - 1, args.data(), factories);
}
