#pragma once
// mosaik's per-step cost: a lean driver here plays mosaik over loopback TCP against ExampleSim
// served by mas::mosaik::serve in a child process (this very program, started with
// --mosaik-sim-child HOST:PORT, which runs mas::mosaik::run_simulator as example-sim does), the
// way mosaik starts a simulator with its `cmd` starter and waits for it to connect back.
//
// The driver uses blocking sockets and does no JSON work while the clock runs: each time step's
// two request frames are encoded with JsonCodec before the clock starts, and a reply is only
// checked for being a success; the last step's replies are decoded and checked after the run.
//
// The raw baseline is the same class driving another child instead (see RawTwin), so that it is
// measured exactly as the figure it divides: same driver code, sockets, socket options and
// process arrangement, same request bytes, one child process answering.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "child_peer.hpp"
#include "mas/core/json.hpp"
#include "measurement.hpp"

namespace mas::bench {

/// The flag that makes mas-bench run as the served ExampleSim (followed by run_simulator's
/// command line, e.g. `127.0.0.1:4242 -l warn`).
inline constexpr std::string_view mosaik_sim_child_flag = "--mosaik-sim-child";

/// The main of the child process: ExampleSim through mas::mosaik::run_simulator.
int run_mosaik_child(int argc, char** argv);

/// Selects MosaikBench's raw baseline constructor.
struct RawTwin {};

class MosaikBench {
public:
    /// Starts the child `self` (the path of this executable) as ExampleSim, then sends init,
    /// create(entities, "ExampleModel", init_val=0) and setup_done. Throws std::runtime_error if
    /// the child fails or answers unexpectedly.
    MosaikBench(const std::string& self, std::size_t entities);
    /// The raw baseline of `model`, which must have run at least one time step: starts the raw
    /// step server (see raw_step_server.hpp) instead of ExampleSim and has it answer the requests,
    /// in turn, with the two replies `model` received in its last time step. run() then sends
    /// the same requests as `model` does. Throws like the other constructor.
    MosaikBench(const std::string& self, const MosaikBench& model, RawTwin);
    /// Stops the child if stop() was not called; on any failure ends it. Never throws.
    ~MosaikBench();
    MosaikBench(const MosaikBench&) = delete;
    MosaikBench& operator=(const MosaikBench&) = delete;

    /// `warmup` unmeasured time steps, then `count` timed ones. Every entity gets delta = 1 from
    /// its own controller at every step, and get_data asks for val and delta of all entities.
    /// Throws std::runtime_error on a failure reply or a wrong result.
    StepTimes run(std::size_t warmup, std::size_t count);

    /// Sends stop (ends the connection, for the raw twin) and waits for the child to close the
    /// connection and exit with status 0. Throws std::runtime_error otherwise.
    void stop();

private:
    /// One time step, timed from sending step to having received all of get_data's reply.
    Clock::duration time_step();
    /// Decodes the last step's replies and checks them against the model (for the raw twin:
    /// compares them with the replies it was given).
    void check_last_step() const;

    std::size_t entities_;
    bool raw_ = false;
    ChildPeer peer_;
    std::uint64_t next_id_ = 0;
    std::int64_t time_ = 0;
    Json step_content_;
    Json get_data_content_;
    std::string step_request_, step_reply_, get_data_request_, get_data_reply_;  // payloads of the replies
    std::string raw_step_reply_, raw_get_data_reply_;  // the raw twin: the payloads it must get back
};

}  // namespace mas::bench
