#pragma once
// The raw baseline: what a request-reply exchange costs with plain blocking POSIX sockets and no
// JSON work at all. A server thread answers each length-prefixed request frame with a fixed
// reply frame; the client (the calling thread) sends the same bytes libmas would send.

#include <memory>
#include <string>
#include <thread>

#include "measurement.hpp"
#include "mas/core/endpoint.hpp"

namespace mas::bench {

class RawFrameReader;

class RawBench final : public RoundTripBench {
public:
    /// Listens on `endpoint` (TCP on an IPv4 literal, port 0 allowed, or a Unix socket path),
    /// starts the server thread and connects the client. Throws std::system_error on failure.
    explicit RawBench(const Endpoint& endpoint);
    /// The same with other frames: every request is `request_frame`, every reply `reply_frame`
    /// (whole frames, header included), e.g. to match the sizes of another protocol's messages.
    RawBench(const Endpoint& endpoint, std::string request_frame, std::string reply_frame);
    /// Closes the client, which ends the server thread, and joins it.
    ~RawBench() override;
    RawBench(const RawBench&) = delete;
    RawBench& operator=(const RawBench&) = delete;

    Latency sequential(std::size_t warmup, std::size_t iterations) override;
    double pipelined(std::size_t in_flight, const ThroughputPhases& phases) override;

private:
    /// Blocks until at least one whole reply arrived; returns how many did.
    std::size_t read_replies();

    int listener_ = -1;
    int client_ = -1;
    std::thread server_;
    std::string request_;
    std::unique_ptr<RawFrameReader> reader_;
};

}  // namespace mas::bench
