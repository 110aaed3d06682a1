#pragma once
// What the fuzz targets share: a channel over one end of a socket pair, with the fuzzer's bytes
// coming from the other end as a peer's would, and a bounded run of the io_context.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/local/stream_protocol.hpp>

#include "mas/channel/channel.hpp"
#include "mas/channel/channel_options.hpp"

namespace mas::fuzz {

using Socket = asio::local::stream_protocol::socket;

/// A connected pair of Unix stream sockets: no port, no file, nothing left behind per input.
struct SocketPair {
    explicit SocketPair(asio::io_context& io);
    Socket ours;
    Socket theirs;
};

/// A started channel over `socket`, as a server hands one out.
Channel channel_over(Socket socket, const ChannelOptions& options = {});

/// Writes `bytes` to `socket`, then ends its sending side, as a peer that has said everything.
asio::awaitable<void> write_then_finish(Socket& socket, std::string bytes);
/// Reads and drops everything until the other side closes.
asio::awaitable<void> drain(Socket& socket);

/// Sends `data` from `peer` (then ends its sending side), reads whatever comes back, and runs
/// `io` until everything has ended: the fuzzer as a peer that says all it has to say.
void play_peer(asio::io_context& io, Socket& peer, const std::uint8_t* data, std::size_t size);

/// The frames of `data` as a peer would have sent them: each is a 4-byte big-endian length and
/// that many bytes; what is left at the end (a cut frame) is the last element, as is.
std::vector<std::string_view> split_frames(std::string_view data);

/// Runs `io` until it has no work left, or fails the input (abort) after `max_handlers`: a run
/// that never ends is a hang the fuzzer must report.
void run_to_end(asio::io_context& io, std::size_t max_handlers = 1'000'000);

}  // namespace mas::fuzz
