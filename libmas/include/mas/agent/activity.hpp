#pragma once
/// \file
/// Activity: how much work is under way in a container, so that a driver can wait until its
/// agents are idle (mango's "all tasks done or sleeping").

#include <cstdint>
#include <memory>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

namespace mas::agent {

/// A signed count of the work under way in one container. The container adds one for each
/// agent task (Agent::start) and each coroutine function serving a request, for as long as it
/// runs; its clock subtracts one for each coroutine asleep on it and adds one for each due call
/// until that call has run. The container is idle when the count is zero or less: everything
/// that is left waits for the clock.
///
/// Rules this relies on: only the container's own agents, tasks and functions sleep on its
/// clock (so the container needs a clock of its own), and a task waits for the clock or for
/// something else, not for both at once. A call an agent makes to another container counts as
/// busy in the caller until the reply is in, so work in other containers and processes is
/// waited for when it was asked for from here.
///
/// Single-threaded: use it on the container's executor only. Held by shared_ptr: tokens and
/// clocks refer to it weakly, so work that outlives the container changes nothing.
class Activity : public std::enable_shared_from_this<Activity> {
public:
    explicit Activity(asio::any_io_executor executor);
    Activity(const Activity&) = delete;
    Activity& operator=(const Activity&) = delete;

    /// Changes the count by `delta`; wakes the waiters of wait_idle() when it drops to zero or
    /// less. Never throws.
    void add(std::int64_t delta) noexcept;
    /// Adds one now and subtracts it again when the returned token is destroyed (unless this
    /// Activity is gone by then).
    [[nodiscard]] std::shared_ptr<void> token();

    [[nodiscard]] std::int64_t count() const noexcept { return count_; }
    [[nodiscard]] bool idle() const noexcept { return count_ <= 0; }

    /// Completes once the container is idle and stays idle after the handlers already queued on
    /// the executor have run (so a sleeper the clock has just woken gets to run first). Must run
    /// on the executor. Cancellation (e.g. through mas::with_timeout) ends the wait with
    /// asio::error::operation_aborted.
    asio::awaitable<void> wait_idle();

private:
    asio::any_io_executor executor_;
    std::int64_t count_ = 0;
    // The waiters' wake-up timers. They live in the waiting coroutines' frames, not here: a
    // container (and its Activity) may outlive its io_context, and a timer must not.
    std::vector<asio::steady_timer*> waiters_;
};

}  // namespace mas::agent
