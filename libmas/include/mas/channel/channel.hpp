#pragma once
/// \file
/// Channel: request-reply messaging over one connection, wire-compatible with aiomas.

#include <cstddef>
#include <memory>
#include <string>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "mas/channel/channel_options.hpp"
#include "mas/channel/request.hpp"
#include "mas/core/endpoint.hpp"
#include "mas/core/json.hpp"

namespace mas {

namespace detail {
class ChannelImpl;
class Redialer;
}

/// One end of a connection. Both ends can send requests and receive the peer's requests; many
/// requests may be in flight at once and replies may come in any order. A Channel is a cheap,
/// copyable handle; the connection lives until close(), until the peer goes away, or until the
/// last handle is destroyed (which closes it, so destroy it on the channel's thread).
/// All operations must run on the channel's executor (the one it was opened or accepted on).
class Channel {
public:
    /// An empty handle (Asio needs result types to be default-constructible); assign to it.
    Channel() = default;
    /// Takes ownership of a started connection (used by open_connection and servers).
    explicit Channel(std::shared_ptr<detail::ChannelImpl> impl);
    /// Takes ownership of a reconnecting client connection (open_connection with a policy).
    explicit Channel(std::shared_ptr<detail::Redialer> redialer);

    /// Sends `content` as a request and returns the peer's result. Throws mas::RemoteError if
    /// the peer answered with a failure, mas::ConnectionError if the channel is or gets closed
    /// before the reply arrives (a protocol error by the peer closes the channel and surfaces as
    /// such), mas::CodecError if the content cannot be encoded or is too large (nothing is sent
    /// then), or if the reply's content cannot be represented (e.g. an integer beyond 64 bits).
    /// Suspends while the write buffer is above its high-water mark.
    /// Cancellation (e.g. by with_timeout) abandons the request; a late reply is dropped.
    asio::awaitable<Json> send(Json content);

    /// Waits for the next request from the peer. Throws mas::ConnectionError once the channel is
    /// closed (locally, by the peer, or after a protocol error). A reconnecting channel goes on
    /// with the next connection after a loss and throws only once it has given up.
    asio::awaitable<Request> recv();

    /// Closes the channel: every pending send() and recv() fails with mas::ConnectionError at
    /// once; replies already queued are still flushed for up to `close_linger`. Never throws.
    void close() noexcept;

    /// Whether the channel can still be used; a reconnecting channel is open while it reconnects.
    [[nodiscard]] bool is_open() const noexcept;
    /// The peer's address, e.g. "127.0.0.1:4242" or "local://name".
    [[nodiscard]] std::string peer() const;
    [[nodiscard]] asio::any_io_executor executor() const;
    /// Bytes queued for writing and not yet handed to the socket.
    [[nodiscard]] std::size_t buffered_bytes() const noexcept;
    /// Received requests waiting for recv().
    [[nodiscard]] std::size_t queued_requests() const noexcept;

private:
    std::shared_ptr<detail::ChannelImpl> impl_;
    std::shared_ptr<detail::Redialer> redialer_;  // set for a reconnecting channel (impl_ is not)
    std::shared_ptr<void> owner_;  // the last copy closes the connection
};

/// Opens a connection to `endpoint` (TCP, Unix socket, or local://name; TLS if `options.ssl` is
/// set) and returns a started channel on the calling coroutine's executor. With
/// `options.timeout`, refused or failing attempts are retried until the deadline. Throws
/// mas::ConnectionError (with the last error) if no connection could be made, including a failed
/// TLS handshake. With `options.reconnect`, the channel reconnects after a loss (ReconnectPolicy).
asio::awaitable<Channel> open_connection(Endpoint endpoint, ConnectOptions options = {});

}  // namespace mas
