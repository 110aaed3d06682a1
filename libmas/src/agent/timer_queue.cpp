#include "agent/timer_queue.hpp"

#include <exception>
#include <vector>

#include <asio/error.hpp>
#include <asio/post.hpp>

#include "mas/core/log.hpp"

namespace mas::agent::detail {

// One call scheduled through a clock, shared by its queue entry, its TimerHandles and, once
// due, the handler posted to run it. `fn_` empty means done: run, cancelled or dropped.
class ScheduledCall final : public TimerHandle::Timer {
public:
    ScheduledCall(TimerQueue& queue, double t, std::function<void()> fn)
        : queue_(&queue), time_(t), fn_(std::move(fn)) {}

    void cancel() noexcept override {
        if (TimerQueue* queue = std::exchange(queue_, nullptr)) queue->erase_call(key_);
        fn_ = nullptr;
    }
    [[nodiscard]] bool pending() const noexcept override { return static_cast<bool>(fn_); }

    void set_key(std::pair<double, std::uint64_t> key) noexcept { key_ = key; }
    /// Off the queue: either posted to run, or dropped with the queue.
    void detach() noexcept { queue_ = nullptr; }
    void drop() noexcept {
        queue_ = nullptr;
        fn_ = nullptr;
    }

    void run() {
        if (!fn_) return;  // cancelled after it was posted
        auto fn = std::exchange(fn_, nullptr);
        try {
            fn();
        } catch (const std::exception& e) {
            mas::log("mas.agent")->error("clock: the call scheduled for time {} threw: {}", time_, e.what());
        } catch (...) {
            mas::log("mas.agent")->error("clock: the call scheduled for time {} threw a non-standard exception",
                                         time_);
        }
    }

private:
    TimerQueue* queue_;
    double time_;
    std::pair<double, std::uint64_t> key_{};
    std::function<void()> fn_;
};

TimerQueue::TimerQueue(asio::any_io_executor executor, std::function<void()> on_change)
    : executor_(std::move(executor)), on_change_(std::move(on_change)) {}

TimerQueue::~TimerQueue() {
    // Everything is unhooked before anything is destroyed: dropping a call's function runs the
    // destructors of its captures, which may cancel other calls of this queue.
    on_change_ = nullptr;
    auto entries = std::move(entries_);
    entries_.clear();
    for (auto& [key, entry] : entries) {
        if (auto* call = std::get_if<std::shared_ptr<ScheduledCall>>(&entry)) (*call)->detach();
    }
    for (auto& [key, entry] : entries) {
        if (auto* sleeper = std::get_if<Sleeper>(&entry)) {
            report(1);
            sleeper->complete(asio::error::operation_aborted);
        } else {
            std::get<std::shared_ptr<ScheduledCall>>(entry)->drop();
        }
    }
}

TimerHandle TimerQueue::add_call(double t, std::function<void()> fn) {
    auto call = std::make_shared<ScheduledCall>(*this, t, std::move(fn));
    const Key key = next_key(t);
    call->set_key(key);
    entries_.emplace(key, Entry(call));
    changed();
    return TimerHandle(std::move(call));
}

void TimerQueue::fire_due(double limit) {
    while (!entries_.empty() && entries_.begin()->first.first <= limit) {
        auto node = entries_.extract(entries_.begin());
        if (auto* sleeper = std::get_if<Sleeper>(&node.mapped())) {
            report(1);
            sleeper->complete(std::error_code());
        } else {
            auto call = std::get<std::shared_ptr<ScheduledCall>>(std::move(node.mapped()));
            call->detach();
            std::shared_ptr<void> busy;
            if (auto activity = activity_.lock()) busy = activity->token();
            asio::post(executor_, [call = std::move(call), busy = std::move(busy)] { call->run(); });
        }
    }
}

std::optional<double> TimerQueue::next_time() const noexcept {
    if (entries_.empty()) return std::nullopt;
    return entries_.begin()->first.first;
}

void TimerQueue::abort_sleeper(Key key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    auto node = entries_.extract(it);
    report(1);
    std::get<Sleeper>(node.mapped()).complete(asio::error::operation_aborted);
    changed();
}

void TimerQueue::erase_call(Key key) noexcept {
    // The handle that cancels holds the call, so erasing the queue's reference cannot destroy it.
    entries_.erase(key);
    try {
        changed();
    } catch (const std::exception& e) {
        // cancel() is noexcept; the clock stays correct, it may only wake once for nothing.
        mas::log("mas.agent")->error("clock: updating after a cancelled call failed: {}", e.what());
    }
}

void TimerQueue::track(const std::shared_ptr<Activity>& activity) {
    // Sleepers already waiting were not counted as asleep; count them now, so that waking them
    // later balances.
    for (const auto& [key, entry] : entries_) {
        if (std::holds_alternative<Sleeper>(entry)) activity->add(-1);
    }
    if (auto previous = activity_.lock()) {
        for (const auto& [key, entry] : entries_) {
            if (std::holds_alternative<Sleeper>(entry)) previous->add(1);
        }
    }
    activity_ = activity;
}

void TimerQueue::report(std::int64_t delta) const noexcept {
    if (auto activity = activity_.lock()) activity->add(delta);
}

void TimerQueue::changed() {
    if (on_change_) on_change_();
}

}  // namespace mas::agent::detail
