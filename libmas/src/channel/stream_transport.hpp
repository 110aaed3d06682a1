#pragma once
// StreamTransport: a Transport over an Asio stream (TCP socket, Unix socket, or TLS stream).

#include <memory>
#include <string>
#include <utility>

#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/read.hpp>
#include <asio/ssl/error.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "channel/transport.hpp"

namespace mas::detail {

inline constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

template <class Stream>
class StreamTransport final : public Transport {
public:
    /// `keep_alive` holds what the stream refers to but does not own (a TLS context).
    StreamTransport(Stream stream, std::string peer, std::shared_ptr<void> keep_alive = {})
        : keep_alive_(std::move(keep_alive)), stream_(std::move(stream)), peer_(std::move(peer)) {}

    asio::awaitable<std::size_t> read_some(asio::mutable_buffer buffer, std::error_code& ec) override {
        auto [error, n] = co_await stream_.async_read_some(buffer, use_tuple);
        // A TLS peer that closes without close_notify is, for us, just a closed connection.
        ec = error == asio::ssl::error::stream_truncated ? asio::error::eof : error;
        co_return n;
    }

    void async_write(asio::const_buffer buffer, std::function<void(std::error_code)> done) override {
        asio::async_write(stream_, buffer,
                          [done = std::move(done)](std::error_code ec, std::size_t) { done(ec); });
    }

    std::size_t write_now(asio::const_buffer buffer, std::error_code& ec) override {
        ec.clear();
        if constexpr (requires { stream_.lowest_layer(); }) {
            return 0;  // TLS: a record may need a read first; the async path handles that
        } else {
            if (!non_blocking_) {
                stream_.non_blocking(true, ec);
                if (ec) return 0;
                non_blocking_ = true;
            }
            const auto n = stream_.write_some(buffer, ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again) ec.clear();
            return n;
        }
    }

    void close() noexcept override {
        std::error_code ignored;
        lowest().shutdown(asio::socket_base::shutdown_both, ignored);
        lowest().close(ignored);
    }

    std::string peer() const override { return peer_; }
    asio::any_io_executor executor() const override {
        return const_cast<Stream&>(stream_).get_executor();
    }

private:
    auto& lowest() {
        if constexpr (requires { stream_.lowest_layer(); }) {
            return stream_.lowest_layer();
        } else {
            return stream_;
        }
    }

    std::shared_ptr<void> keep_alive_;
    Stream stream_;
    std::string peer_;
    bool non_blocking_ = false;  // set on first use of write_now()
};

using TcpStream = asio::ip::tcp::socket;
using UnixStream = asio::local::stream_protocol::socket;
using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

/// "127.0.0.1:4242" or "[::1]:4242".
std::string to_peer_string(const asio::ip::tcp::endpoint& endpoint);

}  // namespace mas::detail
