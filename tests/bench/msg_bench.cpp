#include "msg_bench.hpp"

#include <atomic>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <spdlog/spdlog.h>

#include "mas/core/block_on.hpp"
#include "mas/core/error.hpp"
#include "mas/msg/socket.hpp"

namespace mas::bench {
namespace {

// The receivers' side: counts every message of every receiver in one window (one thread).
struct Counting {
    explicit Counting(const ThroughputPhases& phases) : window(phases) {}
    ThroughputWindow window;
    std::atomic<bool> enough{false};
};

asio::awaitable<void> count_messages(msg::Socket& receiver, bool nowait, Counting& counting) {
    try {
        for (;;) {
            co_await receiver.recv();
            if (!counting.window.record()) counting.enough = true;
            if (!nowait) continue;
            // Whatever else has arrived, without suspending.
            while (receiver.try_recv()) {
                if (!counting.window.record()) counting.enough = true;
            }
        }
    } catch (const ConnectionError&) {
        // Closed once the sender is done: the end of the run.
    }
}

asio::awaitable<void> send_until_enough(msg::Socket& sender, const MsgRun& run, const Counting& counting) {
    co_await sender.wait_connections(run.peers);
    if (run.nowait) {
        // From one buffer of the producer's own; send() only when there is no room.
        while (!counting.enough) {
            if (sender.try_send(msg_payload)) continue;
            std::string message(msg_payload);
            co_await sender.send(std::move(message));
        }
        co_return;
    }
    while (!counting.enough) {
        std::string message(msg_payload);
        co_await sender.send(std::move(message));
    }
}

asio::awaitable<Endpoint> bind_loopback(msg::Socket& socket) {
    const auto any_port = Endpoint::tcp("127.0.0.1", 0);
    co_return co_await socket.bind(any_port);
}

}  // namespace

std::vector<MsgPart> msg_parts(const ThroughputPhases& phases) {
    using msg::Delivery;
    using msg::SendMode;
    return {
        {"publish1.at_most_once", {SendMode::publish, Delivery::at_most_once, 1, false, phases}, true},
        {"publish1.at_most_once.nowait", {SendMode::publish, Delivery::at_most_once, 1, true, phases}, true},
        {"roundrobin4.at_most_once", {SendMode::round_robin, Delivery::at_most_once, 4, false, phases}, true},
        {"roundrobin4.at_most_once.nowait", {SendMode::round_robin, Delivery::at_most_once, 4, true, phases}, true},
        {"roundrobin1.at_least_once", {SendMode::round_robin, Delivery::at_least_once, 1, false, phases}, false},
        {"roundrobin4.at_least_once", {SendMode::round_robin, Delivery::at_least_once, 4, false, phases}, false},
    };
}

double msg_throughput(const MsgRun& run) {
    asio::io_context sender_io;
    asio::io_context receiver_io;
    msg::SocketOptions options;
    options.send_mode = run.mode;
    options.delivery = run.delivery;
    msg::Socket sender(sender_io.get_executor(), options);
    const auto bound = block_on(sender_io, bind_loopback(sender));

    Counting counting(run.phases);
    std::vector<std::unique_ptr<msg::Socket>> receivers;
    for (std::size_t i = 0; i < run.peers; ++i) {
        receivers.push_back(std::make_unique<msg::Socket>(receiver_io.get_executor()));
        receivers.back()->connect(bound);
        asio::co_spawn(receiver_io, count_messages(*receivers.back(), run.nowait, counting), asio::detached);
    }
    std::thread receiving([&] { receiver_io.run(); });
    // Closed on their own thread; destroyed only after it has stopped, since the counting
    // coroutines use them until they see the close.
    const auto close_receivers = [&] {
        asio::post(receiver_io, [&] {
            for (auto& receiver : receivers) receiver->close();
        });
        receiving.join();
    };
    try {
        block_on(sender_io, send_until_enough(sender, run, counting));
    } catch (...) {
        close_receivers();
        throw;
    }
    // The receivers kept reading until now, so the sender never blocked on a full buffer.
    close_receivers();
    sender.close();
    sender_io.run();
    return counting.window.per_second();
}

}  // namespace mas::bench
