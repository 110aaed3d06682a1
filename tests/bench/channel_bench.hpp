#pragma once
// The libmas channel benchmark: a start_server on its own thread and io_context answering every
// request with the sum of its arguments, and a client channel on the calling thread's
// io_context, the way a container and its peer would run.

#include <thread>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

#include "measurement.hpp"
#include "mas/channel/channel.hpp"
#include "mas/channel/server.hpp"
#include "mas/core/endpoint.hpp"

namespace mas::bench {

class ChannelBench final : public RoundTripBench {
public:
    /// Starts the server on `endpoint` (port 0 allowed) on a new thread and connects a client
    /// channel. Throws what start_server or open_connection throw.
    explicit ChannelBench(const Endpoint& endpoint, std::shared_ptr<const Codec> codec = nullptr);
    /// Closes the client, then the server, and joins the server thread.
    ~ChannelBench() override;
    ChannelBench(const ChannelBench&) = delete;
    ChannelBench& operator=(const ChannelBench&) = delete;

    Latency sequential(std::size_t warmup, std::size_t iterations) override;
    double pipelined(std::size_t in_flight, const ThroughputPhases& phases) override;

private:
    void stop_server() noexcept;

    asio::io_context server_io_{1};
    asio::executor_work_guard<asio::io_context::executor_type> server_work_;
    Server server_;
    std::thread server_thread_;
    asio::io_context client_io_{1};
    Channel channel_;
};

}  // namespace mas::bench
