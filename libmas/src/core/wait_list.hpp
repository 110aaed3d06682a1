#pragma once
// WaitList: coroutines suspended until some state changes (space to write, data to read). The
// waiter re-checks its condition after waking, so a spurious wake-up is harmless.

#include <cstdint>
#include <system_error>
#include <vector>

#include <asio/awaitable.hpp>

#include "core/completion.hpp"

namespace mas::detail {

/// A list of suspended coroutines waiting for a state change (space to write, data to read).
/// wait() throws asio::system_error(operation_aborted) when its coroutine is cancelled.
class WaitList {
public:
    /// `track_work`: see Completion; false only for waits the channel's read keeps alive.
    WaitList(Registry& registry, bool track_work) : registry_(&registry), track_work_(track_work) {}

    asio::awaitable<void> wait();
    /// Wakes every waiter; with `inline_allowed`, waiters on this thread run before it returns.
    void notify_all(bool inline_allowed = false);
    [[nodiscard]] bool empty() const noexcept { return waiters_.empty(); }

private:
    struct Waiter {
        std::uint64_t key;
        Completion<std::error_code> completion;
    };
    void cancel(std::uint64_t key);

    std::vector<Waiter> waiters_;
    std::uint64_t next_key_ = 0;
    Registry* registry_;
    bool track_work_;
};

}  // namespace mas::detail
