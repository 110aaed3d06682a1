#pragma once
// The soak: RPC and agent calls over many reconnecting connections, and an at-least-once smart
// socket stream, for a long time, while the servers behind them are killed with SIGKILL and
// started again at random moments. Every call must come back with its right answer or fail with
// an error within its timeout; every message must arrive at least once; the driver's memory and
// descriptors must stay flat.

#include <cstdint>
#include <string>

namespace mas::soak {

struct SoakOptions {
    SoakOptions() noexcept {}
    std::string self;             // this program, started again as the servers
    double duration_s = 1800;
    unsigned connections = 50;    // half RPC connections, half agent containers
    unsigned servers = 2;         // RPC servers, and as many agent servers
    double kill_min_s = 1;        // a kill every [kill_min_s, kill_max_s], at random
    double kill_max_s = 6;
    double call_timeout_s = 10;   // a call taking longer counts as hung
    unsigned msg_rate = 2000;     // smart-socket messages per second
    std::uint64_t seed = 0;       // 0: a random seed (printed)
    bool json = false;
};

/// Runs the soak and prints its figures; returns 0 if nothing was wrong, lost or hung, no server
/// died on its own, and the driver's descriptors did not grow.
int run_soak(const SoakOptions& options);

}  // namespace mas::soak
