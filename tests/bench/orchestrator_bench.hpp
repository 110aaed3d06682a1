#pragma once
// The orchestrator's whole-run speed (issue 5, "Performance"): a World runs trivial time-based
// simulators in this process or as child processes over loopback TCP, and the wall time of the
// whole run (starting the simulators to the last stop) gives time steps per second. The run with
// processes has a raw baseline, RawChainBench (raw_chain.hpp), measured next to it in every round.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mas::bench {

/// The flag that makes mas-bench run as one served bench simulator (followed by run_simulator's
/// command line, e.g. `127.0.0.1:4242 -l warn`).
inline constexpr std::string_view orchestrator_sim_child_flag = "--orchestrator-sim-child";

/// The main of a child process: the bench simulator through mas::mosaik::run_simulator.
int run_orchestrator_child(int argc, char** argv);

/// One run of a chain of simulators: sim k's entity i feeds sim k+1's entity i.
struct ChainRun {
    std::size_t sims = 2;
    std::size_t entities = 1;
    std::int64_t steps = 1000;
    /// Empty: in this process; else this executable, started once per simulator as a `cmd`.
    std::string self;
};

/// Time steps per second of the whole run. Throws std::runtime_error if the run fails or the
/// last simulator's values are not what the chain computes.
double run_chain(const ChainRun& run);

/// Which runs of the orchestrator part to make (`--only orchestrator.<run>`).
struct OrchestratorRuns {
    bool two = true;        ///< orchestrator.2: two in-process simulators
    bool processes = true;  ///< orchestrator.2proc: two simulator processes, and its raw baseline
    bool chain = true;      ///< orchestrator.chain: ten in-process simulators of 100 entities

    [[nodiscard]] bool any() const noexcept { return two || processes || chain; }
};

class Report;

/// Makes the selected runs `rounds` times (`self` is this executable, started as the simulator
/// processes and the raw step servers) and adds their figures: steps per second with min, median
/// and max over the rounds, and their ratios to mosaik's and to the raw baseline with the goals of
/// issue 5. Throws std::runtime_error if a run fails or computes a wrong value.
void run_orchestrator(const std::string& self, const OrchestratorRuns& runs, int rounds, Report& report);

/// The frames (header included) of one time step of two simulators with one entity each, as the
/// World sends and the simulators answer them: A's step, A's get_data, B's step.
struct ChainFrames {
    std::string a_step, a_step_reply, a_get_data, a_get_data_reply, b_step, b_step_reply;
};
ChainFrames chain_frames();

}  // namespace mas::bench
