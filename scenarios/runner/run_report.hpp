#pragma once
// The HTML report of a run (mas-run --report, mas-report): one self-contained page, opened from
// disk with no server and no network, with the run's summary, the collected time series as
// interactive plots (dygraphs, inlined from Debian's libjs-dygraphs), the schedule of every step
// and the scenario graph. docs/report.md describes the page.

#include <cstddef>
#include <filesystem>

#include "mas/core/json.hpp"

namespace mas::runner {

struct ReportOptions {
    /// Where dygraph.min.js and dygraph.min.css are (Debian's libjs-dygraphs by default).
    std::filesystem::path dygraphs_dir = MAS_DYGRAPHS_DIR;
    /// How many of the slowest steps the summary lists.
    std::size_t slowest_steps = 10;
    /// At most about this many values go into the page (a page of 100 MB still opens); beyond,
    /// every plot keeps every n-th of its times, and says so. The results file has them all.
    std::size_t max_values = 5'000'000;
};

/// Reads a trace file that mas-run wrote with --trace. Throws mas::Error naming the file if it
/// is missing, cut short or not JSON.
[[nodiscard]] Json read_trace(const std::filesystem::path& path);

/// Writes the report of the run that `trace` describes (StepTrace::to_json() with run_record()
/// as metadata) to `out`, reading the collectors' results files the record names. The page is
/// written to a temporary file next to `out` and renamed over it at the end, so that `out` is
/// never half a report. Throws mas::Error with a one-line reason: a trace without mas-run's
/// record, a results file that is missing or not a collector's, dygraphs not installed, `out`
/// not writable.
void write_report(const Json& trace, const std::filesystem::path& out, const ReportOptions& options = {});

}  // namespace mas::runner
