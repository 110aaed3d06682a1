#include "mas/channel/frame.hpp"


#include <fmt/format.h>

namespace mas {

std::uint32_t read_frame_length(const char* header) noexcept {
    const auto* b = reinterpret_cast<const unsigned char*>(header);
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
           std::uint32_t{b[3]};
}

void append_frame(const Codec& codec, MessageType type, std::uint64_t id, const Json& content,
                  std::size_t max_message_size, std::string& out) {
    const auto start = out.size();
    out.append(frame_header_size, '\0');
    try {
        codec.encode_message(type, id, content, out);
    } catch (...) {
        out.resize(start);
        throw;
    }
    const auto size = out.size() - start - frame_header_size;
    if (size > max_message_size || size > UINT32_MAX) {
        out.resize(start);
        throw CodecError(fmt::format("message of {} bytes exceeds the maximum message size of {} bytes",
                                     size, max_message_size));
    }
    auto* header = reinterpret_cast<unsigned char*>(out.data() + start);
    header[0] = static_cast<unsigned char>(size >> 24);
    header[1] = static_cast<unsigned char>(size >> 16);
    header[2] = static_cast<unsigned char>(size >> 8);
    header[3] = static_cast<unsigned char>(size);
}

Message decode_message(const Codec& codec, std::string_view payload, std::size_t max_size) {
    return codec.decode_message(payload, max_size);
}

}  // namespace mas
