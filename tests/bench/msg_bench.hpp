#pragma once
// Smart-socket throughput (issue 6, "Performance"): one sender streams small messages to one or
// four receivers on another thread, counted where they arrive; next to it, the same DATA frames
// streamed one way over one loopback connection by blocking sockets, 64 frames per write.

#include "measurement.hpp"
#include "mas/msg/socket_options.hpp"

namespace mas::bench {

struct MsgRun {
    msg::SendMode mode = msg::SendMode::publish;
    msg::Delivery delivery = msg::Delivery::at_most_once;
    std::size_t peers = 1;
    // Socket::try_send() from one buffer of the sender's, and try_recv() for whatever has arrived
    // after each recv(), instead of a co_await send() and recv() per message.
    bool nowait = false;
    ThroughputPhases phases;
};

/// Messages per second received over loopback TCP from a libmas smart socket.
double msg_throughput(const MsgRun& run);

/// Messages per second of the raw one-way stream of the same frames.
double raw_stream_throughput(const ThroughputPhases& phases);

}  // namespace mas::bench
