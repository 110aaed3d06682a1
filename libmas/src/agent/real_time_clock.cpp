#include "mas/agent/real_time_clock.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "agent/timer_queue.hpp"
#include "mas/core/error.hpp"

namespace mas::agent {

namespace {
// Deadlines further out are waited for in steps of this size, so converting them to a
// steady_clock time point cannot overflow (about 31 years).
constexpr double max_wait_seconds = 1.0e9;
}  // namespace

class RealTimeClock::Impl : public std::enable_shared_from_this<Impl> {
public:
    explicit Impl(asio::any_io_executor executor)
        : executor(std::move(executor)),
          start(std::chrono::steady_clock::now()),
          timer(this->executor),
          queue(this->executor, [this] { arm(); }) {}

    [[nodiscard]] double now() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }

    // Keeps the timer waiting for the earliest entry (and not waiting when there is none, so an
    // idle clock does not keep io_context::run busy).
    void arm() {
        const auto next = queue.next_time();
        if (!next) {
            timer.cancel();
            armed.reset();
            return;
        }
        if (armed == next) return;
        armed = next;
        const double wait_for = std::min(*next, now() + max_wait_seconds);
        using std::chrono::steady_clock;
        const auto offset = std::chrono::ceil<steady_clock::duration>(std::chrono::duration<double>(wait_for));
        timer.expires_at(start + offset);  // cancels the previous wait, whose handler then ignores it
        timer.async_wait([weak = weak_from_this(), wait_for](std::error_code ec) {
            if (ec) return;
            if (auto self = weak.lock()) self->expired(wait_for);
        });
    }

    void expired(double reached) {
        armed.reset();
        // The timer's expiry was rounded up, so `reached` has passed even if now() rounds below it.
        queue.fire_due(std::max(reached, now()));
        arm();
    }

    asio::any_io_executor executor;
    std::chrono::steady_clock::time_point start;
    asio::steady_timer timer;
    std::optional<double> armed;  // the time the pending timer wait is for
    detail::TimerQueue queue;     // destroyed first: its sleepers must not outlive the timer
};

RealTimeClock::RealTimeClock(asio::any_io_executor executor) : impl_(std::make_shared<Impl>(std::move(executor))) {}

RealTimeClock::~RealTimeClock() = default;

double RealTimeClock::time() const { return impl_->now(); }

DateTime RealTimeClock::utcnow() const {
    // The one place in libmas that reads the system clock.
    return DateTime(std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now()));
}

asio::awaitable<void> RealTimeClock::sleep(double dt) {
    check_delay(dt, "RealTimeClock::sleep");
    return sleep_until(impl_->now() + dt);
}

asio::awaitable<void> RealTimeClock::sleep_until(double t) {
    check_time(t, "RealTimeClock::sleep_until");
    co_await impl_->queue.async_wait_until(t, asio::use_awaitable);
}

TimerHandle RealTimeClock::call_at(double t, std::function<void()> fn) {
    check_time(t, "RealTimeClock::call_at");
    if (!fn) throw Error("RealTimeClock::call_at: the function to call is empty");
    return impl_->queue.add_call(t, std::move(fn));
}

std::optional<double> RealTimeClock::next_activity() const { return impl_->queue.next_time(); }

asio::any_io_executor RealTimeClock::executor() const { return impl_->executor; }

void RealTimeClock::track(const std::shared_ptr<Activity>& activity) { impl_->queue.track(activity); }

}  // namespace mas::agent
