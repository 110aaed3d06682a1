#pragma once
/// \file
/// ExternalClock: a clock whose time is set from outside, e.g. by a simulator (aiomas'
/// ExternalClock).

#include <functional>
#include <memory>
#include <optional>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "mas/agent/clock.hpp"
#include "mas/agent/date_time.hpp"
#include "mas/agent/timer_handle.hpp"

namespace mas::agent {

/// A clock that moves only when set_time() is called, so that the agents' time follows an
/// external process (a simulator, a test). Deterministic: set_time wakes the due sleepers and
/// calls in time order, and in registration order for equal times.
///
/// Dates follow aiomas exactly: utcnow() is `utc_start` shifted by time() seconds (not by
/// time() - init_time), so a clock made with `init_time = 10` says utc_start + 10 s at first.
///
/// The clock may be destroyed before or after its io_context. Destroying it completes its
/// pending sleepers with operation_aborted and drops its pending calls. Not copyable or movable.
/// See Clock for the rules every clock follows.
class ExternalClock final : public Clock {
public:
    /// A clock at model time `init_time` on `executor`. `utc_start` is stored in UTC (offset
    /// +00:00, same instant). Throws mas::Error if `init_time` is not finite.
    ExternalClock(asio::any_io_executor executor, DateTime utc_start, double init_time = 0);
    ~ExternalClock() override;

    /// Moves the clock to `t` and wakes every sleeper and call due by then (time <= t), in time
    /// order and, for equal times, in registration order. They run through the executor after
    /// set_time returns, never inline, and see time() == t. Setting the current time again is
    /// allowed (and wakes nothing new). Throws mas::Error, naming both times, if `t` is before
    /// time() (the clock and its queue stay unchanged), or if `t` is not finite.
    void set_time(double t);

    /// The time last set (initially `init_time`).
    [[nodiscard]] double time() const override;
    /// utc_start() shifted by time() seconds, rounded to microseconds, in UTC.
    [[nodiscard]] DateTime utcnow() const override;
    /// The start date given to the constructor, in UTC.
    [[nodiscard]] DateTime utc_start() const;

    using Clock::call_at;
    using Clock::sleep_until;
    /// See Clock::sleep; wakes when set_time reaches time() + dt.
    asio::awaitable<void> sleep(double dt) override;
    /// See Clock::sleep_until; wakes when set_time reaches `t`.
    asio::awaitable<void> sleep_until(double t) override;
    /// See Clock::call_at; runs when set_time reaches `t`.
    TimerHandle call_at(double t, std::function<void()> fn) override;
    /// The earliest pending sleeper or call, i.e. the time set_time must reach to wake anything.
    [[nodiscard]] std::optional<double> next_activity() const override;
    /// The executor given to the constructor.
    [[nodiscard]] asio::any_io_executor executor() const override;
    /// See Clock::track.
    void track(const std::shared_ptr<Activity>& activity) override;

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace mas::agent
