#pragma once
/// \file
/// RPC connections: open_connection and start_server with a service tree (aiomas.rpc).

#include <exception>
#include <functional>
#include <memory>
#include <string>

#include <asio/awaitable.hpp>

#include "mas/channel/channel.hpp"
#include "mas/channel/channel_options.hpp"
#include "mas/channel/server.hpp"
#include "mas/core/endpoint.hpp"
#include "mas/core/json_codec.hpp"
#include "mas/rpc/proxy.hpp"
#include "mas/rpc/router.hpp"
#include "mas/rpc/service.hpp"

namespace mas::rpc {

/// The type name under which RPC connections register the service/proxy type with their codec.
/// It is always the codec's last type, so its id is the number of other types, as in aiomas
/// (0 for plain RPC connections; 1 + number of extra serializers in containers).
inline constexpr std::string_view proxy_type_name = "aiomas.rpc.Proxy";

/// A copy of `codec` (or of a default JsonCodec if null) with the proxy type added last.
std::shared_ptr<const Codec> with_proxy_type(const std::shared_ptr<const Codec>& codec);

/// Called with the reason when a connection ends (peer closed it, it broke, or it was closed
/// locally); the exception_ptr holds a mas::ConnectionError.
using ResetCallback = std::function<void(std::exception_ptr)>;

/// One RPC connection (aiomas' RpcClient): a channel whose incoming requests are served by a
/// local service tree and whose remote side is reached through remote(). Each incoming request
/// is resolved by path and runs; coroutine functions run concurrently. A copyable handle; the
/// connection closes when close() is called, the peer goes away, or the last handle and the last
/// proxy from remote() are gone. All operations run on the connection's executor.
class Connection {
public:
    /// An empty handle (Asio needs result types to be default-constructible); assign to it.
    Connection() = default;
    Connection(std::shared_ptr<detail::ConnectionState> state, std::shared_ptr<void> owner);

    /// The proxy of the remote root service.
    [[nodiscard]] Proxy remote() const;
    /// The channel underneath.
    [[nodiscard]] Channel channel() const;
    /// Sets the callback for the end of this connection (called once, on its executor; soon
    /// after if it has already ended). As in aiomas, there is one: a new one replaces the one
    /// set before, and an empty function removes it (aiomas' `None`).
    void on_connection_reset(ResetCallback callback) const;
    /// Closes the connection; pending calls in both directions fail. Never throws.
    void close() const noexcept;
    [[nodiscard]] bool is_open() const noexcept;
    /// The peer's address as the channel reports it.
    [[nodiscard]] std::string peer() const;
    [[nodiscard]] const std::shared_ptr<detail::ConnectionState>& state() const noexcept { return state_; }

private:
    std::shared_ptr<detail::ConnectionState> state_;
    std::shared_ptr<void> owner_;
};

/// Opens an RPC connection to `endpoint` (as mas::open_connection; `options.codec` is extended
/// with the proxy type). If `service` is given, the peer can call it and its sub-services back
/// over this connection; it must outlive the connection. Throws mas::ConnectionError.
asio::awaitable<Connection> open_connection(Endpoint endpoint, Router* service = nullptr,
                                            ConnectOptions options = {});

/// open_connection with `service`'s tree served to the peer.
inline asio::awaitable<Connection> open_connection(Endpoint endpoint, Service& service, ConnectOptions options = {}) {
    return open_connection(std::move(endpoint), &service.router(), std::move(options));
}

/// Called, as its own coroutine, for each accepted RPC connection.
using RpcClientConnected = std::function<asio::awaitable<void>(Connection)>;

/// Starts an RPC server on `endpoint` that serves `service` to every client (as
/// mas::start_server). `on_connect`, if set, is called for each new connection, e.g. to keep
/// its remote() proxy for calls back to the client. Server-side connections stay open until the
/// peer or the server closes them. `service` must outlive the server. Throws as start_server.
asio::awaitable<Server> start_server(Endpoint endpoint, Router& service, RpcClientConnected on_connect = {},
                                     ServerOptions options = {});

/// start_server serving `service`'s tree.
inline asio::awaitable<Server> start_server(Endpoint endpoint, Service& service, RpcClientConnected on_connect = {},
                                            ServerOptions options = {}) {
    return start_server(std::move(endpoint), service.router(), std::move(on_connect), std::move(options));
}

/// Serves `service` on an already open channel (e.g. one accepted by your own server callback)
/// and returns its RPC connection. The channel's codec must know the proxy type
/// (with_proxy_type) for service arguments to work. Runs on the channel's executor.
Connection serve(Channel channel, Router* service);

}  // namespace mas::rpc
