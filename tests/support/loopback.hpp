#pragma once
// A server and a connected client channel over one transport, for channel tests.

#include <memory>
#include <optional>

#include <asio/experimental/channel.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>

#include "mas/channel/channel.hpp"
#include "mas/channel/server.hpp"
#include "support/run.hpp"
#include "support/transports.hpp"

namespace mas::test {

/// Queue of channels accepted by a test server, in accept order.
using AcceptQueue = asio::experimental::channel<void(std::error_code, Channel)>;

/// Starts a server whose accepted channels go into a queue the test can await.
struct Loopback {
    explicit Loopback(TransportKind kind, const ChannelOptions& common = {})
        : setup(make_transport(kind, common)), accepted(std::make_shared<AcceptQueue>(io, 64)) {
        server.emplace(run(io, start()));
    }

    asio::awaitable<Server> start() {
        auto queue = accepted;
        // g++ 12 destroys a lambda temporary inside a co_await expression twice (GCC PR 100611),
        // so the callback is a named object.
        ClientConnected on_connect = [queue](Channel channel) { return push(queue, std::move(channel)); };
        co_return co_await start_server(setup.listen, std::move(on_connect), setup.server);
    }

    static asio::awaitable<void> push(std::shared_ptr<AcceptQueue> queue, Channel channel) {
        co_await queue->async_send(std::error_code(), std::move(channel), asio::use_awaitable);
    }

    /// Opens a client channel.
    asio::awaitable<Channel> connect() {
        co_return co_await open_connection(server->endpoint(), setup.client);
    }

    /// The next channel the server accepted.
    asio::awaitable<Channel> next_accepted() {
        co_return co_await accepted->async_receive(asio::use_awaitable);
    }

    asio::io_context io;
    TransportSetup setup;
    std::shared_ptr<AcceptQueue> accepted;
    std::optional<Server> server;
};

}  // namespace mas::test
