#include "measurement.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mas::bench {
namespace {

double to_us(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

// Nearest-rank percentile of sorted samples.
Clock::duration percentile(const std::vector<Clock::duration>& sorted, double p) {
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

Latency summarize(std::vector<Clock::duration> samples) {
    if (samples.empty()) throw std::invalid_argument("no latency samples");
    std::sort(samples.begin(), samples.end());
    return {to_us(percentile(samples, 50)), to_us(percentile(samples, 99))};
}

StepTimes summarize_steps(std::vector<Clock::duration> samples) {
    Clock::duration total{};
    for (const auto& sample : samples) total += sample;
    StepTimes out;
    out.per_s = static_cast<double>(samples.size()) / std::chrono::duration<double>(total).count();
    out.latency = summarize(std::move(samples));
    return out;
}

double median(std::vector<double> values) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto mid = values.size() / 2;
    return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

ThroughputWindow::ThroughputWindow(const ThroughputPhases& phases)
    : warmup_end_(Clock::now() + phases.warmup), measure_end_(warmup_end_ + phases.duration) {}

bool ThroughputWindow::record() {
    if (finished_) return false;
    ++count_;
    const auto now = Clock::now();
    if (!started_ && now >= warmup_end_) {
        started_ = true;
        start_count_ = count_;
        start_time_ = now;
    }
    if (started_ && now >= measure_end_) {
        finished_ = true;
        end_count_ = count_;
        end_time_ = now;
    }
    return !finished_;
}

double ThroughputWindow::per_second() const {
    const auto seconds = std::chrono::duration<double>(end_time_ - start_time_).count();
    if (!finished_ || seconds <= 0) return 0;
    return static_cast<double>(end_count_ - start_count_) / seconds;
}

}  // namespace mas::bench
