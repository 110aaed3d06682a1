#include "channel_bench.hpp"

#include <exception>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <spdlog/spdlog.h>

#include "mas/core/block_on.hpp"
#include "mas/core/error.hpp"
#include "workload.hpp"

namespace mas::bench {
namespace {

// The server's connection handler: answer requests until the client goes away.
asio::awaitable<void> serve_add(Channel channel) {
    for (;;) {
        Request request;
        try {
            request = co_await channel.recv();
        } catch (const ConnectionError&) {
            co_return;  // the client closed the channel: the benchmark is over
        }
        co_await request.reply(add_result(request.content()));
    }
}

asio::awaitable<std::vector<Clock::duration>> send_sequentially(Channel channel, std::size_t warmup,
                                                                std::size_t iterations) {
    const auto content = add_request();
    for (std::size_t i = 0; i < warmup; ++i) co_await channel.send(content);
    std::vector<Clock::duration> samples;
    samples.reserve(iterations);
    for (std::size_t i = 0; i < iterations; ++i) {
        const auto start = Clock::now();
        co_await channel.send(content);
        samples.push_back(Clock::now() - start);
    }
    co_return samples;
}

// One of the requests kept in flight: as soon as its reply is in, it sends the next one.
asio::awaitable<void> keep_sending(Channel channel, ThroughputWindow& window) {
    const auto content = add_request();
    do {
        co_await channel.send(content);
    } while (window.record());
}

}  // namespace

ChannelBench::ChannelBench(const Endpoint& endpoint, std::shared_ptr<const Codec> codec)
    : server_work_(server_io_.get_executor()) {
    ServerOptions server_options;
    server_options.codec = codec;
    server_ = block_on(server_io_, start_server(endpoint, serve_add, server_options));
    const auto address = server_.endpoint();
    server_thread_ = std::thread([this] { server_io_.run(); });
    try {
        ConnectOptions options;
        options.codec = codec;
        channel_ = block_on(client_io_, open_connection(address, options));
    } catch (...) {
        stop_server();
        throw;
    }
}

ChannelBench::~ChannelBench() {
    // The channel's reader and writer finish on the client context once it is closed.
    channel_ = Channel();
    try {
        client_io_.run();
    } catch (const std::exception& e) {
        spdlog::error("libmas benchmark client: closing: {}", e.what());
    }
    stop_server();
}

void ChannelBench::stop_server() noexcept {
    // The server handle belongs to the server thread; drop it there, then let the context run out.
    asio::post(server_io_, [this] {
        server_ = Server();
        server_work_.reset();
    });
    server_thread_.join();
}

Latency ChannelBench::sequential(std::size_t warmup, std::size_t iterations) {
    return summarize(block_on(client_io_, send_sequentially(channel_, warmup, iterations)));
}

double ChannelBench::pipelined(std::size_t in_flight, const ThroughputPhases& phases) {
    ThroughputWindow window(phases);
    auto running = in_flight;
    std::exception_ptr failure;
    for (std::size_t i = 0; i < in_flight; ++i) {
        asio::co_spawn(client_io_, keep_sending(channel_, window), [&](std::exception_ptr error) {
            if (error && !failure) failure = error;
            --running;
        });
    }
    // The channel's own reader and writer keep the context busy, so run it only until the
    // senders are done.
    while (running > 0) client_io_.run_one();
    if (failure) std::rethrow_exception(failure);
    return window.per_second();
}

}  // namespace mas::bench
