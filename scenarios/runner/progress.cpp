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
    last_draw_ = now;
    drawn_ = true;
    constexpr int width = 40;
    const int filled = static_cast<int>(percent / 100.0 * width);
    fmt::print("\r[{}{}] {:5.1f}% of {}", std::string(static_cast<std::size_t>(filled), '#'),
               std::string(static_cast<std::size_t>(width - filled), ' '), percent, until_);
    std::fflush(stdout);
}

void Progress::finish() {
    if (terminal_ && drawn_) fmt::print("\n");
}

}  // namespace mas::runner
