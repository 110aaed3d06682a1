#pragma once
/// \file
/// The aiomas wire format: a 4-byte big-endian length, then the codec payload
/// `[msg_type, msg_id, content]`.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mas/core/json.hpp"
#include "mas/core/json_codec.hpp"

namespace mas {

/// The kinds of message: a request, its successful result, or its failure.
enum class MessageType : std::uint8_t { request = 0, success = 1, failure = 2 };

/// Size of the length header in bytes.
inline constexpr std::size_t frame_header_size = 4;
/// The default maximum payload size of one frame (64 MiB).
inline constexpr std::size_t default_max_message_size = 64U * 1024U * 1024U;

/// One decoded message. `problem` is set when the frame was valid but its content could not be
/// represented (an integer beyond 64 bits, an unknown custom type id); `content` then has null in
/// place of the offending value.
struct Message {
    MessageType type = MessageType::request;
    std::uint64_t id = 0;
    Json content;
    std::optional<std::string> problem;
};

/// Reads the payload length from the first 4 bytes of `header`.
std::uint32_t read_frame_length(const char* header) noexcept;

/// Appends a whole frame (header and payload) for `[type, id, content]` to `out`, written in the
/// codec's style. Throws mas::CodecError if the content cannot be encoded or the payload exceeds
/// `max_message_size` (nothing is appended then).
void append_frame(const JsonCodec& codec, MessageType type, std::uint64_t id, const Json& content,
                  std::size_t max_message_size, std::string& out);

/// Decodes one payload. Throws mas::ProtocolError if it is not valid UTF-8 JSON, not a
/// 3-element array, has a type other than 0/1/2 or an id that is not a non-negative integer.
Message decode_message(const JsonCodec& codec, std::string_view payload);

}  // namespace mas
