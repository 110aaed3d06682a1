#pragma once
// The orchestrator part's raw baseline (`orchestrator.raw.3rt.*`): the time steps of the
// two-process chain (`orchestrator.2proc`) without the World and without the simulators, arranged
// as that run is. Two child processes (mas-bench re-executed as the raw step server, see
// raw_step_server.hpp) connect back over loopback TCP with TCP_NODELAY, as the `cmd` simulators
// A and B connect to the World; this thread drives both, sleeping in a blocking read for every
// reply as the World's thread sleeps in its io_context; the bytes are chain_frames(); and a time
// step is A's step, A's get_data and B's step, one after the other, timed as one.

#include <cstddef>
#include <string>

#include "child_peer.hpp"
#include "measurement.hpp"
#include "orchestrator_bench.hpp"

namespace mas::bench {

class RawChainBench {
public:
    /// Starts the raw step servers A and B (`self` is this executable) and gives A the replies to
    /// its step and get_data, B the reply to its step, to answer in turn. Throws
    /// std::system_error or std::runtime_error if a child fails to start or connect.
    RawChainBench(const std::string& self, ChainFrames frames);

    /// `warmup` untimed, then `count` timed time steps. Throws std::runtime_error if a reply is
    /// not a success or a server closed the connection, and after the run if the last step's
    /// replies are not exactly the frames the servers were given.
    StepTimes run(std::size_t warmup, std::size_t count);

    /// Ends both connections and waits for both servers to exit with status 0. Throws
    /// std::runtime_error otherwise. Without it, destruction ends the children.
    void stop();

private:
    /// One time step, from sending A's step to having received all of B's step reply.
    Clock::duration time_step();
    void check_last_step() const;

    ChainFrames frames_;
    ChildPeer a_;
    ChildPeer b_;
    std::string a_step_reply_, a_get_data_reply_, b_step_reply_;  // payloads of the last step
};

}  // namespace mas::bench
