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

    /// How a waiter is resumed by notify().
    enum class Resumption {
        queued,  ///< through its executor's queue, after the notifier has gone on
        inline_  ///< at once, inside notify(), for waiters that change nothing the notifier uses
    };

    /// Suspends the calling coroutine until notify() finds `condition` true or wake_all() is
    /// called; `condition` must live until then. The caller re-checks what it waits for.
    asio::awaitable<void> wait(const Condition& condition, Resumption how = Resumption::queued);
    /// Resumes the waiters whose condition holds, in the order they began to wait.
    void notify();
    /// Resumes every waiter.
    void wake_all();
    [[nodiscard]] std::size_t size() const noexcept { return waiters_.size(); }

    /// One suspended coroutine's resumption, whatever its handler type.
    struct Resume {
        virtual ~Resume() = default;
        virtual void post() = 0;
        virtual void dispatch() = 0;
    };

private:
    struct Waiter {
        const Condition* condition;
        std::unique_ptr<Resume> resume;
        Resumption how;
    };
    std::vector<Waiter> waiters_;
    std::vector<Waiter> ready_;
    static constexpr int max_inline_depth = 16;
    int depth_ = 0;
};

}  // namespace mas::mosaik::detail
