#pragma once
// The smart-socket part's raw baseline: the same DATA frames streamed one way by blocking
// sockets, arranged as the libmas run it divides: one producer thread that frames each message
// as it comes and sends it round-robin over one or four loopback connections, and one consumer
// thread that reads them all, checks each frame is DATA and counts it exactly as the libmas
// receivers count (one ThroughputWindow record, so one clock read, per message).

#include <cstddef>
#include <string_view>

#include "measurement.hpp"

namespace mas::bench {

/// Messages per second of the raw stream of DATA frames carrying `payload` over `connections`
/// loopback TCP connections, counted where they arrive. Throws std::system_error on a socket
/// failure and std::runtime_error on a frame that is not DATA.
double raw_stream_throughput(std::string_view payload, std::size_t connections, const ThroughputPhases& phases);

}  // namespace mas::bench
