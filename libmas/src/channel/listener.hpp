#pragma once
// Listener: the accepting half of a server, shared by channel servers and smart sockets. It owns
// the acceptor, does the TLS handshake of each client in its own coroutine (so a slow client
// cannot hold up the others) and hands every ready transport to a callback.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/steady_timer.hpp>
#include <asio/ssl/context.hpp>

#include "channel/local_queue.hpp"
#include "channel/transport.hpp"
#include "mas/core/endpoint.hpp"

namespace mas::detail {

struct ListenOptions {
    /// A server context for TLS; null for plain connections (TLS needs a TCP endpoint).
    std::shared_ptr<asio::ssl::context> ssl;
    /// A client that has not completed the TLS handshake within this time is dropped.
    std::chrono::steady_clock::duration tls_handshake_timeout = std::chrono::seconds(10);
    /// Used in log lines ("server", "socket 1a2b..."), so a user can tell listeners apart.
    std::string owner = "server";
};

class Listener : public std::enable_shared_from_this<Listener> {
public:
    /// Runs on the listener's executor for each accepted transport, never after close().
    using OnAccept = std::function<void(TransportPtr)>;

    Listener(asio::any_io_executor executor, Endpoint endpoint, ListenOptions options, OnAccept on_accept);

    /// Binds and starts accepting. Throws mas::ConnectionError if the endpoint cannot be bound,
    /// mas::ConfigError for TLS on a non-TCP endpoint.
    asio::awaitable<void> listen();
    /// Stops accepting: releases the port or socket file and ends handshakes in progress. The
    /// transports already handed out are not touched. Never throws.
    void close() noexcept;

    /// The endpoint listened on, with port 0 replaced by the port the system chose.
    [[nodiscard]] const Endpoint& endpoint() const noexcept { return endpoint_; }
    [[nodiscard]] bool accepting() const noexcept { return accepting_; }

private:
    asio::awaitable<void> listen_tcp();
    void listen_unix();
    asio::awaitable<void> accept_loop();
    asio::awaitable<void> after_accept_failure(std::error_code ec);
    asio::awaitable<TransportPtr> accepted_tcp(asio::ip::tcp::socket socket);
    asio::awaitable<void> handshake(asio::ip::tcp::socket socket, std::string peer);
    void hand_out(TransportPtr transport);

    asio::any_io_executor executor_;
    Endpoint endpoint_;
    ListenOptions options_;
    OnAccept on_accept_;
    std::optional<asio::ip::tcp::acceptor> tcp_;
    std::optional<asio::local::stream_protocol::acceptor> unix_;
    std::optional<LocalListener> local_;
    std::vector<asio::ip::tcp::socket*> handshaking_;  // sockets of handshake() coroutines
    // The pause after a failed accept, while there is one. The timer lives in the waiting
    // coroutine, not here: a listener may outlive its io_context, and a timer may not.
    asio::steady_timer* retry_timer_ = nullptr;
    unsigned accept_failures_ = 0;                      // in a row
    bool accepting_ = true;
};

}  // namespace mas::detail
