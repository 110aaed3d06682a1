#include "support/raw_peer.hpp"

#include <array>

#include <asio/buffer.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/address.hpp>
#include <asio/read.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

namespace mas::test {
namespace {

constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

const asio::ip::address loopback = asio::ip::make_address("127.0.0.1");

}  // namespace

std::string raw_header(std::uint32_t length) {
    return {static_cast<char>((length >> 24) & 0xFFU), static_cast<char>((length >> 16) & 0xFFU),
            static_cast<char>((length >> 8) & 0xFFU), static_cast<char>(length & 0xFFU)};
}

std::string raw_frame(std::string_view payload) {
    return raw_header(static_cast<std::uint32_t>(payload.size())) + std::string(payload);
}

asio::awaitable<void> RawPeer::write(std::string_view bytes) {
    co_await asio::async_write(socket_, asio::buffer(bytes), asio::use_awaitable);
}

asio::awaitable<RawFrame> RawPeer::read_frame() {
    std::array<unsigned char, 4> header{};
    co_await asio::async_read(socket_, asio::buffer(header), asio::use_awaitable);
    RawFrame frame;
    frame.length = (std::uint32_t{header[0]} << 24) | (std::uint32_t{header[1]} << 16) |
                   (std::uint32_t{header[2]} << 8) | std::uint32_t{header[3]};
    frame.payload.resize(frame.length);
    co_await asio::async_read(socket_, asio::buffer(frame.payload), asio::use_awaitable);
    co_return frame;
}

asio::awaitable<RawEnd> RawPeer::read_until_closed() {
    RawEnd end;
    std::array<char, 4096> chunk{};
    for (;;) {
        auto [error, n] = co_await socket_.async_read_some(asio::buffer(chunk), use_tuple);
        end.data.append(chunk.data(), n);
        if (error) {
            end.error = error;
            co_return end;
        }
    }
}

void RawPeer::shutdown_send() { socket_.shutdown(asio::socket_base::shutdown_send); }

void RawPeer::close() noexcept {
    std::error_code ignored;
    socket_.close(ignored);
}

std::string RawPeer::local_address() const {
    const auto local = socket_.local_endpoint();
    return local.address().to_string() + ":" + std::to_string(local.port());
}

asio::awaitable<RawPeer> raw_connect(std::uint16_t port) {
    asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
    const asio::ip::tcp::endpoint server(loopback, port);
    co_await socket.async_connect(server, asio::use_awaitable);
    co_return RawPeer(std::move(socket));
}

RawListener::RawListener(const asio::any_io_executor& executor)
    : acceptor_(executor, asio::ip::tcp::endpoint(loopback, 0)) {}

Endpoint RawListener::endpoint() const {
    return Endpoint::tcp(loopback.to_string(), acceptor_.local_endpoint().port());
}

asio::awaitable<RawPeer> RawListener::accept() {
    auto socket = co_await acceptor_.async_accept(asio::use_awaitable);
    co_return RawPeer(std::move(socket));
}

}  // namespace mas::test
