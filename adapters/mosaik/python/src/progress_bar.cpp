#include "progress_bar.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>
#include <unistd.h>

namespace mas::python {
namespace {

std::string clock_text(double seconds) {
    const auto s = static_cast<std::int64_t>(std::max(0.0, seconds));
    if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    return fmt::format("{:02}:{:02}", s / 60, s % 60);
}

}  // namespace

ProgressBar::ProgressBar(std::int64_t until, std::FILE* out)
    : until_(until), out_(out), terminal_(::isatty(::fileno(out)) != 0) {}

void ProgressBar::update(double percent) {
    percent_ = percent;
    if (!terminal_) return;
    const auto now = Clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    draw(percent);
}

void ProgressBar::finish() {
    if (finished_) return;
    finished_ = true;
    draw(percent_);
    std::fputc('\n', out_);
    std::fflush(out_);
}

void ProgressBar::draw(double percent) {
    percent = std::clamp(percent, 0.0, 100.0);
    const auto done = static_cast<std::int64_t>(std::llround(percent / 100.0 * static_cast<double>(until_)));
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
    const double remaining = rate > 0 ? static_cast<double>(until_ - done) / rate : 0;
    constexpr int width = 10;
    const int filled = static_cast<int>(percent / 100.0 * width);
    std::string bar;
    for (int i = 0; i < width; ++i) bar += i < filled ? "\u2588" : " ";
    fmt::print(out_, "\r{:3.0f}%|{}| {}/{} [{}<{}, {:.2f}steps/s]", std::floor(percent), bar, done, until_,
               clock_text(elapsed), clock_text(remaining), rate);
    std::fflush(out_);
}

}  // namespace mas::python
