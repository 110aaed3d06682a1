#include "mas/agent/subprocess_container.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include "mas/agent/container.hpp"
#include "mas/agent/date_time.hpp"
#include "mas/channel/channel.hpp"
#include "mas/core/endpoint.hpp"
#include "mas/core/with_timeout.hpp"
#include "mas/rpc/remote_error.hpp"
#include "support/run.hpp"

using namespace mas;
using namespace mas::agent;
using namespace std::chrono_literals;

namespace {

const std::string child_exe = MAS_SUBPROC_CHILD_EXE;

/// A parent container on its own io_context; children started from it are test processes.
struct Parent {
    Parent() : container(test::run(io, Container::create("tcp://127.0.0.1:0"))) {}

    SubprocessContainer start(SubprocessOptions options = SubprocessOptions()) {
        return test::run(io, start_subprocess_container(*container, child_exe, std::move(options)));
    }
    template <class T>
    T run(asio::awaitable<T> op) {
        return test::run(io, std::move(op));
    }

    asio::io_context io;
    std::unique_ptr<Container> container;
};

SubprocessOptions with_args(std::vector<std::string> args) {
    SubprocessOptions options;
    options.extra_args = std::move(args);
    return options;
}

// True if `pid` is no child of ours any more: it has been reaped (no zombie left).
bool reaped(pid_t pid) { return ::waitpid(pid, nullptr, WNOHANG) == -1 && errno == ECHILD; }

// True if this process has no children at all, running or zombie.
bool no_children() { return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD; }

std::string remote_summary(const std::function<void()>& call) {
    try {
        call();
    } catch (const rpc::RemoteError& e) {
        return e.summary();
    }
    FAIL("no RemoteError");
    return {};
}

}  // namespace

TEST_CASE("A subprocess container spawns agents by factory name and they answer calls", "[agent]") {
    Parent p;
    auto child = p.start();
    const auto pid = child.pid();
    CHECK(pid > 0);
    CHECK_THAT(child.addr(), Catch::StartsWith("tcp://127.0.0.1:"));
    CHECK_FALSE(child.exited());

    auto callee = p.run(child.spawn("Callee"));
    CHECK(callee.path() == "agents/1");  // the Manager is agent 0
    CHECK(p.run(callee["add"].call<int>(1, 2)) == 3);
    CHECK(p.run(callee["spam"].call<std::string>(2)) == "spamspam");

    auto counter = p.run(child.spawn("Counter", 5, rpc::kw("label", "n")));
    CHECK(p.run(counter["describe"].call<std::string>()) == "n:5+1");
    auto stepped = p.run(child.spawn("Counter", 7, "s", 3));
    CHECK(p.run(stepped["describe"].call<std::string>()) == "s:7+3");

    // On the wire, as aiomas' subproc Manager: spawn(qualname, *args, **kwargs) -> (proxy, address).
    const Json reply = p.run(child.manager()["spawn"]("Counter", 1, rpc::kw("label", "w")));
    REQUIRE(reply.is_array());
    REQUIRE(reply.size() == 2);
    CHECK(reply[0].is_custom());
    CHECK(rpc::Proxy::from_json(reply[0], child.manager().connection()).path() == "agents/4");
    CHECK(reply[1] == Json(child.addr() + "/4"));
    CHECK_THAT(remote_summary([&] { p.run(child.manager()["spawn"]()); }),
               Catch::Contains("Manager.spawn() missing 1 required positional argument: 'qualname'"));

    const auto status = p.run(child.stop());
    CHECK(status.success());
    CHECK(child.exited() == status);
    CHECK(reaped(pid));
    CHECK(p.run(child.stop()) == status);  // stopping again just reports the status
}

TEST_CASE("set_time moves the child's ExternalClock and wakes its sleeping agents", "[agent]") {
    Parent p;
    SubprocessOptions options;
    options.utc_start = DateTime::parse("2016-01-01T00:00:00+00:00");
    options.init_time = 5;
    auto child = p.start(options);
    auto callee = p.run(child.spawn("Callee"));
    CHECK(p.run(callee["now"].call<double>()) == 5.0);
    CHECK(p.run(callee["utcnow"].call<std::string>()) == "2016-01-01T00:00:05+00:00");

    // The nap may reach the child before or after the time is set; sleep_until returns either way.
    auto woke_at = p.run([&]() -> asio::awaitable<double> {
        using namespace asio::experimental::awaitable_operators;
        auto nap = callee["nap_until"].call<double>(42.0);
        auto set = child.set_time(42);
        co_return co_await (std::move(nap) && std::move(set));
    }());
    CHECK(woke_at == 42.0);
    CHECK(p.run(callee["now"].call<double>()) == 42.0);
    CHECK(p.run(callee["utcnow"].call<std::string>()) == "2016-01-01T00:00:42+00:00");

    CHECK_THROWS_AS(p.run(child.set_time(10)), rpc::RemoteError);  // never backwards
    CHECK(p.run(callee["now"].call<double>()) == 42.0);
    CHECK(p.run(child.stop()).success());
}

