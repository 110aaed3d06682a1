#pragma once
/// \file
/// StepTrace: the execution trace of a run in Chrome's trace-event format (viewable in
/// chrome://tracing or Perfetto): one event per step, one track per simulator.

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "mas/core/json.hpp"
#include "mas/mosaik/orchestrator/world.hpp"

namespace mas::mosaik {

class StepTrace {
public:
    StepTrace() : origin_(std::chrono::steady_clock::now()) {}

    /// Adds one step: a complete event ("ph": "X") named after the simulator, on its own track,
    /// with the step's time, max_advance, next step and inputs as arguments.
    void record(const StepRecord& step);
    /// The whole trace `{"traceEvents": [...], "displayTimeUnit": "ms"}`.
    [[nodiscard]] Json to_json() const;
    /// Writes to_json() to `path`; throws mas::Error naming the path if it cannot.
    void write(const std::filesystem::path& path) const;
    /// Writes a trace document (to_json(), perhaps with metadata added) to `path`, the same way.
    static void write(const Json& document, const std::filesystem::path& path);

private:
    std::chrono::steady_clock::time_point origin_;
    std::map<std::string, std::int64_t> tracks_;  // sid -> thread id
    std::vector<Json> events_;
};

}  // namespace mas::mosaik
