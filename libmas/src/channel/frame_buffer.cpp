#include "channel/frame_buffer.hpp"

#include <asio/error.hpp>
#include <fmt/format.h>

namespace mas::detail {

FrameBuffer::End FrameBuffer::end_of_reading(std::error_code ec) const {
    if (ec != asio::error::eof) return {false, fmt::format("connection lost: {}", ec.message())};
    if (partial() == 0) return {true, "closed by the peer"};
    return {false, fmt::format("closed by the peer in the middle of a frame ({} bytes of it received)", partial())};
}

}  // namespace mas::detail
