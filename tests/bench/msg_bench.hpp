#pragma once
// Smart-socket throughput (issue 6, "Performance"): one sender streams small messages to one or
// four receivers on another thread, counted where they arrive; next to it, the raw stream of the
// same DATA frames over as many connections (raw_stream.hpp).

#include <string>
#include <string_view>
#include <vector>

#include "measurement.hpp"
#include "mas/msg/socket_options.hpp"

namespace mas::bench {

/// Every message's payload: 16 bytes, about the size of a small control message.
inline constexpr std::string_view msg_payload = "measurement-0042";

struct MsgRun {
    msg::SendMode mode = msg::SendMode::publish;
    msg::Delivery delivery = msg::Delivery::at_most_once;
    std::size_t peers = 1;
    // Socket::try_send() from one buffer of the sender's, and try_recv() for whatever has arrived
    // after each recv(), instead of a co_await send() and recv() per message.
    bool nowait = false;
    ThroughputPhases phases;
};

/// One run of the msg part, selectable as `msg.<name>`.
struct MsgPart {
    std::string name;
    MsgRun run;
    bool goal;  ///< at-most-once: at least 60% of the raw stream
};

/// Every run of the msg part, in the order they run, with `phases`.
std::vector<MsgPart> msg_parts(const ThroughputPhases& phases);

/// Messages per second received over loopback TCP from a libmas smart socket.
double msg_throughput(const MsgRun& run);

}  // namespace mas::bench
