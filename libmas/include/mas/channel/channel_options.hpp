#pragma once
/// \file
/// Options shared by channels, connections and servers.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include <asio/ssl/context.hpp>

#include "mas/channel/frame.hpp"
#include "mas/core/json_codec.hpp"

namespace mas {

// The option types have user-provided constructors on purpose: g++ 12.2 destroys a
// brace-initialised aggregate temporary twice when it appears inside a co_await expression
// (e.g. a defaulted `options = {}` argument), and these types are passed exactly there.

/// Options of one channel.
struct ChannelOptions {
    ChannelOptions() noexcept {}
    /// The codec; null means a default JsonCodec (Python-identical JSON, no custom types).
    std::shared_ptr<const JsonCodec> codec;
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

/// Options of open_connection.
struct ConnectOptions : ChannelOptions {
    ConnectOptions() noexcept {}
    /// If set, connection attempts are retried (every 100 ms) until the server is up or this
    /// much time has passed (aiomas' `timeout`); if not set, one attempt is made.
    std::optional<std::chrono::steady_clock::duration> timeout;
    /// TLS: a context from make_ssl_client_context; null for plain TCP.
    std::shared_ptr<asio::ssl::context> ssl;
    /// TLS: the host name to verify and send as SNI; empty means the endpoint's host.
    std::string tls_server_name;
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
