#include "orchestrator/wake_list.hpp"

#include <utility>

#include <asio/async_result.hpp>
#include <asio/dispatch.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

namespace mas::mosaik::detail {
namespace {

template <class Handler>
class ResumeHandler final : public WakeList::Resume {
public:
    explicit ResumeHandler(Handler handler) : handler_(std::move(handler)) {}
    void post() override { asio::post(std::move(handler_)); }
    void dispatch() override { asio::dispatch(std::move(handler_)); }

private:
    Handler handler_;
};

}  // namespace

asio::awaitable<void> WakeList::wait(const Condition& condition, Resumption how) {
    auto enqueue = [this, &condition, how](auto handler) {
        waiters_.push_back(
            Waiter{&condition, std::make_unique<ResumeHandler<decltype(handler)>>(std::move(handler)), how});
    };
    co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(std::move(enqueue), asio::use_awaitable);
}

void WakeList::notify() {
    // In the order they began to wait, so that runs are reproducible.
    std::erase_if(waiters_, [&](Waiter& waiter) {
        if (!(*waiter.condition)()) return false;
        ready_.push_back(std::move(waiter));
        return true;
    });
    // An inline waiter runs at once, inside this call, until it waits again: handing it over
    // through the executor's queue would cost a round through the event loop for every wake-up
    // (twice per time step between two simulators). Nested wake-ups are bounded by the number of
    // waiters; beyond a small depth they are queued to keep the stack flat.
    auto ready = std::move(ready_);
    ready_.clear();
    ++depth_;
    for (auto& waiter : ready) {
        if (waiter.how == Resumption::inline_ && depth_ <= max_inline_depth) {
            waiter.resume->dispatch();
        } else {
            waiter.resume->post();
        }
    }
    --depth_;
}

void WakeList::wake_all() {
    auto all = std::move(waiters_);
    waiters_.clear();
    for (auto& waiter : all) waiter.resume->post();
}

}  // namespace mas::mosaik::detail
