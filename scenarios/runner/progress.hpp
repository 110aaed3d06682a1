#pragma once
// Progress of a run for the user: a bar redrawn in place when stdout is a terminal, otherwise a
// log line every tenth of the run.

#include <chrono>
#include <cstdint>

namespace mas::runner {

class Progress {
public:
    Progress(std::int64_t until, bool terminal) : until_(until), terminal_(terminal) {}
    /// The run has reached `percent` (0..100) of `until`.
    void update(double percent);
    /// Ends the bar's line.
    void finish();

private:
    std::int64_t until_;
    bool terminal_;
    int last_decile_ = -1;
    std::chrono::steady_clock::time_point last_draw_{};
    bool drawn_ = false;
};

}  // namespace mas::runner
