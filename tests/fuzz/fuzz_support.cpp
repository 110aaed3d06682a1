#include "fuzz_support.hpp"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include <asio/buffer.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/local/connect_pair.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "channel/channel_impl.hpp"
#include "channel/stream_transport.hpp"
#include "mas/channel/frame.hpp"

namespace mas::fuzz {
namespace {
constexpr auto tuple = asio::experimental::as_tuple(asio::use_awaitable);
}

SocketPair::SocketPair(asio::io_context& io) : ours(io), theirs(io) { asio::local::connect_pair(ours, theirs); }

Channel channel_over(Socket socket, const ChannelOptions& options) {
    auto transport = std::make_unique<detail::StreamTransport<detail::UnixStream>>(std::move(socket), "fuzz-peer");
    auto impl = std::make_shared<detail::ChannelImpl>(std::move(transport), options);
    impl->start();
    return Channel(std::move(impl));
}

asio::awaitable<void> write_then_finish(Socket& socket, std::string bytes) {
    co_await asio::async_write(socket, asio::buffer(bytes), tuple);
    std::error_code ignored;
    socket.shutdown(asio::socket_base::shutdown_send, ignored);
}

asio::awaitable<void> drain(Socket& socket) {
    char buffer[4096];
    for (;;) {
        auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), tuple);
        if (ec) co_return;
    }
}

void play_peer(asio::io_context& io, Socket& peer, const std::uint8_t* data, std::size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    asio::co_spawn(io, write_then_finish(peer, std::move(bytes)), asio::detached);
    asio::co_spawn(io, drain(peer), asio::detached);
    run_to_end(io);
}

std::vector<std::string_view> split_frames(std::string_view data) {
    std::vector<std::string_view> frames;
    while (!data.empty()) {
        if (data.size() < frame_header_size) break;
        const auto length = read_frame_length(data.data());
        if (length > data.size() - frame_header_size) break;
        frames.push_back(data.substr(0, frame_header_size + length));
        data.remove_prefix(frame_header_size + length);
    }
    if (!data.empty()) frames.push_back(data);
    return frames;
}

void run_to_end(asio::io_context& io, std::size_t max_handlers) {
    for (std::size_t i = 0; i < max_handlers; ++i) {
        if (io.run_one() == 0) return;
    }
    std::fprintf(stderr, "fuzz: the io_context still had work after %zu handlers\n", max_handlers);
    std::abort();
}

}  // namespace mas::fuzz
