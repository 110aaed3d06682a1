#pragma once
/// \file
/// RealTimeClock: model time is wall time (aiomas' AsyncioClock), for live runs.

#include <functional>
#include <memory>
#include <optional>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "mas/agent/clock.hpp"
#include "mas/agent/date_time.hpp"
#include "mas/agent/timer_handle.hpp"

namespace mas::agent {

/// A clock that follows real time. time() counts std::chrono::steady_clock seconds since the
/// clock was constructed (so it starts near 0 and never jumps with the system clock); utcnow()
/// reads the system clock. Sleepers and calls wait on one asio::steady_timer armed for the
/// earliest of them.
///
/// Like any Asio I/O object it owns a timer, so it must be destroyed before its io_context.
/// Destroying it completes its pending sleepers with operation_aborted and drops its pending
/// calls. Not copyable or movable. See Clock for the rules every clock follows.
class RealTimeClock final : public Clock {
public:
    /// A clock whose time 0 is now, running its sleepers and calls on `executor`.
    explicit RealTimeClock(asio::any_io_executor executor);
    ~RealTimeClock() override;

    /// Seconds of std::chrono::steady_clock since construction.
    [[nodiscard]] double time() const override;
    /// The system clock's current time (microsecond precision), in UTC.
    [[nodiscard]] DateTime utcnow() const override;

    using Clock::call_at;
    using Clock::sleep_until;
    /// See Clock::sleep.
    asio::awaitable<void> sleep(double dt) override;
    /// See Clock::sleep_until.
    asio::awaitable<void> sleep_until(double t) override;
    /// See Clock::call_at.
    TimerHandle call_at(double t, std::function<void()> fn) override;
    /// The deadline of the earliest pending sleeper or call, or nullopt.
    [[nodiscard]] std::optional<double> next_activity() const override;
    /// The executor given to the constructor.
    [[nodiscard]] asio::any_io_executor executor() const override;
    /// See Clock::track.
    void track(const std::shared_ptr<Activity>& activity) override;

private:
    class Impl;
    std::shared_ptr<Impl> impl_;  // shared so that timer handlers can tell it is gone
};

}  // namespace mas::agent
