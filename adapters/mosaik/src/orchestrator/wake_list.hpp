#pragma once
// WakeList: the coroutines of one executor that wait until a condition over the run's state
// holds. notify() re-checks the waiters' conditions and resumes only those whose condition now
// holds: a change of the schedule wakes nobody in vain and costs no system call (a cancelled
// steady_timer as broadcast event did both, and was most of an in-process step's cost). A waiter
// may carry a key (its simulator), so that a change re-checks only the waiters it can concern:
// with thousands of simulators, checking all of them after every step grew quadratically.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/use_awaitable.hpp>

namespace mas::mosaik::detail {

class WakeList {
public:
    using Condition = std::function<bool()>;

    /// How a waiter is resumed by notify().
    enum class Resumption {
        queued,  ///< through its executor's queue, after the notifier has gone on
        inline_  ///< at once, inside notify(), for waiters that change nothing the notifier uses
    };

    /// The key of waiters that every notify checks.
    static constexpr std::size_t unkeyed = static_cast<std::size_t>(-1);

    /// Suspends the calling coroutine until a notify that checks it finds `condition` true, or
    /// wake_all() is called; `condition` must live until then. At most one waiter may have a
    /// given key. The caller re-checks what it waits for.
    asio::awaitable<void> wait(const Condition& condition, Resumption how = Resumption::queued,
                               std::size_t key = unkeyed);
    /// Checks every waiter and resumes those whose condition holds, in the order they began to wait.
    void notify();
    /// The same for the unkeyed waiters and those with one of `keys` (repeats are harmless).
    void notify(const std::vector<std::size_t>& keys);
    /// Resumes every waiter.
    void wake_all();
    [[nodiscard]] std::size_t size() const noexcept;

private:
    // What resumes a coroutine suspended in wait(). Every waiter is an awaitable of the default
    // executor, so its handler has one type, and is kept in a slot that is used again: an
    // allocation per wait was a tenth of the allocations of a trivial in-process step. (The slot
    // stays put while the lists of waiters are sorted: the handler cannot be assigned to.)
    using Handler = asio::async_result<asio::use_awaitable_t<>, void()>::handler_type;
    using Slot = std::optional<Handler>;

    struct Waiter {
        const Condition* condition;
        std::unique_ptr<Slot> resume;
        Resumption how;
        std::uint64_t order;  // when it began to wait
    };
    std::unique_ptr<Slot> hold(Handler handler);
    Handler release(std::unique_ptr<Slot> slot);
    void check(std::optional<Waiter>& waiter);
    void resume_ready();

    std::vector<Waiter> unkeyed_;
    std::vector<std::optional<Waiter>> keyed_;  // by key
    std::size_t keyed_count_ = 0;
    std::uint64_t next_order_ = 0;
    std::vector<Waiter> ready_;
    std::vector<std::vector<Waiter>> spare_;  // emptied lists of ready waiters, to fill again
    std::vector<std::unique_ptr<Slot>> free_slots_;
    static constexpr int max_inline_depth = 16;
    int depth_ = 0;
};

}  // namespace mas::mosaik::detail
