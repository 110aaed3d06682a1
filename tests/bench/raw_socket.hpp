#pragma once
// Blocking POSIX sockets for the benchmarks' lean sides (the raw baseline, the mosaik driver):
// listen, connect, write everything, and split what arrives into aiomas frames by their length
// header, with no JSON work. Failures throw std::system_error.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mas/core/endpoint.hpp"

namespace mas::bench {

/// Throws std::system_error for errno, prefixed with `what`.
[[noreturn]] void throw_errno(const std::string& what);

/// Closes `fd` if it is open and sets it to -1.
void close_fd(int& fd) noexcept;

/// Listens on `endpoint` (TCP on an IPv4 literal, port 0 allowed, or a Unix socket path) and
/// fills in the port the system chose.
int listen_on(Endpoint& endpoint);

/// Connects to `endpoint`; TCP sockets get TCP_NODELAY.
int connect_to(const Endpoint& endpoint);

/// Sets TCP_NODELAY on a TCP socket.
void set_no_delay(int fd);

/// Sends all `size` bytes.
void write_all(int fd, const char* data, std::size_t size);

/// Buffers what arrives on a socket and splits it into frames by their length header, the way any
/// reasonable blocking implementation would: one recv() per batch of frames, not per frame.
class RawFrameReader {
public:
    /// Reads what the socket has (blocking for at least one byte); false on end of stream.
    /// Invalidates the views next_frame() returned.
    bool fill(int fd);

    /// Removes the complete frames from the buffer and returns how many there were.
    std::size_t take_frames();

    /// Removes the next complete frame and returns its payload (without the header), or nullopt
    /// if no whole frame is buffered. The view is valid until the next fill().
    std::optional<std::string_view> next_frame();

private:
    [[nodiscard]] std::size_t complete_frame_size() const noexcept;

    std::vector<char> buffer_ = std::vector<char>(64 * 1024);
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

}  // namespace mas::bench