TEST_CASE("set_time on a child with a real-time clock fails", "[agent]") {
    Parent p;
    SubprocessOptions options;
    options.clock = ClockKind::real;
    auto child = p.start(options);
    const auto summary = remote_summary([&] { p.run(child.set_time(1)); });
    CHECK_THAT(summary, Catch::Contains("set_time needs an ExternalClock") && Catch::Contains("RealTimeClock"));
    CHECK(p.run(child.stop()).success());
}

TEST_CASE("Spawning with an unknown factory name fails with a LookupError naming the known ones", "[agent]") {
    Parent p;
    auto child = p.start();
    const auto summary = remote_summary([&] { p.run(child.spawn("Nope")); });
    CHECK(summary ==
          "LookupError: No agent factory \"Nope\"; known factories: \"Callee\", \"Counter\", \"Crasher\", \"Spawner\"");
    CHECK(p.run(child.stop()).success());
}

TEST_CASE("Constructor arguments that do not fit fail with a TypeError", "[agent]") {
    Parent p;
    auto child = p.start();
    CHECK_THAT(remote_summary([&] { p.run(child.spawn("Counter", "five", "n")); }),
               Catch::StartsWith("TypeError: Counter() argument 'start': "));
    CHECK(remote_summary([&] { p.run(child.spawn("Counter", 5)); }) ==
          "TypeError: Counter() missing 1 required positional argument: 'label'");
    CHECK(remote_summary([&] { p.run(child.spawn("Counter", 5, "n", rpc::kw("colour", "red"))); }) ==
          "TypeError: Counter() got an unexpected keyword argument 'colour'");
    CHECK(remote_summary([&] { p.run(child.spawn("Callee", 1)); }) ==
          "TypeError: Callee() takes 0 positional arguments but 1 was given");
    // The child keeps serving after rejected spawns.
    auto callee = p.run(child.spawn("Callee"));
    CHECK(p.run(callee["add"].call<int>(2, 2)) == 4);
    CHECK(p.run(child.stop()).success());
}

TEST_CASE("A crashing child fails pending calls and reports its exit status", "[agent]") {
    Parent p;
    auto child = p.start();
    const auto pid = child.pid();
    auto callee = p.run(child.spawn("Callee"));
    auto crasher = p.run(child.spawn("Crasher"));
    std::optional<ExitStatus> reported;
    child.on_exit([&](ExitStatus status) { reported = status; });

    CHECK_THROWS_AS(p.run(crasher["crash"]()), ConnectionError);
    const auto status = p.run(child.wait_exit());
    CHECK(status == ExitStatus(true, 3));
    CHECK(status.to_string() == "exit code 3");
    CHECK(reported == status);
    CHECK(child.exited() == status);
    CHECK(reaped(pid));
    CHECK_THROWS_AS(p.run(callee["add"](1, 2)), ConnectionError);
    CHECK_THROWS_AS(p.run(child.spawn("Callee")), ConnectionError);
    CHECK(p.run(child.stop()) == status);

    std::optional<ExitStatus> late;
    child.on_exit([&](ExitStatus s) { late = s; });  // after the exit: posted, not inline
    CHECK_FALSE(late);
    p.io.restart();
    p.io.poll();
    CHECK(late == status);
}

TEST_CASE("A child killed by a signal reports the signal", "[agent]") {
    Parent p;
    auto child = p.start();
    auto crasher = p.run(child.spawn("Crasher"));
    CHECK_THROWS_AS(p.run(crasher["die_by_signal"]()), ConnectionError);
    const auto status = p.run(child.wait_exit());
    CHECK(status == ExitStatus(false, SIGKILL));
    CHECK_THAT(status.to_string(), Catch::StartsWith("signal 9"));
}

