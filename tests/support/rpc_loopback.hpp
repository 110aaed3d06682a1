#pragma once
// An RPC server and its clients over one transport, for RPC tests.

#include <memory>
#include <optional>

#include <asio/experimental/channel.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>

#include "mas/rpc/connection.hpp"
#include "support/run.hpp"
#include "support/transports.hpp"

namespace mas::test {

/// Queue of RPC connections accepted by a test server, in accept order.
using RpcAcceptQueue = asio::experimental::channel<void(std::error_code, rpc::Connection)>;

/// Serves `service` on a test server; accepted connections go into a queue the test can await.
struct RpcLoopback {
    RpcLoopback(TransportKind kind, rpc::Router& service)
        : setup(make_transport(kind)), accepted(std::make_shared<RpcAcceptQueue>(io, 64)) {
        server.emplace(run(io, start(service)));
    }

    asio::awaitable<Server> start(rpc::Router& service) {
        auto queue = accepted;
        rpc::RpcClientConnected on_connect = [queue](rpc::Connection connection) {
            return push(queue, std::move(connection));
        };
        co_return co_await rpc::start_server(setup.listen, service, std::move(on_connect), setup.server);
    }

    static asio::awaitable<void> push(std::shared_ptr<RpcAcceptQueue> queue, rpc::Connection connection) {
        co_await queue->async_send(std::error_code(), std::move(connection), asio::use_awaitable);
    }

    /// Opens a client connection that serves `client_service` (if any) to the server.
    asio::awaitable<rpc::Connection> connect(rpc::Router* client_service = nullptr) {
        co_return co_await rpc::open_connection(connect_endpoint(setup, server->endpoint()), client_service,
                                                setup.client);
    }

    /// The server side of the next accepted connection.
    asio::awaitable<rpc::Connection> next_accepted() {
        co_return co_await accepted->async_receive(asio::use_awaitable);
    }

    asio::io_context io;
    TransportSetup setup;
    std::shared_ptr<RpcAcceptQueue> accepted;
    std::optional<Server> server;
};

}  // namespace mas::test
