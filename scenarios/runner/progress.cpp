#include "progress.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace mas::runner {

void Progress::update(double percent) {
    percent = std::clamp(percent, 0.0, 100.0);
    if (!terminal_) {
        const int decile = static_cast<int>(percent / 10);
        if (decile > last_decile_) {
            last_decile_ = decile;
            spdlog::info("progress: {:.0f}% of {}", percent, until_);
        }
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    // Redrawing at every step would cost more than fast steps themselves.
    if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) && percent < 100.0) return;
    if (drawn_ && !line_open_ && percent >= 100.0) return;  // the full bar is on its line already
    last_draw_ = now;
    drawn_ = true;
    line_open_ = true;
    constexpr int width = 40;
    const int filled = static_cast<int>(percent / 100.0 * width);
    fmt::print("\r[{}{}] {:5.1f}% of {}", std::string(static_cast<std::size_t>(filled), '#'),
               std::string(static_cast<std::size_t>(width - filled), ' '), percent, until_);
    // At the end the simulators are stopped, and the collector's closing line follows.
    if (percent >= 100.0) end_line();
    std::fflush(stdout);
}

void Progress::end_line() {
    if (!line_open_) return;
    line_open_ = false;
    fmt::print("\n");
    std::fflush(stdout);
}

void ProgressAwareSink::watch(Progress* progress) {
    std::lock_guard lock(mutex_);
    progress_ = progress;
}

void ProgressAwareSink::log(const spdlog::details::log_msg& msg) {
    {
        std::lock_guard lock(mutex_);
        if (progress_) progress_->end_line();
    }
    inner_->log(msg);
}

}  // namespace mas::runner
