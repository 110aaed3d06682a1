#include "raw_step_server.hpp"

#include <cstdint>
#include <cstdio>
#include <exception>
#include <stdexcept>

#include <fmt/format.h>

#include "mas/channel/frame.hpp"
#include "mas/core/endpoint.hpp"
#include "raw_socket.hpp"

namespace mas::bench {
namespace {

// The replies inside the first frame, each a whole frame.
std::vector<std::string> split_replies(std::string_view frames) {
    std::vector<std::string> replies;
    while (frames.size() >= frame_header_size) {
        const auto size = frame_header_size + read_frame_length(frames.data());
        if (size > frames.size()) break;
        replies.emplace_back(frames.substr(0, size));
        frames.remove_prefix(size);
    }
    if (replies.empty() || !frames.empty()) throw std::runtime_error("malformed replies frame");
    return replies;
}

// Reads until the driver sends the first frame, the replies.
std::vector<std::string> read_replies(int fd, RawFrameReader& reader) {
    for (;;) {
        if (const auto first = reader.next_frame()) return split_replies(*first);
        if (!reader.fill(fd)) throw std::runtime_error("the driver closed the connection before sending the replies");
    }
}

// Answers every request frame with the next reply, until the driver ends the connection. As in
// the tcp baseline, the replies to one read's requests leave in one send().
void serve(int fd) {
    RawFrameReader reader;
    const auto replies = read_replies(fd, reader);
    std::size_t next = 0;
    std::string out;
    do {
        out.clear();
        for (auto n = reader.take_frames(); n > 0; --n) {
            out += replies[next];
            next = (next + 1) % replies.size();
        }
        write_all(fd, out.data(), out.size());
    } while (reader.fill(fd));
}

}  // namespace

std::string whole_frame(std::string_view payload) {
    const auto size = static_cast<std::uint32_t>(payload.size());
    std::string out{static_cast<char>(size >> 24), static_cast<char>(size >> 16), static_cast<char>(size >> 8),
                    static_cast<char>(size)};
    return out.append(payload);
}

std::string replies_frame(const std::vector<std::string>& replies) {
    std::string all;
    for (const auto& reply : replies) all += reply;
    return whole_frame(all);
}

int run_raw_step_child(int argc, char** argv) {
    int fd = -1;
    try {
        if (argc != 2) throw std::invalid_argument("usage: mas-bench --mosaik-raw-child HOST:PORT");
        // connect_to sets TCP_NODELAY, as example-sim's connection does.
        fd = connect_to(Endpoint::parse(argv[1]));
        serve(fd);
        close_fd(fd);
        return 0;
    } catch (const std::exception& e) {
        close_fd(fd);
        fmt::print(stderr, "mas-bench --mosaik-raw-child: error: {}\n", e.what());
        return 1;
    }
}

}  // namespace mas::bench
