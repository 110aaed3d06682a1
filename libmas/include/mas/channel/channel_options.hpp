#pragma once
/// \file
/// Options shared by channels, connections and servers.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include <asio/ssl/context.hpp>

#include "mas/channel/frame.hpp"
#include "mas/core/codec.hpp"
#include "mas/core/json_codec.hpp"

namespace mas {

// The option types have user-provided constructors on purpose: g++ 12.2 destroys a
// brace-initialised aggregate temporary twice when it appears inside a co_await expression
// (e.g. a defaulted `options = {}` argument), and these types are passed exactly there.

/// Options of one channel.
struct ChannelOptions {
    ChannelOptions() noexcept {}
    /// The codec (aiomas' `codec=`): JsonCodec, MsgPackCodec or MsgPackBloscCodec, with their
    /// custom types; null means a default JsonCodec (Python-identical JSON, no custom types).
    /// Both ends of a connection must use the same kind.
    std::shared_ptr<const Codec> codec;
    /// Largest payload accepted or sent. A frame whose length header exceeds it is rejected
    /// before anything is allocated, and the connection is closed.
    std::size_t max_message_size = default_max_message_size;
    /// When this many bytes wait to be written, send() and Request::reply() suspend until the
    /// peer has read enough, so a slow reader cannot make the sender buffer without bound.
    std::size_t write_high_water = 1U << 20;
    /// When this many received requests wait for recv(), the channel stops reading from the
    /// socket until recv() takes one, so the kernel's flow control slows the peer down.
    std::size_t max_queued_requests = 1024;
    /// How long close() keeps trying to flush already queued replies before dropping them.
    std::chrono::steady_clock::duration close_linger = std::chrono::seconds(2);
};

/// What a reconnecting channel reports through ReconnectPolicy::on_state.
enum class ChannelState {
    connected,     ///< a new connection is up (after a loss); later calls go over it
    disconnected,  ///< the connection was lost; the calls in flight failed with ConnectionError
    reconnecting,  ///< an attempt is about to be made (`attempt` counts from 1 after each loss)
    closed         ///< no more attempts (max_attempts used up, or closed locally)
};

struct ChannelEvent {
    ChannelState state;
    unsigned attempt = 0;
    std::string reason;  ///< why the connection was lost or the last attempt failed
};

/// Opt-in reconnection of a client channel (and so of an RPC connection or a container's
/// connection to another container). After a loss, the requests in flight fail with
/// mas::ConnectionError (they are never sent again) and the channel reconnects in the background:
/// a send() or recv() made meanwhile waits for the next attempt and goes over the new connection,
/// or fails with that attempt's error. Requests received on the lost connection can no longer be
/// answered. Each side numbers its requests from 0 again on the new connection, as aiomas does.
struct ReconnectPolicy {
    ReconnectPolicy() noexcept {}
    /// Attempts after one loss before the channel gives up and closes; 0: no limit.
    unsigned max_attempts = 0;
    /// The delay before the first attempt, doubled after each failed attempt up to max_delay.
    std::chrono::steady_clock::duration initial_delay = std::chrono::milliseconds(100);
    std::chrono::steady_clock::duration max_delay = std::chrono::seconds(10);
    /// Each delay is drawn at random from [delay * (1 - jitter), delay], so that many clients of
    /// one restarted server do not all come back at the same moment.
    double jitter = 0.5;
    /// One attempt (connect and TLS handshake) may take this long.
    std::chrono::steady_clock::duration connect_timeout = std::chrono::seconds(5);
    /// Called on the channel's executor at every state change; must not throw.
    std::function<void(const ChannelEvent&)> on_state;

    /// The delay before the next attempt after `failures` failed attempts in a row.
    [[nodiscard]] std::chrono::steady_clock::duration delay(unsigned failures, std::mt19937_64& random) const;
};

/// A connect timeout that never passes: attempts go on until the server is up (aiomas'
/// `timeout=None`).
inline constexpr std::chrono::steady_clock::duration retry_forever = std::chrono::steady_clock::duration::max();

/// Options of open_connection.
struct ConnectOptions : ChannelOptions {
    ConnectOptions() noexcept {}
    /// If set, connection attempts are retried (every 100 ms) until the server is up or this
    /// much time has passed (aiomas' `timeout`; retry_forever, or any time too long to count,
    /// for its `None`); if not set, one attempt is made (aiomas' 0).
    std::optional<std::chrono::steady_clock::duration> timeout;
    /// TLS: a context from make_ssl_client_context; null for plain TCP.
    std::shared_ptr<asio::ssl::context> ssl;
    /// TLS: the host name to verify and send as SNI; empty means the endpoint's host.
    std::string tls_server_name;
    /// If set, the channel reconnects after a loss (see ReconnectPolicy); the first connection
    /// is still made (and retried within `timeout`) before open_connection returns.
    std::optional<ReconnectPolicy> reconnect;
};

/// Options of start_server.
struct ServerOptions : ChannelOptions {
    ServerOptions() noexcept {}
    /// TLS: a context from make_ssl_server_context; null for plain TCP.
    std::shared_ptr<asio::ssl::context> ssl;
    /// TLS: a client that has not completed the handshake within this time is dropped.
    std::chrono::steady_clock::duration tls_handshake_timeout = std::chrono::seconds(10);
};

}  // namespace mas
