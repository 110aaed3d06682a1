#pragma once
// mosaik's per-step cost: a lean driver here plays mosaik over loopback TCP against ExampleSim
// served by mas::mosaik::serve in a child process (this very program, started with
// --mosaik-sim-child HOST:PORT, which runs mas::mosaik::run_simulator as example-sim does), the
// way mosaik starts a simulator with its `cmd` starter and waits for it to connect back.
//
// The driver uses blocking sockets and does no JSON work while the clock runs: each time step's
// two request frames are encoded with JsonCodec before the clock starts, and a reply is only
// checked for being a success; the last step's replies are decoded and checked after the run.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mas/core/json.hpp"
#include "measurement.hpp"
#include "raw_socket.hpp"

namespace mas::bench {

/// The flag that makes mas-bench run as the served ExampleSim (followed by run_simulator's
/// command line, e.g. `127.0.0.1:4242 -l warn`).
inline constexpr std::string_view mosaik_sim_child_flag = "--mosaik-sim-child";

/// The main of the child process: ExampleSim through mas::mosaik::run_simulator.
int run_mosaik_child(int argc, char** argv);

/// The timings of a run of time steps (each one step plus one get_data).
struct StepTimes {
    Latency latency;
    double per_s = 0;  ///< time steps per second: count over the sum of the step times
};

/// The whole frames (header included) of one time step, as sent and received.
struct StepFrames {
    std::string step_request, step_reply, get_data_request, get_data_reply;
};

class MosaikBench {
public:
    /// Listens on 127.0.0.1:0, starts the child `self` (the path of this executable), waits up to
    /// 30 s for it to connect, then sends init, create(entities, "ExampleModel", init_val=0) and
    /// setup_done. Throws std::runtime_error if the child fails or answers unexpectedly.
    MosaikBench(const std::string& self, std::size_t entities);
    /// Sends stop, waits for the child to exit; on any failure ends the child. Never throws.
    ~MosaikBench();
    MosaikBench(const MosaikBench&) = delete;
    MosaikBench& operator=(const MosaikBench&) = delete;

    /// `warmup` unmeasured time steps, then `count` timed ones. Every entity gets delta = 1 from
    /// its own controller at every step, and get_data asks for val and delta of all entities.
    /// Throws std::runtime_error on a failure reply or a wrong result.
    StepTimes run(std::size_t warmup, std::size_t count);

    /// The frames of the last time step run.
    [[nodiscard]] StepFrames last_frames() const;

    /// Sends stop and waits for the child to close the connection and exit with status 0.
    /// Throws std::runtime_error otherwise.
    void stop();

private:
    /// Sends `request` and returns the reply's payload (valid until the next call); throws on a
    /// failure reply.
    std::string_view exchange(const std::string& request);
    /// One time step, timed from sending step to having received all of get_data's reply.
    Clock::duration time_step();
    /// Decodes the last step's replies and checks them against the model.
    void check_last_step() const;
    void shut_down() noexcept;

    std::size_t entities_;
    int listener_ = -1;
    int socket_ = -1;
    pid_t child_ = -1;
    RawFrameReader reader_;
    std::uint64_t next_id_ = 0;
    std::int64_t time_ = 0;
    Json step_content_;
    Json get_data_content_;
    std::string step_request_, step_reply_, get_data_request_, get_data_reply_;  // payloads of the replies
};

}  // namespace mas::bench
