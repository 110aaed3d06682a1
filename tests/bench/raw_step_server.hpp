#pragma once
// The raw baseline server of the mosaik and orchestrator parts: what serving a time step costs
// with a plain blocking socket and no JSON work at all, in a child process that connects back to
// the driver exactly as example-sim and the orchestrator's `cmd` simulators do (mas-bench
// re-executed with --mosaik-raw-child HOST:PORT). Its first frame from the driver holds the
// replies; it answers every later request frame with the next of them, in turn (step, get_data,
// step, ...), the replies to one batch of requests in one send().

#include <string>
#include <string_view>
#include <vector>

namespace mas::bench {

/// The flag that makes mas-bench run as the raw step server (followed by `HOST:PORT`).
inline constexpr std::string_view raw_step_child_flag = "--mosaik-raw-child";

/// The main of the raw step server; 0 once the driver ended the connection cleanly.
int run_raw_step_child(int argc, char** argv);

/// The whole frame (length header and payload) around `payload`.
std::string whole_frame(std::string_view payload);

/// The raw step server's first frame: `replies` (whole frames) one after the other.
std::string replies_frame(const std::vector<std::string>& replies);

}  // namespace mas::bench
