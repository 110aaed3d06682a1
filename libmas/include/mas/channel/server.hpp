#pragma once
/// \file
/// start_server: accept channels on TCP, Unix socket, TLS or local endpoints.

#include <cstddef>
#include <functional>
#include <memory>

#include <asio/awaitable.hpp>

#include "mas/channel/channel.hpp"
#include "mas/channel/channel_options.hpp"
#include "mas/core/endpoint.hpp"

namespace mas {

namespace detail {
class ServerImpl;
}

/// Called, as its own coroutine, for each accepted connection (aiomas' client_connected_cb).
/// An exception it throws is logged and closes that channel; the server keeps running. The
/// channel stays open after the callback returns for as long as a copy of it exists.
using ClientConnected = std::function<asio::awaitable<void>(Channel)>;

/// A listening server. A copyable handle: the last copy closes it.
class Server {
public:
    /// An empty handle (Asio needs result types to be default-constructible); assign to it.
    Server() = default;
    explicit Server(std::shared_ptr<detail::ServerImpl> impl);

    /// The endpoint actually listened on (port 0 replaced by the port the system chose).
    [[nodiscard]] const Endpoint& endpoint() const noexcept;
    /// Stops accepting and closes every channel this server accepted. Never throws.
    void close() noexcept;
    /// Stops accepting (the port or socket file is released) and lets go of the channels accepted
    /// so far: they stay open until they are closed themselves, whatever happens to the server
    /// later (as after asyncio's Server.close()). connection_count() is 0 from then on. Never throws.
    void stop_accepting() noexcept;
    /// Number of accepted channels that are still open.
    [[nodiscard]] std::size_t connection_count() const noexcept;

private:
    std::shared_ptr<detail::ServerImpl> impl_;
    std::shared_ptr<void> owner_;
};

/// Starts listening on `endpoint` on the calling coroutine's executor and calls `on_connect`
/// for each new channel. TCP accepts IPv4, IPv6 and host names (the first address the name
/// resolves to); a Unix socket path left over by a dead server is replaced; with `options.ssl`
/// every client must complete a TLS handshake (failures are logged and dropped). Throws
/// mas::ConnectionError if the endpoint cannot be bound, mas::ConfigError for bad options.
asio::awaitable<Server> start_server(Endpoint endpoint, ClientConnected on_connect, ServerOptions options = {});

}  // namespace mas
