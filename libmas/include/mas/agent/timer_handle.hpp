#pragma once
/// \file
/// TimerHandle: lets the caller cancel a call scheduled on a Clock.

#include <memory>
#include <utility>

namespace mas::agent {

/// A handle to one call scheduled with Clock::call_at or Clock::call_in (aiomas' TimerHandle).
/// Copies refer to the same call. Like the clock, use it only on the clock's executor thread.
/// The handle may outlive the clock; once the clock is destroyed the call is no longer pending.
class TimerHandle {
public:
    /// The clock's side of one scheduled call. Clock implementations derive from it and hand it
    /// to the TimerHandle they return; agent code never needs it.
    class Timer {
    public:
        virtual ~Timer();
        /// Prevents the call if it has not run yet; does nothing otherwise. Idempotent.
        virtual void cancel() noexcept = 0;
        /// True until the call has run, been cancelled, or its clock has been destroyed.
        [[nodiscard]] virtual bool pending() const noexcept = 0;

    protected:
        Timer() = default;
        Timer(const Timer&) = default;
        Timer& operator=(const Timer&) = default;
    };

    /// A handle to no call: pending() is false and cancel() does nothing.
    TimerHandle() noexcept {}
    /// A handle to the call `timer` stands for (made by Clock implementations).
    explicit TimerHandle(std::shared_ptr<Timer> timer) noexcept : timer_(std::move(timer)) {}

    /// Prevents the call if it is still pending: it will not run, even if its time has already
    /// come and it is queued on the executor. Never throws; calling it again does nothing.
    void cancel() noexcept {
        if (timer_) timer_->cancel();
    }
    /// Whether the call is still to run (neither run, cancelled, nor dropped with its clock).
    [[nodiscard]] bool pending() const noexcept { return timer_ && timer_->pending(); }

private:
    std::shared_ptr<Timer> timer_;
};

}  // namespace mas::agent
