#include "mas/agent/external_clock.hpp"

#include <limits>
#include <memory>
#include <stdexcept>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/error.hpp>
#include <catch2/catch.hpp>

#include "agent/sleepers.hpp"
#include "mas/core/with_timeout.hpp"
#include "support/run.hpp"
#include "support/run_advancing.hpp"

using Catch::Contains;
using mas::agent::DateTime;
using mas::agent::ExternalClock;
using mas::agent::TimerHandle;
using mas::test::Log;
using namespace std::chrono_literals;

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
constexpr double infinite = std::numeric_limits<double>::infinity();

struct Fixture {
    asio::io_context io;
    ExternalClock clock{io.get_executor(), mas::test::test_start()};
    Log log;

    void spawn_sleeper(double t, std::string name) {
        asio::co_spawn(io, mas::test::sleep_and_log(clock, t, std::move(name), log), mas::test::rethrow);
    }
    std::function<void()> logger(std::string name) {
        return [this, name = std::move(name)] { log.push_back(name); };
    }
    void poll() { mas::test::poll(io); }
};

asio::awaitable<void> sleep_in_the_past(ExternalClock& clock, Log& log) {
    co_await clock.sleep(0);
    log.push_back("sleep(0)");
    co_await clock.sleep_until(clock.time() - 2);
    log.push_back("past");
    co_await clock.sleep_until(clock.time());
    log.push_back("now");
}

}  // namespace

TEST_CASE("ExternalClock starts at init_time and dates it utc_start shifted by the time, as aiomas does",
          "[agent]") {
    asio::io_context io;
    ExternalClock clock(io.get_executor(), DateTime::parse("2016-01-01T01:00:00+01:00"), 10);
    CHECK(clock.time() == 10);
    CHECK(clock.utc_start().to_string() == "2016-01-01T00:00:00+00:00");
    CHECK(clock.utcnow().to_string() == "2016-01-01T00:00:10+00:00");
    clock.set_time(70.5);
    CHECK(clock.utcnow().to_string() == "2016-01-01T00:01:10.500000+00:00");
    CHECK(clock.executor() == asio::any_io_executor(io.get_executor()));
    CHECK_THROWS_AS(ExternalClock(io.get_executor(), DateTime(), not_a_number), mas::Error);
}

TEST_CASE("ExternalClock wakes sleepers in time order, and equal times in registration order", "[agent]") {
    Fixture f;
    f.spawn_sleeper(3, "a");
    f.spawn_sleeper(1, "b");
    f.spawn_sleeper(2, "c");
    f.spawn_sleeper(2, "d");
    f.spawn_sleeper(1, "e");
    f.poll();
    CHECK(f.log.empty());
    CHECK(f.clock.next_activity() == 1);

    f.clock.set_time(5);
    CHECK(f.log.empty());  // resumed through the executor, not inside set_time
    f.poll();
    CHECK(f.log == Log{"b", "e", "c", "d", "a"});
    CHECK_FALSE(f.clock.next_activity());
}

TEST_CASE("ExternalClock wakes only what is due and reports the next activity", "[agent]") {
    Fixture f;
    CHECK_FALSE(f.clock.next_activity());
    f.spawn_sleeper(5, "five");
    f.spawn_sleeper(1, "one");
    f.spawn_sleeper(2, "two");
    f.poll();
    f.clock.set_time(2);
    f.poll();
    CHECK(f.log == Log{"one", "two"});
    CHECK(f.clock.next_activity() == 5);
    f.clock.set_time(4.999);
    f.poll();
    CHECK(f.log.size() == 2);
    f.clock.set_time(5);
    f.poll();
    CHECK(f.log == Log{"one", "two", "five"});
    CHECK_FALSE(f.clock.next_activity());
}

TEST_CASE("ExternalClock runs calls and sleepers of one time in registration order", "[agent]") {
    Fixture f;
    auto c1 = f.clock.call_at(2, f.logger("call 2a"));
    f.spawn_sleeper(2, "sleeper 2");
    f.poll();  // the sleeper registers when its coroutine runs
    auto c0 = f.clock.call_at(1, f.logger("call 1"));
    auto c2 = f.clock.call_in(2, f.logger("call 2b"));
    auto c3 = f.clock.call_at(3, f.logger("call 3"));
    f.clock.set_time(2);
    CHECK(f.log.empty());
    f.poll();
    CHECK(f.log == Log{"call 1", "call 2a", "sleeper 2", "call 2b"});
    CHECK(c3.pending());
    CHECK(f.clock.next_activity() == 3);
}

