#include "mas/agent/activity.hpp"

#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include "mas/agent/agent.hpp"
#include "mas/agent/container.hpp"
#include "mas/agent/external_clock.hpp"
#include "mas/core/error.hpp"
#include "mas/rpc/proxy.hpp"
#include "support/run.hpp"

using namespace mas;
using namespace mas::agent;

namespace {

std::unique_ptr<Container> make_container(asio::io_context& io, std::shared_ptr<ExternalClock>& clock) {
    clock = std::make_shared<ExternalClock>(io.get_executor(), DateTime::parse("2016-01-01T00:00:00+00:00"));
    ContainerOptions options;
    options.clock = clock;
    return test::run(io, Container::create("tcp://127.0.0.1:0", options));
}

// Does some steps of work, each yielding to the executor, so that a driver that does not wait
// for it sees an unfinished log.
asio::awaitable<void> work(std::vector<std::string>& log, std::string what) {
    for (int i = 0; i < 3; ++i) co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    log.push_back(std::move(what));
}

class Worker : public Agent {
public:
    explicit Worker(Container& c) : Agent(c) {
        expose("slow_echo", &Worker::slow_echo, {"text"});
        expose("nap_echo", &Worker::nap_echo, {"seconds", "text"});
    }
    asio::awaitable<std::string> slow_echo(std::string text) {
        std::vector<std::string> ignored;
        co_await work(ignored, "");
        co_return text;
    }
    asio::awaitable<std::string> nap_echo(double seconds, std::string text) {
        co_await clock().sleep(seconds);
        co_return text;
    }
    std::vector<std::string> log;
};

}  // namespace

TEST_CASE("A container is idle once its agents' tasks are done or asleep on the clock", "[agent]") {
    asio::io_context io;
    std::shared_ptr<ExternalClock> clock;
    auto container = make_container(io, clock);
    auto& worker = container->spawn<Worker>();
    worker.start([](Worker& w) -> asio::awaitable<void> {
        co_await work(w.log, "first");
        co_await w.clock().sleep(10);
        co_await work(w.log, "after sleep");
    }(worker));
    CHECK_FALSE(container->activity().idle());
    test::run(io, container->activity().wait_idle());
    CHECK(worker.log == std::vector<std::string>{"first"});
    CHECK(container->activity().idle());

    clock->set_time(10);
    CHECK_FALSE(container->activity().idle());  // the woken sleeper counts at once
    test::run(io, container->activity().wait_idle());
    CHECK(worker.log == std::vector<std::string>{"first", "after sleep"});
    CHECK(container->activity().count() == 0);
}

TEST_CASE("A task waiting for another container's reply keeps its container busy", "[agent]") {
    asio::io_context io;
    std::shared_ptr<ExternalClock> clock_a;
    std::shared_ptr<ExternalClock> clock_b;
    auto a = make_container(io, clock_a);
    auto b = make_container(io, clock_b);
    auto& caller = a->spawn<Worker>();
    auto& callee = b->spawn<Worker>();
    caller.start([](Worker& w, std::string url) -> asio::awaitable<void> {
        auto proxy = co_await w.container().connect(url);
        auto reply = co_await proxy["slow_echo"].call<std::string>("pong");
        w.log.push_back(reply);
    }(caller, callee.addr()));
    test::run(io, a->activity().wait_idle());
    CHECK(caller.log == std::vector<std::string>{"pong"});
}

TEST_CASE("A due call counts as busy until it has run, and what it starts counts too", "[agent]") {
    asio::io_context io;
    std::shared_ptr<ExternalClock> clock;
    auto container = make_container(io, clock);
    auto& worker = container->spawn<Worker>();
    auto handle = clock->call_at(5, [&worker] { worker.start(work(worker.log, "called")); });
    test::run(io, container->activity().wait_idle());
    CHECK(worker.log.empty());
    clock->set_time(5);
    test::run(io, container->activity().wait_idle());
    CHECK(worker.log == std::vector<std::string>{"called"});
}

TEST_CASE("A request served by a coroutine counts as busy except while it sleeps on the clock", "[agent]") {
    asio::io_context io;
    std::shared_ptr<ExternalClock> clock_a;
    std::shared_ptr<ExternalClock> clock_b;
    auto a = make_container(io, clock_a);
    auto b = make_container(io, clock_b);
    auto& caller = a->spawn<Worker>();
    auto& callee = b->spawn<Worker>();
    caller.start([](Worker& w, std::string url) -> asio::awaitable<void> {
        auto proxy = co_await w.container().connect(url);
        auto reply = co_await proxy["nap_echo"].call<std::string>(3.0, "late");
        w.log.push_back(reply);
    }(caller, callee.addr()));
    // b is idle only once the request arrived and its function sleeps; a stays busy meanwhile.
    test::run(io, [&]() -> asio::awaitable<void> {
        while (clock_b->next_activity() != 3.0) co_await asio::post(io, asio::use_awaitable);
    }());
    CHECK(b->activity().idle());
    CHECK_FALSE(a->activity().idle());
    clock_b->set_time(3);
    CHECK_FALSE(b->activity().idle());
    test::run(io, a->activity().wait_idle());
    CHECK(caller.log == std::vector<std::string>{"late"});
    test::run(io, b->activity().wait_idle());
}

TEST_CASE("Waiting for idle can be cancelled by a timeout", "[agent]") {
    asio::io_context io;
    std::shared_ptr<ExternalClock> clock;
    auto container = make_container(io, clock);
    auto& worker = container->spawn<Worker>();
    asio::steady_timer never(io, asio::steady_timer::time_point::max());
    worker.start([](asio::steady_timer& t) -> asio::awaitable<void> {
        co_await t.async_wait(asio::use_awaitable);  // waits for something other than the clock
    }(never));
    CHECK_THROWS_AS(test::run(io, with_timeout(container->activity().wait_idle(), std::chrono::milliseconds(50),
                                               "waiting for idle")),
                    Timeout);
    never.cancel();
    test::run(io, container->activity().wait_idle());
    CHECK(container->activity().idle());
}
