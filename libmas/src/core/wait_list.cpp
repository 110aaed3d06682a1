#include "core/wait_list.hpp"

#include <asio/async_result.hpp>
#include <asio/error.hpp>
#include <asio/use_awaitable.hpp>

namespace mas::detail {

asio::awaitable<void> WaitList::wait() {
    co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::error_code)>(
        [this](auto handler) {
            const auto key = next_key_++;
            auto slot = asio::get_associated_cancellation_slot(handler);
            if (slot.is_connected()) {
                // Without this, with_timeout around recv() would wait forever for its loser.
                slot.assign([this, key](asio::cancellation_type) { cancel(key); });
            }
            waiters_.push_back({key, Completion<std::error_code>(std::move(handler), *registry_, track_work_)});
        },
        asio::use_awaitable);
}

void WaitList::notify_all(bool inline_allowed) {
    auto waiters = std::move(waiters_);
    waiters_.clear();
    for (auto& w : waiters) {
        if (inline_allowed) {
            w.completion.complete_inline(std::error_code());
        } else {
            w.completion.complete(std::error_code());
        }
    }
}

void WaitList::cancel(std::uint64_t key) {
    for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
        if (it->key == key) {
            auto completion = std::move(it->completion);
            waiters_.erase(it);
            completion.complete(asio::error::operation_aborted);
            return;
        }
    }
}

}  // namespace mas::detail
