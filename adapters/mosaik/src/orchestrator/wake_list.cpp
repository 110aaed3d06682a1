#include "orchestrator/wake_list.hpp"

#include <utility>

#include <asio/async_result.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

namespace mas::mosaik::detail {
namespace {

template <class Handler>
class ResumeHandler final : public WakeList::Resume {
public:
    explicit ResumeHandler(Handler handler) : handler_(std::move(handler)) {}
    // Posted, not called: the notifying coroutine finishes its own work first.
    void post() override { asio::post(std::move(handler_)); }

private:
    Handler handler_;
};

}  // namespace

asio::awaitable<void> WakeList::wait(const Condition& condition) {
    auto enqueue = [this, &condition](auto handler) {
        waiters_.push_back(Waiter{&condition, std::make_unique<ResumeHandler<decltype(handler)>>(std::move(handler))});
    };
    co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(std::move(enqueue), asio::use_awaitable);
}

void WakeList::notify() {
    // In the order they began to wait, so that runs are reproducible.
    std::erase_if(waiters_, [&](Waiter& waiter) {
        if (!(*waiter.condition)()) return false;
        ready_.push_back(std::move(waiter.resume));
        return true;
    });
    // Posting runs nothing inline, so ready_ is not touched meanwhile.
    for (auto& resume : ready_) resume->post();
    ready_.clear();
}

void WakeList::wake_all() {
    auto all = std::move(waiters_);
    waiters_.clear();
    for (auto& waiter : all) waiter.resume->post();
}

}  // namespace mas::mosaik::detail
