#pragma once
// How the orchestrator's cost grows with the number of entities (issue 14, "Scale"): scenario
// files written to a temporary directory are run the way mas-run runs a user's file (Scenario ->
// run_scenario -> World -> in-process simulators), each in a fresh child process (this very
// program with --scale-child), so that its peak memory is its own. The shapes follow the issue:
// a chain of ExampleSims connected one to one, a fan-in of many entities into one collector
// entity, and all-to-all between two groups.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mas::bench {

/// The flag that makes mas-bench run one scenario as a scale child: followed by the scenario
/// file, the number of entities and the file to write the result to.
inline constexpr std::string_view scale_child_flag = "--scale-child";

/// The main of a scale child.
int run_scale_child(int argc, char** argv);

/// One scenario shape and size.
struct ScaleCase {
    enum class Shape { chain, fan_in, all_to_all };
    Shape shape = Shape::chain;
    std::size_t sims = 10;      ///< chain: its length; otherwise unused
    std::size_t entities = 100; ///< per simulator (chain), in the fan-in, or per group (all_to_all)
    std::int64_t until = 100;
};

/// What one run of a case measured.
struct ScaleResult {
    double setup_s = 0;       ///< from loading the file to the start of the first step
    double run_s = 0;         ///< from the start of the first step to the end of the last one
    double total_s = 0;       ///< the whole run_scenario, file included, until every simulator stopped
    double peak_mib = 0;      ///< the child's peak resident memory
    double bytes_per_entity = 0;  ///< the peak above what the child had before loading, per entity
    std::size_t entities = 0;     ///< every entity of the scenario
};

class Report;

/// Runs every case `rounds` times (each figure is the median; min and max go with it) and adds
/// the figures, the growth exponents between neighbouring sizes and the goals of issue 14.
void run_scale(const std::string& self, int rounds, Report& report);

/// Writes the case's scenario file into `dir`, runs it in a child (`self` is this executable)
/// and returns what it measured. Throws std::runtime_error if the child fails or a simulator
/// did not step at every time.
ScaleResult run_scale_case(const std::string& self, const std::string& dir, const ScaleCase& scale);

}  // namespace mas::bench
