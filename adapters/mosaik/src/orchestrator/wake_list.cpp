#include "orchestrator/wake_list.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

#include <asio/async_result.hpp>
#include <asio/dispatch.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

namespace mas::mosaik::detail {

asio::awaitable<void> WakeList::wait(const Condition& condition, Resumption how, std::size_t key) {
    auto enqueue = [this, &condition, how, key](Handler handler) {
        Waiter waiter{&condition, hold(std::move(handler)), how, next_order_++};
        if (key == unkeyed) {
            unkeyed_.push_back(std::move(waiter));
            return;
        }
        if (key >= keyed_.size()) keyed_.resize(key + 1);
        assert(!keyed_[key] && "one waiter per key");
        keyed_[key] = std::move(waiter);
        ++keyed_count_;
    };
    co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(std::move(enqueue), asio::use_awaitable);
}

std::unique_ptr<WakeList::Slot> WakeList::hold(Handler handler) {
    std::unique_ptr<Slot> slot;
    if (free_slots_.empty()) {
        slot = std::make_unique<Slot>();
    } else {
        slot = std::move(free_slots_.back());
        free_slots_.pop_back();
    }
    slot->emplace(std::move(handler));
    return slot;
}

WakeList::Handler WakeList::release(std::unique_ptr<Slot> slot) {
    // Taken out before it runs: a coroutine resumed inline may wait again at once, and take the slot.
    Handler handler = std::move(**slot);
    slot->reset();
    free_slots_.push_back(std::move(slot));
    return handler;
}

std::size_t WakeList::size() const noexcept { return unkeyed_.size() + keyed_count_; }

void WakeList::check(std::optional<Waiter>& waiter) {
    if (!waiter || !(*waiter->condition)()) return;
    ready_.push_back(std::move(*waiter));
    waiter.reset();
    --keyed_count_;
}

void WakeList::notify() {
    std::erase_if(unkeyed_, [&](Waiter& waiter) {
        if (!(*waiter.condition)()) return false;
        ready_.push_back(std::move(waiter));
        return true;
    });
    for (auto& waiter : keyed_) check(waiter);
    resume_ready();
}

void WakeList::notify(const std::vector<std::size_t>& keys) {
    std::erase_if(unkeyed_, [&](Waiter& waiter) {
        if (!(*waiter.condition)()) return false;
        ready_.push_back(std::move(waiter));
        return true;
    });
    for (const auto key : keys) {
        if (key < keyed_.size()) check(keyed_[key]);
    }
    resume_ready();
}

void WakeList::resume_ready() {
    // In the order they began to wait, so that runs are reproducible, whichever keys were checked.
    // The list is handed over and replaced by a spare one, and given back as a spare when done:
    // nested notify() calls fill lists of their own, and none of them allocates at every step.
    auto ready = std::move(ready_);
    ready_.clear();
    if (!spare_.empty()) {
        ready_ = std::move(spare_.back());
        spare_.pop_back();
    }
    std::sort(ready.begin(), ready.end(), [](const Waiter& a, const Waiter& b) { return a.order < b.order; });
    // An inline waiter runs at once, inside this call, until it waits again: handing it over
    // through the executor's queue would cost a round through the event loop for every wake-up
    // (twice per time step between two simulators). Nested wake-ups are bounded by the number of
    // waiters; beyond a small depth they are queued to keep the stack flat.
    ++depth_;
    for (auto& waiter : ready) {
        if (waiter.how == Resumption::inline_ && depth_ <= max_inline_depth) {
            asio::dispatch(release(std::move(waiter.resume)));
        } else {
            asio::post(release(std::move(waiter.resume)));
        }
    }
    --depth_;
    ready.clear();
    spare_.push_back(std::move(ready));
}

void WakeList::wake_all() {
    std::vector<Waiter> all = std::move(unkeyed_);
    unkeyed_.clear();
    for (auto& waiter : keyed_) {
        if (waiter) all.push_back(std::move(*waiter));
        waiter.reset();
    }
    keyed_count_ = 0;
    std::sort(all.begin(), all.end(), [](const Waiter& a, const Waiter& b) { return a.order < b.order; });
    for (auto& waiter : all) asio::post(release(std::move(waiter.resume)));
}

}  // namespace mas::mosaik::detail
