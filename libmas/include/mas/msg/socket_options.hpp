#pragma once
/// \file
/// Options of a smart socket (mas::msg::Socket), named as in aiomsg.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <asio/ssl/context.hpp>

#include "mas/msg/envelope.hpp"

namespace mas::msg {

/// How send() without an identity routes a message; never signalled on the wire.
enum class SendMode {
    publish,     ///< to every connected peer
    round_robin  ///< to one peer, the next one on each send
};

/// What the sending socket promises about a message.
enum class Delivery {
    at_most_once,  ///< DATA frames; no acknowledgement, no resend
    at_least_once  ///< DATA_REQ frames, resent until the peer's ACK (round-robin or by identity only)
};

/// How long the connect end waits before its next attempt, given how many attempts in a row have
/// failed (0 right after an established connection was lost).
using ReconnectDelay = std::function<std::chrono::steady_clock::duration(unsigned failures)>;

/// aiomsg's default: a fixed 0.1 s.
ReconnectDelay fixed_delay(std::chrono::steady_clock::duration delay = std::chrono::milliseconds(100));
/// `first`, doubled with each failed attempt in a row up to `max`; each delay is drawn at random
/// from [delay * (1 - jitter), delay] so that a fleet of clients does not reconnect in step.
ReconnectDelay backoff_delay(std::chrono::steady_clock::duration first, std::chrono::steady_clock::duration max,
                             double jitter = 0.5);

// User-provided constructors: see ChannelOptions for the g++ 12 reason.

/// Options of one socket.
struct SocketOptions {
    SocketOptions() noexcept {}
    SendMode send_mode = SendMode::round_robin;
    Delivery delivery = Delivery::at_most_once;
    /// This socket's identity; a random one (UUIDv4 layout) if not set.
    std::optional<Identity> identity;
    /// A HEARTBEAT goes out on a connection that has sent nothing for this long.
    std::chrono::steady_clock::duration heartbeat_interval = std::chrono::seconds(5);
    /// A connection that has received nothing (not even a heartbeat) for this long is torn down;
    /// also the time a new connection has to complete the HELLO exchange.
    std::chrono::steady_clock::duration heartbeat_timeout = std::chrono::seconds(15);
    /// At-least-once: a message not acknowledged within this time is sent again.
    std::chrono::steady_clock::duration resend_timeout = std::chrono::seconds(5);
    /// At-least-once: how often a message is sent again before it is given up (and reported
    /// through on_undelivered and an error in the log).
    int max_resends = 5;
    /// Called with the payload of an at-least-once message given up after max_resends.
    std::function<void(const std::string& payload)> on_undelivered;
    /// Delay between connection attempts of the connect end.
    ReconnectDelay reconnect_delay = fixed_delay();
    /// One connection attempt (TCP connect and TLS handshake) may take this long.
    std::chrono::steady_clock::duration connect_timeout = std::chrono::seconds(1);
    /// Largest envelope accepted or sent; a peer whose length prefix exceeds it is disconnected
    /// before anything is allocated, and send() of a larger payload throws mas::CodecError.
    std::size_t max_frame_size = std::size_t{64} << 20;
    /// send() suspends while this many bytes wait to be written (to a peer or for a peer), so a
    /// slow or absent peer cannot make the sender buffer without bound.
    std::size_t write_high_water = std::size_t{1} << 20;
    /// While this many received messages wait for recv(), the socket stops reading, so the
    /// kernel's flow control slows the peers down instead of messages being dropped.
    std::size_t max_queued_messages = 65536;
    /// When the socket closes, queued frames may take this long to go out before they are dropped.
    std::chrono::steady_clock::duration close_linger = std::chrono::seconds(2);
};

/// Options of Socket::bind.
struct BindOptions {
    BindOptions() noexcept {}
    /// TLS: a server context (see make_tls_server_context); null for plain TCP.
    std::shared_ptr<asio::ssl::context> ssl;
    /// TLS: a client that has not finished its handshake within this time is dropped.
    std::chrono::steady_clock::duration tls_handshake_timeout = std::chrono::seconds(10);
};

/// Options of Socket::connect.
struct ConnectOptions {
    ConnectOptions() noexcept {}
    /// TLS: a client context (see make_tls_client_context); null for plain TCP.
    std::shared_ptr<asio::ssl::context> ssl;
    /// TLS: the name to verify in the server's certificate and send as SNI; empty means the host.
    std::string tls_server_name;
};

}  // namespace mas::msg