TEST_CASE("A child that does not exit after stop() is killed", "[agent]") {
    Parent p;
    SubprocessOptions options;
    options.stop_timeout = 300ms;  // the behaviour under test, not a synchronisation
    auto child = p.start(options);
    auto callee = p.run(child.spawn("Callee"));
    // A cancelled wait for the exit leaves the child alone.
    CHECK_THROWS_AS(p.run(with_timeout(child.wait_exit(), 10ms, "wait_exit")), Timeout);
    CHECK_FALSE(child.exited());

    const auto status = p.run([&]() -> asio::awaitable<ExitStatus> {
        // block() hangs the child's only thread, so the stop request behind it gets no reply.
        auto executor = co_await asio::this_coro::executor;
        auto blocking = callee["block"]();
        asio::co_spawn(executor, std::move(blocking), [](std::exception_ptr, Json) {});
        // Handlers run in order: the spawned call has sent its request once this resumes.
        co_await asio::post(executor, asio::use_awaitable);
        co_return co_await child.stop();
    }());
    CHECK(status == ExitStatus(false, SIGKILL));
}

TEST_CASE("Starting a child that cannot run or is not ready fails clearly", "[agent]") {
    Parent p;
    SECTION("no such program") {
        try {
            p.run(start_subprocess_container(*p.container, "/nonexistent/mas-child", SubprocessOptions()));
            FAIL("no exception");
        } catch (const ConnectionError& e) {
            CHECK(e.code() == std::errc::no_such_file_or_directory);
            CHECK_THAT(e.what(), Catch::Contains("/nonexistent/mas-child"));
        }
    }
    SECTION("a child that exits at once") {
        try {
            p.start(with_args({"--no-such-option"}));
            FAIL("no exception");
        } catch (const ConnectionError& e) {
            CHECK_THAT(e.what(), Catch::Contains("exited before it was ready: exit code 2"));
        }
    }
    SECTION("a child that prints something else first") {
        try {
            p.start(with_args({"--child-mode=garbage"}));
            FAIL("no exception");
        } catch (const ProtocolError& e) {
            CHECK_THAT(e.what(), Catch::Contains("printed \"hello, I am not ready\""));
        }
    }
    SECTION("a child that never becomes ready") {
        auto options = with_args({"--child-mode=never-ready"});
        options.startup_timeout = 200ms;  // the behaviour under test, not a synchronisation
        CHECK_THROWS_AS(p.start(options), Timeout);
    }
    CHECK(no_children());  // every failed child has been killed and reaped
}

TEST_CASE("Destroying the last handle kills and reaps a running child", "[agent]") {
    Parent p;
    auto child = p.start();
    const auto pid = child.pid();
    bool called = false;
    child.on_exit([&](ExitStatus) { called = true; });
    {
        auto copy = child;
        child = SubprocessContainer();
        CHECK(::kill(pid, 0) == 0);  // the copy keeps it running
    }
    CHECK(reaped(pid));
    CHECK(::kill(pid, 0) == -1);
    p.io.restart();
    p.io.poll();
    CHECK_FALSE(called);
}

TEST_CASE("A subprocess container exits when its parent process dies", "[agent]") {
    Parent p;
    auto middle = p.start();
    auto spawner = p.run(middle.spawn("Spawner", child_exe));
    const int grandchild = p.run(spawner["start_child"].call<int>());
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, grandchild, 0));
    REQUIRE(pidfd >= 0);

    // The middle process dies without cleaning up; only the kernel closing its end of the
    // grandchild's stdin tells the grandchild.
    CHECK_THROWS_AS(p.run(spawner["die"]()), ConnectionError);
    CHECK(p.run(middle.wait_exit()) == ExitStatus(true, 4));

    pollfd exited{pidfd, POLLIN, 0};
    const auto guard_ms = static_cast<int>(std::chrono::milliseconds(test::hang_guard).count());
    CHECK(::poll(&exited, 1, guard_ms) == 1);  // readable once the grandchild has exited
    ::close(pidfd);
}

TEST_CASE("A child does not inherit the parent's sockets", "[agent]") {
    Parent p;
    auto other = test::run(p.io, Container::create("tcp://127.0.0.1:0"));
    const auto address = other->addr();
    auto child = p.start();
    other.reset();  // closes its listening socket here; a copy in the child would keep it open
    CHECK_THROWS_AS(test::run(p.io, open_connection(Endpoint::parse(address))), ConnectionError);
    CHECK(p.run(child.stop()).success());
}
