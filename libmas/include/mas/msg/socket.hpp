#pragma once
/// \file
/// Socket: an aiomsg v1 smart socket. One object binds and connects any number of times, holds
/// many connections at once, merges what they receive into one stream, routes what it sends
/// (publish, round-robin, or to one identity), keeps connections alive with heartbeats,
/// reconnects its connect ends for as long as it lives, buffers while no peer is there, and can
/// resend until acknowledged (at-least-once).

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "mas/core/endpoint.hpp"
#include "mas/msg/envelope.hpp"
#include "mas/msg/socket_options.hpp"

namespace mas::msg {

namespace detail {
class SocketImpl;
}

/// A received message and the identity of the socket that sent it.
struct Message {
    Identity identity{};
    std::string payload;
};

/// A smart socket. It lives on one executor; every member must be called from that executor's
/// thread. Move-only; destroying it closes it.
class Socket {
public:
    /// A socket on `executor`. Throws mas::ConfigError for contradictory options.
    explicit Socket(asio::any_io_executor executor, SocketOptions options = {});
    ~Socket();
    Socket(Socket&&) noexcept;
    Socket& operator=(Socket&&) noexcept;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    /// Listens on a TCP (optionally TLS), Unix or local endpoint and returns it with port 0
    /// replaced by the real port. Peers that connect are served until they or this socket close.
    /// Throws mas::ConnectionError if the endpoint cannot be bound, mas::ConfigError for TLS on a
    /// non-TCP endpoint.
    asio::awaitable<Endpoint> bind(Endpoint endpoint, BindOptions options = {});
    /// Starts connecting to `endpoint` and returns at once: the connection is made in the
    /// background and made again after every loss, until the socket closes (aiomsg's connect
    /// end). Failed attempts are logged (a refused certificate as an error) and retried after
    /// SocketOptions::reconnect_delay.
    void connect(Endpoint endpoint, ConnectOptions options = {});

    /// Sends `payload` by the socket's send mode. With no peer connected it is buffered and sent,
    /// in order, when one connects. Suspends while write_high_water bytes wait. Throws
    /// mas::ConfigError for at-least-once with publish, mas::CodecError for a payload over
    /// max_frame_size, mas::ConnectionError once the socket is closed.
    asio::awaitable<void> send(std::string payload);
    /// Sends `payload` to the peer with identity `to` only. Throws mas::ConnectionError if no
    /// such peer is connected (at-least-once resends do wait for it to come back).
    asio::awaitable<void> send(std::string payload, const Identity& to);
    /// send() without suspending, for producers that send from a buffer of their own or many
    /// messages at a time: if fewer than write_high_water bytes wait, `payload` is copied out
    /// (sent, or buffered for want of a peer) and the result is true; otherwise nothing happens
    /// and the result is false (co_await send() then waits for room). Throws as send() does.
    bool try_send(std::string_view payload);
    /// try_send() to the peer with identity `to` only.
    bool try_send(std::string_view payload, const Identity& to);

    /// The next received payload, from any connection. Throws mas::ConnectionError once the
    /// socket is closed and nothing is left to receive.
    asio::awaitable<std::string> recv();
    /// recv() with the sender's identity.
    asio::awaitable<Message> recv_identity();
    /// Async iteration: the next message, or nothing once the socket is closed and drained:
    /// `while (auto m = co_await socket.next()) { ... }`.
    asio::awaitable<std::optional<Message>> next();
    /// recv() without suspending: the next payload if one has been received and waits, else
    /// nothing (also once the socket is closed). A consumer of many small messages can take
    /// what has arrived in one go after each recv().
    std::optional<std::string> try_recv();
    /// try_recv() with the sender's identity.
    std::optional<Message> try_recv_identity();

    /// Waits until everything sent so far has left: nothing is buffered for want of a peer, every
    /// connection has handed its frames to the system, and every at-least-once message has been
    /// acknowledged or given up. Throws mas::ConnectionError if the socket closes first.
    asio::awaitable<void> flush();
    /// Waits until exactly `count` peers are connected (the HELLO exchange done).
    asio::awaitable<void> wait_connections(std::size_t count);

    /// Closes every listener and connection (queued frames get close_linger to go out), stops
    /// reconnecting, and wakes every waiter with mas::ConnectionError. Never throws.
    void close() noexcept;

    [[nodiscard]] const Identity& identity() const noexcept;
    [[nodiscard]] const SocketOptions& options() const noexcept;
    /// Peers whose HELLO exchange is done, in the order they connected.
    [[nodiscard]] std::vector<Identity> peers() const;
    [[nodiscard]] std::size_t connection_count() const noexcept;
    /// Messages buffered because no peer was there to take them.
    [[nodiscard]] std::size_t buffered_messages() const noexcept;
    /// At-least-once messages sent but not acknowledged yet.
    [[nodiscard]] std::size_t unacknowledged() const noexcept;

private:
    std::shared_ptr<detail::SocketImpl> impl_;
};

}  // namespace mas::msg
