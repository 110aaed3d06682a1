#include "mas/mosaik/orchestrator/step_trace.hpp"

#include <fstream>

#include <fmt/format.h>

#include "mas/core/error.hpp"
#include "mas/core/json_codec.hpp"

namespace mas::mosaik {

namespace {
double micros(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }
}  // namespace

void StepTrace::record(const StepRecord& step) {
    auto [track, added] = tracks_.try_emplace(step.sid, static_cast<std::int64_t>(tracks_.size()) + 1);
    if (added) {
        // Names the track after the simulator.
        events_.push_back(Json::object({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", track->second},
                                        {"args", Json::object({{"name", step.sid}})}}));
    }
    auto args = Json::object({{"time", step.time.to_string()}, {"max_advance", step.max_advance},
                              {"next_step", step.next_step ? Json(*step.next_step) : Json()}, {"inputs", step.inputs}});
    events_.push_back(Json::object({{"name", fmt::format("{}~{}", step.sid, step.time.to_string())},
                                    {"cat", "step"},
                                    {"ph", "X"},
                                    {"pid", 1},
                                    {"tid", track->second},
                                    {"ts", micros(step.start - origin_)},
                                    {"dur", micros(step.end - step.start)},
                                    {"args", std::move(args)}}));
}

Json StepTrace::to_json() const {
    JsonArray events(events_.begin(), events_.end());
    return Json::object({{"traceEvents", Json(std::move(events))}, {"displayTimeUnit", "ms"}});
}

void StepTrace::write(const std::filesystem::path& path) const { write(to_json(), path); }

void StepTrace::write(const Json& document, const std::filesystem::path& path) {
    std::ofstream out(path);
    if (!out) throw Error(fmt::format("cannot write the trace to {}", path.string()));
    out << JsonCodec().encode(document) << '\n';
    if (!out) throw Error(fmt::format("writing the trace to {} failed", path.string()));
}

}  // namespace mas::mosaik
