#pragma once
// TimerQueue: the pending sleepers and scheduled calls of one clock, ordered by (time,
// registration). Both clocks keep their waits here and differ only in what moves time on:
// ExternalClock::set_time, or RealTimeClock's steady_timer. Single-threaded: every member is
// used on the clock's executor only.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>
#include <variant>

#include <asio/any_io_executor.hpp>
#include <asio/associated_cancellation_slot.hpp>
#include <asio/async_result.hpp>
#include <asio/cancellation_type.hpp>

#include "core/completion.hpp"
#include "mas/agent/activity.hpp"
#include "mas/agent/timer_handle.hpp"

namespace mas::agent::detail {

class ScheduledCall;

class TimerQueue {
public:
    /// `on_change` runs after every registration and every removal by cancellation (not after
    /// fire_due); the clock uses it to fire what is already due or to re-arm its timer.
    TimerQueue(asio::any_io_executor executor, std::function<void()> on_change);
    /// Completes pending sleepers with operation_aborted and drops pending calls.
    ~TimerQueue();
    TimerQueue(const TimerQueue&) = delete;
    TimerQueue& operator=(const TimerQueue&) = delete;

    /// An asynchronous operation, signature void(std::error_code), that completes with no error
    /// once fire_due reaches `t`, or with operation_aborted when cancelled through its
    /// cancellation slot or when the queue is destroyed.
    template <class CompletionToken>
    auto async_wait_until(double t, CompletionToken&& token) {
        return asio::async_initiate<CompletionToken, void(std::error_code)>(Initiate{this}, token, t);
    }

    /// Schedules `fn` (non-empty) to be posted to the executor once fire_due reaches `t`.
    TimerHandle add_call(double t, std::function<void()> fn);

    /// Takes every entry with time <= `limit` off the queue, in order, and completes it: a
    /// sleeper's handler and a call are each posted, so nothing runs inline.
    void fire_due(double limit);

    /// The time of the earliest entry.
    [[nodiscard]] std::optional<double> next_time() const noexcept;

    /// Reports to `activity` from now on: a waiting sleeper counts -1 until it is woken or
    /// aborted, and a due call +1 until it has run (see Activity).
    void track(const std::shared_ptr<Activity>& activity);

private:
    friend class ScheduledCall;
    using Key = std::pair<double, std::uint64_t>;
    using Sleeper = mas::detail::Completion<std::error_code>;
    using Entry = std::variant<Sleeper, std::shared_ptr<ScheduledCall>>;

    struct Initiate {
        TimerQueue* queue;
        template <class Handler>
        void operator()(Handler&& handler, double t) const {
            queue->add_sleeper(t, std::forward<Handler>(handler));
        }
    };

    // Installed in a sleeper's cancellation slot.
    struct CancelSleeper {
        TimerQueue* queue;
        Key key;
        void operator()(asio::cancellation_type_t) const {
            // Completing the sleeper clears its slot, which destroys this object: copy first.
            TimerQueue* const q = queue;
            const Key k = key;
            q->abort_sleeper(k);
        }
    };

    template <class Handler>
    void add_sleeper(double t, Handler&& handler) {
        const Key key{t, next_seq_++};
        auto slot = asio::get_associated_cancellation_slot(handler);
        entries_.emplace(key, Entry(std::in_place_type<Sleeper>, std::forward<Handler>(handler)));
        if (slot.is_connected()) slot.template emplace<CancelSleeper>(CancelSleeper{this, key});
        report(-1);
        changed();
    }

    Key next_key(double t) noexcept { return {t, next_seq_++}; }
    void abort_sleeper(Key key);
    void erase_call(Key key) noexcept;
    void changed();
    void report(std::int64_t delta) const noexcept;

    asio::any_io_executor executor_;
    std::function<void()> on_change_;
    std::map<Key, Entry> entries_;
    std::uint64_t next_seq_ = 0;
    std::weak_ptr<Activity> activity_;
};

}  // namespace mas::agent::detail
