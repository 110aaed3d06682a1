#pragma once
// Measurement primitives shared by the benchmarks: latency percentiles, the median of repeated
// rounds, a warm-up-then-measure throughput window, and the interface every round-trip
// benchmark (raw sockets, libmas channel) implements so that main can interleave them.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mas::bench {

using Clock = std::chrono::steady_clock;

/// Percentiles of one sequential run, in microseconds.
struct Latency {
    double p50_us = 0;
    double p99_us = 0;
};

/// The p50 and p99 of `samples` (nearest-rank). Throws std::invalid_argument if it is empty.
Latency summarize(std::vector<Clock::duration> samples);

/// The timings of a run of time steps, each a fixed sequence of round trips timed as one.
struct StepTimes {
    Latency latency;
    double per_s = 0;  ///< time steps per second: count over the sum of the step times
};

/// `warmup` unmeasured calls of `step`, then the durations `step` returns for `count` more.
template <class Step>
std::vector<Clock::duration> step_samples(std::size_t warmup, std::size_t count, Step&& step) {
    for (std::size_t i = 0; i < warmup; ++i) step();
    std::vector<Clock::duration> samples;
    samples.reserve(count);
    for (std::size_t i = 0; i < count; ++i) samples.push_back(step());
    return samples;
}

/// The p50, p99 and rate of `samples`, one per time step. Throws std::invalid_argument if it is
/// empty.
StepTimes summarize_steps(std::vector<Clock::duration> samples);

/// The median of `values` (the mean of the middle two for an even count); 0 for none.
double median(std::vector<double> values);

/// How a throughput phase runs: first `warmup` unmeasured, then `duration` measured.
struct ThroughputPhases {
    std::chrono::milliseconds warmup{200};
    std::chrono::milliseconds duration{1000};
};

/// Counts completed requests and measures the rate over the measured part of the phase only, so
/// the ramp-up of the first requests and the drain after the end are not counted. The clock
/// starts at construction.
class ThroughputWindow {
public:
    explicit ThroughputWindow(const ThroughputPhases& phases);

    /// Records one completed request; returns false once the measured part is over (the caller
    /// then stops issuing requests and drains the ones in flight).
    bool record();
    /// Completed requests per second within the measured part; valid once record() returned
    /// false.
    [[nodiscard]] double per_second() const;

private:
    Clock::time_point warmup_end_;
    Clock::time_point measure_end_;
    std::uint64_t count_ = 0;
    std::uint64_t start_count_ = 0;
    std::uint64_t end_count_ = 0;
    Clock::time_point start_time_;
    Clock::time_point end_time_;
    bool started_ = false;
    bool finished_ = false;
};

/// One request-reply setup (a server and a connected client) over one endpoint.
class RoundTripBench {
public:
    virtual ~RoundTripBench() = default;
    /// `warmup` unmeasured, then `iterations` timed round trips of one request at a time.
    virtual Latency sequential(std::size_t warmup, std::size_t iterations) = 0;
    /// Completed requests per second with `in_flight` requests outstanding at all times.
    virtual double pipelined(std::size_t in_flight, const ThroughputPhases& phases) = 0;
};

}  // namespace mas::bench
