#pragma once
/// \file
/// Clock: the source of model time for agents (aiomas' BaseClock).

#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "mas/agent/date_time.hpp"
#include "mas/agent/timer_handle.hpp"

namespace mas::agent {

class Activity;

/// The clock of a container. Agents take time only from it, so the same agent code runs on a
/// real-time clock (RealTimeClock) or on a clock driven from outside (ExternalClock) unchanged.
///
/// Times are model seconds as doubles. A clock belongs to one executor (executor()); every
/// member must be called on that executor's thread, and its sleepers and calls run there.
///
/// Common rules of all clocks:
/// - A wait or call whose time has already come (`t <= time()`, `dt == 0`) is not an error:
///   it completes through the executor (never inline) and without moving the clock, after the
///   handlers that are already queued; this keeps "sleep until the next full hour" free of races.
/// - A negative delay, and a time or delay that is NaN or infinite, is a caller bug: mas::Error.
/// - Waits and calls due at the same time complete in the order they were registered.
/// - sleep and sleep_until support Asio per-operation cancellation (so mas::with_timeout can
///   cancel them): the sleeper is removed at once and the awaiting coroutine gets
///   asio::system_error(asio::error::operation_aborted). The same happens to sleepers still
///   pending when their clock is destroyed.
class Clock {
public:
    virtual ~Clock();
    Clock(const Clock&) = delete;
    Clock& operator=(const Clock&) = delete;

    /// The current model time in seconds. Never decreases.
    [[nodiscard]] virtual double time() const = 0;
    /// The current date, in UTC (offset +00:00).
    [[nodiscard]] virtual DateTime utcnow() const = 0;

    /// Suspends the calling coroutine for `dt` model seconds, i.e. until time() + dt (computed at
    /// this call). `dt == 0` just lets queued handlers run first. Throws mas::Error (at this call)
    /// if `dt` is negative or not finite. Cancellable, see the class comment.
    virtual asio::awaitable<void> sleep(double dt) = 0;
    /// Suspends the calling coroutine until model time `t`; a past `t` completes soon without
    /// error. Throws mas::Error (when awaited) if `t` is not finite. Cancellable.
    virtual asio::awaitable<void> sleep_until(double t) = 0;
    /// Suspends until utcnow() reaches `when`: sleep_until(time_of(when)). A past date completes
    /// soon without error. Cancellable.
    asio::awaitable<void> sleep_until(const DateTime& when);

    /// Runs `fn()` on the executor at model time `t` (soon, if `t` has passed) and returns at once.
    /// The returned handle cancels the call. An exception escaping `fn` is logged on the
    /// "mas.agent" logger and dropped, as asyncio does for callbacks. Throws mas::Error if `t`
    /// is not finite or `fn` is empty.
    virtual TimerHandle call_at(double t, std::function<void()> fn) = 0;
    /// Runs `fn()` when utcnow() reaches `when`: call_at(time_of(when), fn).
    TimerHandle call_at(const DateTime& when, std::function<void()> fn);
    /// Runs `fn()` in `dt` model seconds: call_at(time() + dt, fn). Throws mas::Error if `dt` is
    /// negative or not finite, or `fn` is empty.
    TimerHandle call_in(double dt, std::function<void()> fn);

    /// The earliest time at which a pending sleeper or call is due, or nullopt if none is
    /// pending. Cancelled sleepers and calls no longer count.
    [[nodiscard]] virtual std::optional<double> next_activity() const = 0;
    /// The executor this clock runs its sleepers and calls on.
    [[nodiscard]] virtual asio::any_io_executor executor() const = 0;

    /// Makes the clock report its sleepers (as idle) and its due calls (as busy until run) to
    /// `activity`, replacing an earlier one; a Container calls it with its own. The default does
    /// nothing, so with such a clock every sleeping task counts as busy.
    virtual void track(const std::shared_ptr<Activity>& activity);

    /// The model time at which utcnow() will be `when`: time() + (when - utcnow()) in seconds
    /// (aiomas' date conversion). May be in the past.
    [[nodiscard]] double time_of(const DateTime& when) const;

protected:
    Clock() = default;

    /// Throws mas::Error naming `operation` unless `t` is finite.
    static void check_time(double t, std::string_view operation);
    /// Throws mas::Error naming `operation` unless `dt` is finite and not negative.
    static void check_delay(double dt, std::string_view operation);
};

}  // namespace mas::agent