TEST_CASE("ExternalClock::set_time refuses to go backwards, naming both times, and changes nothing", "[agent]") {
    Fixture f;
    f.clock.set_time(5);
    f.spawn_sleeper(7, "seven");
    f.poll();
    CHECK_THROWS_WITH(f.clock.set_time(4.5), Contains("4.5 is before the current time 5"));
    CHECK_THROWS_AS(f.clock.set_time(4.5), mas::Error);
    CHECK(f.clock.time() == 5);
    CHECK(f.clock.next_activity() == 7);
    CHECK_NOTHROW(f.clock.set_time(5));  // the same time again is allowed
    CHECK_THROWS_AS(f.clock.set_time(not_a_number), mas::Error);
    CHECK_THROWS_AS(f.clock.set_time(infinite), mas::Error);
    CHECK(f.clock.time() == 5);
    f.poll();
    CHECK(f.log.empty());
}

TEST_CASE("ExternalClock completes a sleep(0) or a sleep until a past time without moving", "[agent]") {
    Fixture f;
    f.clock.set_time(5);
    asio::co_spawn(f.io, sleep_in_the_past(f.clock, f.log), mas::test::rethrow);
    f.poll();
    CHECK(f.log == Log{"sleep(0)", "past", "now"});
    CHECK(f.clock.time() == 5);
}

TEST_CASE("ExternalClock rejects negative and non-finite times with mas::Error", "[agent]") {
    Fixture f;
    CHECK_THROWS_WITH(f.clock.sleep(-1), Contains("ExternalClock::sleep: the delay must be a finite number >= 0"));
    CHECK_THROWS_AS(f.clock.sleep(not_a_number), mas::Error);
    CHECK_THROWS_AS(f.clock.call_in(-0.5, [] {}), mas::Error);
    CHECK_THROWS_AS(f.clock.call_at(infinite, [] {}), mas::Error);
    CHECK_THROWS_WITH(f.clock.call_at(1, {}), Contains("empty"));
    CHECK_THROWS_AS(mas::test::run_advancing(f.io, f.clock, f.clock.sleep_until(not_a_number)), mas::Error);
    CHECK_FALSE(f.clock.next_activity());
}

TEST_CASE("ExternalClock's call_in runs at time() + dt and stays pending until it has run", "[agent]") {
    Fixture f;
    f.clock.set_time(1);
    auto handle = f.clock.call_in(2, f.logger("call"));
    CHECK(handle.pending());
    CHECK(f.clock.next_activity() == 3);
    f.clock.set_time(3);
    CHECK(handle.pending());  // due and queued, not yet run
    f.poll();
    CHECK(f.log == Log{"call"});
    CHECK_FALSE(handle.pending());
    handle.cancel();  // after the fact: nothing happens
}

TEST_CASE("A cancelled call never runs, even when it is already due and queued", "[agent]") {
    Fixture f;
    auto first = f.clock.call_at(1, f.logger("first"));
    auto second = f.clock.call_at(2, f.logger("second"));
    auto kept = f.clock.call_at(2, f.logger("kept"));
    first.cancel();
    CHECK_FALSE(first.pending());
    CHECK(f.clock.next_activity() == 2);  // cancelled calls leave the queue at once
    first.cancel();                        // idempotent

    f.clock.set_time(5);
    TimerHandle copy = second;
    copy.cancel();  // copies share the call
    CHECK_FALSE(second.pending());
    f.poll();
    CHECK(f.log == Log{"kept"});
}

TEST_CASE("A call may schedule more work: what is already due runs without another set_time", "[agent]") {
    Fixture f;
    auto handle = f.clock.call_at(1, [&f] {
        f.log.push_back("outer");
        f.clock.call_in(0, f.logger("now"));
        f.clock.call_at(0.5, f.logger("past"));
        f.clock.call_in(1, f.logger("later"));
    });
    f.clock.set_time(1);
    f.poll();
    CHECK(f.log == Log{"outer", "now", "past"});
    CHECK(f.clock.next_activity() == 2);
}

