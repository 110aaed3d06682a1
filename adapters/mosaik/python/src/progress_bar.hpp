#pragma once
// mosaik's progress bar of World.run(print_progress=True) (a tqdm bar on stderr): percent, bar,
// simulated time of until, elapsed and remaining wall time, rate in steps per second.

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace mas::python {

class ProgressBar {
public:
    ProgressBar(std::int64_t until, std::FILE* out);
    /// After a step: `percent` is the run's progress. Redraws at most ten times a second, and
    /// only on a terminal.
    void update(double percent);
    /// The final state, ending the line, on a terminal or not.
    void finish();

private:
    void draw(double percent);

    using Clock = std::chrono::steady_clock;
    std::int64_t until_;
    std::FILE* out_;
    bool terminal_;
    Clock::time_point start_ = Clock::now();
    Clock::time_point last_draw_{};
    double percent_ = 0;
    bool finished_ = false;
};

}  // namespace mas::python
