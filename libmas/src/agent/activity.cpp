#include "mas/agent/activity.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "mas/core/log.hpp"

namespace mas::agent {

Activity::Activity(asio::any_io_executor executor) : executor_(std::move(executor)) {}

void Activity::add(std::int64_t delta) noexcept {
    const bool was_idle = idle();
    count_ += delta;
    if (was_idle || !idle() || waiters_.empty()) return;
    try {
        for (auto* waiter : std::vector<asio::steady_timer*>(waiters_)) waiter->cancel();
    } catch (const std::exception& e) {
        // Cancelling a timer fails only on a broken reactor; the waiters then notice at their
        // next wake-up.
        mas::log("mas.agent")->error("activity: waking the idle waiters failed: {}", e.what());
    }
}

std::shared_ptr<void> Activity::token() {
    add(1);
    // A task's frame may outlive the container (until its io_context is destroyed).
    return {nullptr, [weak = weak_from_this()](void*) {
                if (auto self = weak.lock()) self->add(-1);
            }};
}

namespace {
// Keeps a waiter's timer listed for exactly as long as its frame holds it.
struct Registration {
    Registration(std::vector<asio::steady_timer*>& list, asio::steady_timer& timer) : list(list), timer(timer) {
        list.push_back(&timer);
    }
    ~Registration() { std::erase(list, &timer); }
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    std::vector<asio::steady_timer*>& list;
    asio::steady_timer& timer;
};
}  // namespace

asio::awaitable<void> Activity::wait_idle() {
    constexpr auto tuple = asio::experimental::as_tuple(asio::use_awaitable);
    for (;;) {
        if (idle()) {
            // Let what is already queued run: a woken sleeper or a due call counts again first.
            co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
            if (idle()) co_return;
            continue;
        }
        asio::steady_timer event(executor_, asio::steady_timer::time_point::max());
        const Registration registration(waiters_, event);
        auto [ec] = co_await event.async_wait(tuple);
        // operation_aborted is the wake-up; the cancellation state tells it apart from a cancel
        // of this wait, which must end it.
        auto state = co_await asio::this_coro::cancellation_state;
        if (state.cancelled() != asio::cancellation_type::none) {
            throw asio::system_error(asio::error::operation_aborted);
        }
        (void)ec;
    }
}

}  // namespace mas::agent
