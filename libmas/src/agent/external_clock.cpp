#include "mas/agent/external_clock.hpp"

#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "agent/timer_queue.hpp"
#include "mas/core/error.hpp"

namespace mas::agent {

class ExternalClock::Impl {
public:
    Impl(asio::any_io_executor executor, DateTime utc_start, double init_time)
        : executor(std::move(executor)),
          utc_start(utc_start.to_offset(std::chrono::minutes(0))),
          time(init_time),
          // A wait registered for a time already reached is due at once; nothing else can be,
          // since set_time has fired everything up to `time`, so the order is kept.
          queue(this->executor, [this] { queue.fire_due(time); }) {}

    asio::any_io_executor executor;
    DateTime utc_start;
    double time;
    detail::TimerQueue queue;
};

ExternalClock::ExternalClock(asio::any_io_executor executor, DateTime utc_start, double init_time) {
    check_time(init_time, "ExternalClock");
    impl_ = std::make_unique<Impl>(std::move(executor), utc_start, init_time);
}

ExternalClock::~ExternalClock() = default;

void ExternalClock::set_time(double t) {
    check_time(t, "ExternalClock::set_time");
    if (t < impl_->time) {
        throw Error(fmt::format("ExternalClock::set_time: the time must not go backwards, but {} is before the "
                                "current time {}",
                                t, impl_->time));
    }
    impl_->time = t;
    impl_->queue.fire_due(t);
}

double ExternalClock::time() const { return impl_->time; }

DateTime ExternalClock::utcnow() const { return impl_->utc_start.shift_seconds(impl_->time); }

DateTime ExternalClock::utc_start() const { return impl_->utc_start; }

asio::awaitable<void> ExternalClock::sleep(double dt) {
    check_delay(dt, "ExternalClock::sleep");
    return sleep_until(impl_->time + dt);
}

asio::awaitable<void> ExternalClock::sleep_until(double t) {
    check_time(t, "ExternalClock::sleep_until");
    co_await impl_->queue.async_wait_until(t, asio::use_awaitable);
}

TimerHandle ExternalClock::call_at(double t, std::function<void()> fn) {
    check_time(t, "ExternalClock::call_at");
    if (!fn) throw Error("ExternalClock::call_at: the function to call is empty");
    return impl_->queue.add_call(t, std::move(fn));
}

std::optional<double> ExternalClock::next_activity() const { return impl_->queue.next_time(); }

asio::any_io_executor ExternalClock::executor() const { return impl_->executor; }

void ExternalClock::track(const std::shared_ptr<Activity>& activity) { impl_->queue.track(activity); }

}  // namespace mas::agent
