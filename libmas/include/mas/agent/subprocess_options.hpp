#pragma once
/// \file
/// SubprocessOptions: how start_subprocess_container starts a child container.

#include <chrono>
#include <string>
#include <vector>

#include "mas/agent/date_time.hpp"

namespace mas::agent {

/// The clock a subprocess container runs on (its `--clock` option).
enum class ClockKind {
    external,  ///< an ExternalClock, moved by SubprocessContainer::set_time (aiomas' default)
    real,      ///< a RealTimeClock
};

/// Options of start_subprocess_container (user-provided constructor: see the g++ 12 note in
/// channel_options.hpp).
struct SubprocessOptions {
    SubprocessOptions() noexcept {}
    /// The address the child's container listens on (`--addr`); port 0 picks a free port.
    std::string addr = "tcp://127.0.0.1:0";
    /// The child's clock (`--clock`).
    ClockKind clock = ClockKind::external;
    /// The start date of an external clock (`--utc-start`); the Unix epoch by default.
    DateTime utc_start;
    /// The initial time of an external clock in seconds (`--init-time`).
    double init_time = 0;
    /// The child's log level (`--log-level`): trace, debug, info, warn, error, critical or off.
    std::string log_level = "info";
    /// Further command-line arguments for the child program, after the ones above.
    std::vector<std::string> extra_args;
    /// How long the child may take to print its ready line; then it is killed (mas::Timeout).
    std::chrono::steady_clock::duration startup_timeout = std::chrono::seconds(10);
    /// How long SubprocessContainer::stop waits for the reply and again for the exit before it
    /// kills the child with SIGKILL.
    std::chrono::steady_clock::duration stop_timeout = std::chrono::seconds(10);
};

}  // namespace mas::agent