TEST_CASE("A call that throws is logged and the clock goes on", "[agent]") {
    Fixture f;
    auto bad = f.clock.call_at(1, [] { throw std::runtime_error("call failed on purpose"); });
    auto good = f.clock.call_at(1, f.logger("good"));
    f.clock.set_time(1);
    CHECK_NOTHROW(f.poll());
    CHECK(f.log == Log{"good"});
}

TEST_CASE("ExternalClock sleeps and calls until dates, converted through utcnow", "[agent]") {
    asio::io_context io;
    const auto start = mas::test::test_start();
    ExternalClock clock(io.get_executor(), start, 100);  // utcnow() == start + 100 s
    Log log;
    asio::co_spawn(io, clock.sleep_until(start.shift_seconds(130)), mas::test::rethrow);
    auto call = clock.call_at(start + 110s, [&log] { log.push_back("call"); });
    mas::test::poll(io);
    CHECK(clock.next_activity() == 110);
    CHECK(clock.time_of(start + 130s) == 130);
    clock.set_time(110);
    mas::test::poll(io);
    CHECK(log == Log{"call"});
    CHECK(clock.next_activity() == 130);
    clock.set_time(130);
    mas::test::poll(io);
    CHECK_FALSE(clock.next_activity());
    // A date already passed is due at once.
    mas::test::run_advancing(io, clock, clock.sleep_until(start));
    CHECK(clock.time() == 130);
}

TEST_CASE("with_timeout cancels a sleep on a clock that never moves, and the sleeper sees operation_aborted",
          "[agent]") {
    Fixture f;
    mas::test::SleeperState state;
    CHECK_THROWS_AS(mas::test::run(f.io, mas::with_timeout(mas::test::watched_sleep(f.clock, 10, state), 10ms, "nap")),
                    mas::Timeout);
    CHECK(state.error == std::error_code(asio::error::operation_aborted));
    CHECK_FALSE(state.woke);
    CHECK_FALSE(f.clock.next_activity());  // the sleeper left the queue
    f.clock.set_time(20);
    f.poll();
    CHECK_FALSE(state.woke);
}

TEST_CASE("A cancellation signal removes a sleeper at once", "[agent]") {
    Fixture f;
    mas::test::SleeperState state;
    asio::cancellation_signal signal;
    asio::co_spawn(f.io, mas::test::watched_sleep(f.clock, 10, state),
                   asio::bind_cancellation_slot(signal.slot(), mas::test::ignore));
    f.poll();
    CHECK(f.clock.next_activity() == 10);
    signal.emit(asio::cancellation_type::terminal);
    CHECK_FALSE(f.clock.next_activity());
    f.poll();
    CHECK(state.error == std::error_code(asio::error::operation_aborted));
    CHECK(state.frame_destroyed);
}

TEST_CASE("Sleepers still pending when the io_context is destroyed are freed", "[agent]") {
    mas::test::SleeperState state;
    auto io = std::make_unique<asio::io_context>();
    ExternalClock clock(io->get_executor(), mas::test::test_start());  // outlives the io_context
    asio::co_spawn(*io, mas::test::watched_sleep(clock, 10, state), mas::test::ignore);
    mas::test::poll(*io);
    REQUIRE(clock.next_activity() == 10);
    CHECK_FALSE(state.frame_destroyed);
    io.reset();
    CHECK(state.frame_destroyed);
    CHECK_FALSE(state.woke);
}

TEST_CASE("Destroying an ExternalClock aborts its sleepers, even if they never run again", "[agent]") {
    mas::test::SleeperState state;
    {
        asio::io_context io;
        auto clock = std::make_unique<ExternalClock>(io.get_executor(), mas::test::test_start());
        asio::co_spawn(io, mas::test::watched_sleep(*clock, 10, state), mas::test::ignore);
        mas::test::poll(io);
        clock.reset();
        CHECK_FALSE(state.frame_destroyed);  // the abort is posted, as every completion is
    }
    CHECK(state.frame_destroyed);
    CHECK_FALSE(state.woke);
}
