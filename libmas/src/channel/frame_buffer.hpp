#pragma once
// FrameBuffer: what a connection has read and not yet handled, cut into length-prefixed frames
// (the 4-byte big-endian header is shared by aiomas channels and aiomsg sockets). It reads in
// large chunks, hands out views of whole frames, and grows only for a frame that needs it.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <asio/buffer.hpp>

#include "mas/channel/frame.hpp"

namespace mas::detail {

class FrameBuffer {
public:
    static constexpr std::size_t chunk = 64 * 1024;

    /// Where the next read goes.
    [[nodiscard]] asio::mutable_buffer space() noexcept { return asio::buffer(data_.data() + end_, data_.size() - end_); }
    /// Counts `n` bytes read into space().
    void commit(std::size_t n) noexcept { end_ += n; }
    /// Bytes of a frame that has begun but is not complete.
    [[nodiscard]] std::size_t partial() const noexcept { return end_ - begin_; }

    /// The payload of the next complete frame, valid until compact(); nothing if none is
    /// complete. A header announcing more than `max_size` bytes sets `too_large` (to that length)
    /// and returns nothing, before anything is allocated for it.
    std::optional<std::string_view> next(std::size_t max_size, std::optional<std::uint32_t>& too_large) noexcept {
        const auto available = end_ - begin_;
        if (available < frame_header_size) return std::nullopt;
        const auto length = read_frame_length(data_.data() + begin_);
        if (length > max_size) {
            too_large = length;
            return std::nullopt;
        }
        if (available < frame_header_size + length) {
            needed_ = frame_header_size + length;
            return std::nullopt;
        }
        const std::string_view payload(data_.data() + begin_ + frame_header_size, length);
        begin_ += frame_header_size + length;
        return payload;
    }

    /// Moves an unfinished frame to the front and makes room for the rest of it (or for a chunk),
    /// giving back memory a large frame needed once it is done.
    void compact() {
        const auto remaining = end_ - begin_;
        if (begin_ > 0) {
            if (remaining > 0) std::memmove(data_.data(), data_.data() + begin_, remaining);
            begin_ = 0;
            end_ = remaining;
        }
        const auto wanted = std::max({needed_, chunk, remaining + 1});
        if (data_.size() < wanted || (data_.size() > chunk && wanted == chunk)) data_.resize(wanted);
        needed_ = 0;
    }

    /// How a read that failed with `ec` ended the connection, for the log and the close reason.
    struct End {
        bool clean;  ///< the peer closed between two frames
        std::string reason;
    };
    [[nodiscard]] End end_of_reading(std::error_code ec) const;

private:
    std::vector<char> data_ = std::vector<char>(chunk);
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    std::size_t needed_ = 0;  // size of the incomplete frame at begin_, once its header is in
};

}  // namespace mas::detail
