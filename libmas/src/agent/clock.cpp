#include "mas/agent/clock.hpp"

#include <cmath>

#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas::agent {

TimerHandle::Timer::~Timer() = default;

Clock::~Clock() = default;

void Clock::track(const std::shared_ptr<Activity>&) {}

asio::awaitable<void> Clock::sleep_until(const DateTime& when) { return sleep_until(time_of(when)); }

TimerHandle Clock::call_at(const DateTime& when, std::function<void()> fn) {
    return call_at(time_of(when), std::move(fn));
}

TimerHandle Clock::call_in(double dt, std::function<void()> fn) {
    check_delay(dt, "call_in");
    return call_at(time() + dt, std::move(fn));
}

double Clock::time_of(const DateTime& when) const {
    return time() + std::chrono::duration<double>(when - utcnow()).count();
}

void Clock::check_time(double t, std::string_view operation) {
    if (!std::isfinite(t)) throw Error(fmt::format("{}: the time must be a finite number, but is {}", operation, t));
}

void Clock::check_delay(double dt, std::string_view operation) {
    if (!std::isfinite(dt) || dt < 0) {
        throw Error(fmt::format("{}: the delay must be a finite number >= 0, but is {}", operation, dt));
    }
}

}  // namespace mas::agent
