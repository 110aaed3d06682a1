#pragma once
// A raw TCP peer for tests that play a recorded or misbehaving peer against libmas: it writes and
// reads wire bytes itself (the 4-byte length header is built and parsed here, by hand), so no
// libmas framing code is involved on its side.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <system_error>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "mas/core/endpoint.hpp"

namespace mas::test {

/// The 4-byte big-endian length header announcing `length` payload bytes.
std::string raw_header(std::uint32_t length);
/// A whole frame: the header for `payload.size()` bytes, then the payload.
std::string raw_frame(std::string_view payload);

/// A frame as it came off the wire: the value of its length header and its payload bytes.
struct RawFrame {
    RawFrame() noexcept {}
    std::uint32_t length = 0;
    std::string payload;
};

/// How a connection ended for the reading side: what arrived before the end, and the error
/// that ended it (asio::error::eof for an orderly close).
struct RawEnd {
    RawEnd() noexcept {}
    std::string data;
    std::error_code error;
};

/// One end of a TCP connection driven byte by byte by the test.
class RawPeer {
public:
    explicit RawPeer(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}

    /// Writes all of `bytes`; throws std::system_error if the connection is gone.
    asio::awaitable<void> write(std::string_view bytes);
    /// Reads one whole frame; throws std::system_error (e.g. eof) if the connection ends first.
    asio::awaitable<RawFrame> read_frame();
    /// Reads until the other side closes the connection or it fails.
    asio::awaitable<RawEnd> read_until_closed();
    /// Half-closes: the other side reads end-of-stream, this side can still read.
    void shutdown_send();
    /// Closes the socket at once. Never throws.
    void close() noexcept;
    /// This end's address, "127.0.0.1:port", as the other side names its peer.
    [[nodiscard]] std::string local_address() const;

private:
    asio::ip::tcp::socket socket_;
};

/// Connects a raw peer to 127.0.0.1:`port` on the calling coroutine's executor.
asio::awaitable<RawPeer> raw_connect(std::uint16_t port);

/// A raw listening socket on 127.0.0.1 with a port the system picked.
class RawListener {
public:
    explicit RawListener(const asio::any_io_executor& executor);

    /// Where libmas clients should connect.
    [[nodiscard]] Endpoint endpoint() const;
    /// Accepts the next connection; throws std::system_error on failure.
    asio::awaitable<RawPeer> accept();

private:
    asio::ip::tcp::acceptor acceptor_;
};

}  // namespace mas::test
