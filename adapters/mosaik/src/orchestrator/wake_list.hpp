#pragma once
// WakeList: the coroutines of one executor that wait until a condition over the run's state
// holds. notify() re-checks the waiters' conditions and resumes only those whose condition now
// holds: a change of the schedule wakes nobody in vain and costs no system call (a cancelled
// steady_timer as broadcast event did both, and was most of an in-process step's cost).

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include <asio/awaitable.hpp>

namespace mas::mosaik::detail {

class WakeList {
public:
    using Condition = std::function<bool()>;

    /// Suspends the calling coroutine until notify() finds `condition` true or wake_all() is
    /// called; `condition` must live until then. The caller re-checks what it waits for.
    asio::awaitable<void> wait(const Condition& condition);
    /// Resumes (by posting to their executors) the waiters whose condition holds.
    void notify();
    /// Resumes every waiter.
    void wake_all();
    [[nodiscard]] std::size_t size() const noexcept { return waiters_.size(); }

    /// One suspended coroutine's resumption, whatever its handler type.
    struct Resume {
        virtual ~Resume() = default;
        virtual void post() = 0;
    };

private:
    struct Waiter {
        const Condition* condition;
        std::unique_ptr<Resume> resume;
    };
    std::vector<Waiter> waiters_;
    std::vector<std::unique_ptr<Resume>> ready_;  // kept to reuse its memory
};

}  // namespace mas::mosaik::detail
