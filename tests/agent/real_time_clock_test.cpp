#include "mas/agent/real_time_clock.hpp"

#include <chrono>
#include <memory>

#include <asio/co_spawn.hpp>
#include <asio/this_coro.hpp>
#include <catch2/catch.hpp>

#include "agent/sleepers.hpp"
#include "support/run.hpp"
#include "support/run_advancing.hpp"

using mas::agent::DateTime;
using mas::agent::RealTimeClock;
using mas::test::Log;
using namespace std::chrono_literals;

namespace {

// Starts three sleepers (two with the same deadline) and waits until all are due.
asio::awaitable<void> three_sleepers(RealTimeClock& clock, Log& log) {
    const auto executor = co_await asio::this_coro::executor;
    const double t0 = clock.time();
    asio::co_spawn(executor, mas::test::sleep_and_log(clock, t0 + 0.02, "late", log), mas::test::rethrow);
    asio::co_spawn(executor, mas::test::sleep_and_log(clock, t0 + 0.01, "first", log), mas::test::rethrow);
    asio::co_spawn(executor, mas::test::sleep_and_log(clock, t0 + 0.01, "second", log), mas::test::rethrow);
    co_await clock.sleep_until(t0 + 0.03);
    log.push_back("main");
}

asio::awaitable<void> sleep_for(RealTimeClock& clock, double dt) { co_await clock.sleep(dt); }

asio::awaitable<void> past_and_zero(RealTimeClock& clock, Log& log) {
    co_await clock.sleep_until(clock.time() - 10);
    log.push_back("past");
    co_await clock.sleep(0);
    log.push_back("zero");
}

}  // namespace

TEST_CASE("RealTimeClock counts steady seconds from its construction", "[agent]") {
    asio::io_context io;
    RealTimeClock clock(io.get_executor());
    const double first = clock.time();
    CHECK(first >= 0);
    CHECK(first < 60);  // seconds since construction, not since some epoch
    mas::test::run(io, sleep_for(clock, 0.001));
    CHECK(clock.time() >= first + 0.001 - 1e-6);
    CHECK(clock.executor() == asio::any_io_executor(io.get_executor()));
}

TEST_CASE("RealTimeClock's utcnow is the system time in UTC", "[agent]") {
    asio::io_context io;
    RealTimeClock clock(io.get_executor());
    const auto before = std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
    const DateTime now = clock.utcnow();
    const auto after = std::chrono::system_clock::now();
    CHECK(now.utc_offset() == 0min);
    CHECK(now.utc() >= before);
    CHECK(now.utc() <= after);
}

TEST_CASE("RealTimeClock wakes sleepers in deadline order, and equal deadlines in registration order",
          "[agent]") {
    asio::io_context io;
    RealTimeClock clock(io.get_executor());
    Log log;
    mas::test::run(io, three_sleepers(clock, log));
    CHECK(log == Log{"first", "second", "late", "main"});
    CHECK_FALSE(clock.next_activity());
}

TEST_CASE("RealTimeClock runs due calls in order and never a cancelled one", "[agent]") {
    asio::io_context io;
    RealTimeClock clock(io.get_executor());
    Log log;
    auto one = clock.call_in(0.01, [&log] { log.push_back("one"); });
    auto cancelled = clock.call_in(0.01, [&log] { log.push_back("cancelled"); });
    auto zero = clock.call_in(0.005, [&log] { log.push_back("zero"); });
    cancelled.cancel();
    CHECK(one.pending());
    CHECK_FALSE(cancelled.pending());
    mas::test::run(io, sleep_for(clock, 0.02));
    CHECK(log == Log{"zero", "one"});
    CHECK_FALSE(one.pending());
    CHECK_FALSE(zero.pending());
}

TEST_CASE("RealTimeClock completes a sleep(0) or a sleep until a past time without error", "[agent]") {
    asio::io_context io;
    RealTimeClock clock(io.get_executor());
    Log log;
    mas::test::run(io, past_and_zero(clock, log));
    CHECK(log == Log{"past", "zero"});
}

TEST_CASE("RealTimeClock wakes an earlier sleeper registered after a later one", "[agent]") {
    Log log;  // outlives the clock and the io_context, which still hold the sleeper
    asio::io_context io;
    RealTimeClock clock(io.get_executor());
    // The timer first waits an hour for "late", then must be re-armed for "soon".
    asio::co_spawn(io, mas::test::sleep_and_log(clock, clock.time() + 3600, "late", log), mas::test::ignore);
    mas::test::poll(io);
    auto soon = clock.call_in(0.001, [&log] { log.push_back("soon"); });
    mas::test::run(io, sleep_for(clock, 0.01));
    CHECK(log == Log{"soon"});
    CHECK(clock.next_activity() > clock.time() + 3000);
}

TEST_CASE("RealTimeClock dates a sleep through the system clock", "[agent]") {
    asio::io_context io;
    RealTimeClock clock(io.get_executor());
    const double t0 = clock.time();
    mas::test::run(io, clock.sleep_until(clock.utcnow().shift_seconds(0.005)));
    CHECK(clock.time() > t0);
}
