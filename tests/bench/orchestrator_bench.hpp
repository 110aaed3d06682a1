#pragma once
// The orchestrator's whole-run speed (issue 5, "Performance"): a World runs trivial time-based
// simulators in this process or as child processes over loopback TCP, and the wall time of the
// whole run (setup_done to the last stop) gives time steps per second.

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

/// The frames (header included) of one time step of two simulators with one entity each, as the
/// World sends and the simulators answer them: A's step, A's get_data, B's step.
struct ChainFrames {
    std::string a_step, a_step_reply, a_get_data, a_get_data_reply, b_step, b_step_reply;
};
ChainFrames chain_frames();

}  // namespace mas::bench
