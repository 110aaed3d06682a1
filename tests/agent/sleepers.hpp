#pragma once
// Coroutines that sleep on a clock and record what happened to them, for the clock tests.

#include <exception>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include "mas/agent/clock.hpp"

namespace mas::test {

/// Names in the order things happened.
using Log = std::vector<std::string>;

/// The start date of the clocks in these tests.
inline agent::DateTime test_start() { return agent::DateTime::parse("2016-01-01T00:00:00+00:00"); }

/// What a sleeper saw: whether it woke normally, the error it got instead, and whether its
/// coroutine frame has been destroyed.
struct SleeperState {
    SleeperState() noexcept {}
    bool woke = false;
    std::optional<std::error_code> error;
    bool frame_destroyed = false;
};

/// Sets a flag when destroyed, to see a coroutine frame go away.
class FrameWitness {
public:
    explicit FrameWitness(bool& destroyed) : destroyed_(&destroyed) {}
    FrameWitness(const FrameWitness&) = delete;
    FrameWitness& operator=(const FrameWitness&) = delete;
    ~FrameWitness() { *destroyed_ = true; }

private:
    bool* destroyed_;
};

/// Sleeps until `t`, then appends `name` to `log`.
inline asio::awaitable<void> sleep_and_log(agent::Clock& clock, double t, std::string name, Log& log) {
    co_await clock.sleep_until(t);
    log.push_back(std::move(name));
}

/// Sleeps for `dt`, recording in `state` how the sleep ended; rethrows an error.
inline asio::awaitable<void> watched_sleep(agent::Clock& clock, double dt, SleeperState& state) {
    FrameWitness witness(state.frame_destroyed);
    try {
        co_await clock.sleep(dt);
        state.woke = true;
    } catch (const std::system_error& e) {
        state.error = e.code();
        throw;
    }
}

/// A co_spawn completion handler that lets a failure escape io_context::run/poll, so that the
/// test sees it.
inline void rethrow(std::exception_ptr error) {
    if (error) std::rethrow_exception(error);
}

/// A co_spawn completion handler that ignores how the coroutine ended (its test checks that
/// through SleeperState).
inline void ignore(std::exception_ptr) {}

}  // namespace mas::test
