#pragma once
// The record of a finished run that mas-run keeps beside its step trace, for the report: the
// scenario, the simulators with their start modes and steps, their connections, the entities'
// types and the collectors' results files. It travels in the trace file as the trace-event
// format's "metadata" (under "mas_run"), so a report can also be made later from that file.

#include <filesystem>
#include <string>

#include "mas/core/json.hpp"
#include "mas/mosaik/orchestrator/run_scenario.hpp"
#include "mas/mosaik/orchestrator/scenario.hpp"

namespace mas::runner {

/// The results files of `scenario`'s collectors: each simulator's `path` or `csv_path` param,
/// made absolute (a process's relative path from its working directory), `[{"sid", "path"}]`.
[[nodiscard]] Json results_files(const mosaik::Scenario& scenario);

/// The run record of `summary` (see above), for the scenario read from `scenario_path`.
[[nodiscard]] Json run_record(const mosaik::Scenario& scenario, const std::filesystem::path& scenario_path,
                              const mosaik::ScenarioSummary& summary);

/// `trace` (StepTrace::to_json()) with `record` as its metadata.
[[nodiscard]] Json with_run_record(Json trace, Json record);

}  // namespace mas::runner
