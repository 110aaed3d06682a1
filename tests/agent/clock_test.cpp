#include "mas/agent/clock.hpp"

#include <limits>
#include <memory>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/error.hpp>
#include <catch2/catch.hpp>

#include "agent/sleepers.hpp"
#include "mas/agent/external_clock.hpp"
#include "mas/agent/real_time_clock.hpp"
#include "mas/core/with_timeout.hpp"
#include "support/run.hpp"
#include "support/run_advancing.hpp"

using mas::agent::Clock;
using mas::agent::DateTime;
using mas::agent::ExternalClock;
using mas::agent::RealTimeClock;
using mas::agent::TimerHandle;
using mas::test::Log;
using namespace std::chrono_literals;

namespace {

// How a test drives each kind of clock: an ExternalClock jumps to its next activity whenever
// the io_context is idle, a RealTimeClock just runs.
template <class C>
struct Harness;

template <>
struct Harness<ExternalClock> {
    static std::unique_ptr<ExternalClock> make(asio::io_context& io) {
        return std::make_unique<ExternalClock>(io.get_executor(), mas::test::test_start());
    }
    template <class T>
    static T run(asio::io_context& io, ExternalClock& clock, asio::awaitable<T> op) {
        return mas::test::run_advancing(io, clock, std::move(op));
    }
};

template <>
struct Harness<RealTimeClock> {
    static std::unique_ptr<RealTimeClock> make(asio::io_context& io) {
        return std::make_unique<RealTimeClock>(io.get_executor());
    }
    template <class T>
    static T run(asio::io_context& io, RealTimeClock&, asio::awaitable<T> op) {
        return mas::test::run(io, std::move(op));
    }
};

// Agent code: it only knows Clock. Waits are ~10 ms apart so that a real clock keeps the order.
asio::awaitable<Log> agent_routine(Clock& clock) {
    auto log = std::make_shared<Log>();
    auto call = clock.call_in(0.02, [log] { log->push_back("call"); });
    auto dropped = clock.call_in(0.01, [log] { log->push_back("cancelled call"); });
    dropped.cancel();
    const double t0 = clock.time();
    co_await clock.sleep(0.01);
    log->push_back("slept");
    co_await clock.sleep_until(t0 + 0.03);
    log->push_back("woke");
    const bool on_time = clock.time() >= t0 + 0.03 - 1e-6;
    const DateTime when = clock.utcnow().shift_seconds(0.01);
    co_await clock.sleep_until(when);
    log->push_back("date");
    log->push_back(on_time ? "on time" : "early");
    log->push_back(call.pending() ? "call pending" : "call done");
    co_return *log;
}

asio::awaitable<double> wait_for_a_while(Clock& clock) {
    const double t0 = clock.time();
    co_await clock.sleep(0.01);
    co_return clock.time() - t0;
}

}  // namespace

TEMPLATE_TEST_CASE("Agent code written against Clock runs unchanged under each clock", "[agent]", ExternalClock,
                   RealTimeClock) {
    asio::io_context io;
    auto clock = Harness<TestType>::make(io);
    const Log log = Harness<TestType>::run(io, *clock, agent_routine(*clock));
    CHECK(log == Log{"slept", "call", "woke", "date", "on time", "call done"});
    CHECK(Harness<TestType>::run(io, *clock, wait_for_a_while(*clock)) >= 0.01 - 1e-6);
    CHECK_FALSE(clock->next_activity());
}

TEMPLATE_TEST_CASE("Every clock rejects negative and non-finite waits with mas::Error", "[agent]", ExternalClock,
                   RealTimeClock) {
    asio::io_context io;
    auto clock = Harness<TestType>::make(io);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(clock->sleep(-0.001), mas::Error);
    CHECK_THROWS_AS(clock->sleep(std::numeric_limits<double>::infinity()), mas::Error);
    CHECK_THROWS_AS(clock->call_in(-1, [] {}), mas::Error);
    CHECK_THROWS_AS(clock->call_at(nan, [] {}), mas::Error);
    CHECK_THROWS_AS(mas::test::run(io, clock->sleep_until(nan)), mas::Error);
    CHECK_FALSE(clock->next_activity());
}

TEMPLATE_TEST_CASE("A clock's next_activity is its earliest pending sleeper or call", "[agent]", ExternalClock,
                   RealTimeClock) {
    asio::io_context io;
    auto clock = Harness<TestType>::make(io);
    CHECK_FALSE(clock->next_activity());
    const double now = clock->time();
    auto late = clock->call_at(now + 3000, [] {});
    auto early = clock->call_at(now + 1000, [] {});
    CHECK(clock->next_activity() == now + 1000);

    asio::cancellation_signal signal;
    asio::co_spawn(io, clock->sleep_until(now + 500), asio::bind_cancellation_slot(signal.slot(), mas::test::ignore));
    mas::test::poll(io);
    CHECK(clock->next_activity() == now + 500);
    signal.emit(asio::cancellation_type::terminal);
    CHECK(clock->next_activity() == now + 1000);
    early.cancel();
    CHECK(clock->next_activity() == now + 3000);
    late.cancel();
    CHECK_FALSE(clock->next_activity());
    // Nothing pending: the io_context runs out of work instead of waiting for the cancelled calls.
    io.restart();
    io.run_for(mas::test::hang_guard);
    CHECK(io.stopped());
}

TEMPLATE_TEST_CASE("with_timeout cancels a clock's sleep, and the sleeper sees operation_aborted and is gone",
                   "[agent]", ExternalClock, RealTimeClock) {
    asio::io_context io;
    auto clock = Harness<TestType>::make(io);
    mas::test::SleeperState state;
    CHECK_THROWS_AS(mas::test::run(io, mas::with_timeout(mas::test::watched_sleep(*clock, 3600, state), 10ms, "nap")),
                    mas::Timeout);
    CHECK(state.error == std::error_code(asio::error::operation_aborted));
    CHECK(state.frame_destroyed);
    CHECK_FALSE(clock->next_activity());
}

TEMPLATE_TEST_CASE("Destroying a clock aborts its pending sleepers and drops its calls", "[agent]", ExternalClock,
                   RealTimeClock) {
    asio::io_context io;
    auto clock = Harness<TestType>::make(io);
    mas::test::SleeperState state;
    bool called = false;
    asio::co_spawn(io, mas::test::watched_sleep(*clock, 3600, state), mas::test::ignore);
    auto call = clock->call_in(3600, [&called] { called = true; });
    mas::test::poll(io);
    REQUIRE(call.pending());
    clock.reset();
    CHECK_FALSE(call.pending());
    call.cancel();  // harmless after the clock is gone
    mas::test::poll(io);
    CHECK(state.error == std::error_code(asio::error::operation_aborted));
    CHECK(state.frame_destroyed);
    CHECK_FALSE(called);
}

TEMPLATE_TEST_CASE("A clock converts dates to its time through utcnow", "[agent]", ExternalClock, RealTimeClock) {
    asio::io_context io;
    auto clock = Harness<TestType>::make(io);
    const DateTime now = clock->utcnow();
    CHECK(now.utc_offset() == 0min);
    // Both readings move on a real clock, so allow for the time between them.
    CHECK(clock->time_of(now.shift_seconds(60)) - clock->time() == Approx(60).margin(1));
    CHECK(clock->time_of(now.shift_seconds(-60)) < clock->time());
}

TEST_CASE("A default TimerHandle refers to no call", "[agent]") {
    TimerHandle handle;
    CHECK_FALSE(handle.pending());
    handle.cancel();
    CHECK_FALSE(handle.pending());
}
