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
#include "mas/core/codec.hpp"

namespace mas {

/// Size of the length header in bytes.
inline constexpr std::size_t frame_header_size = 4;
/// The default maximum payload size of one frame (64 MiB).
inline constexpr std::size_t default_max_message_size = 64U * 1024U * 1024U;

/// Reads the payload length from the first 4 bytes of `header`.
std::uint32_t read_frame_length(const char* header) noexcept;

/// Appends a whole frame (header and payload) for `[type, id, content]` to `out`, encoded by
/// `codec`. Throws mas::CodecError if the content cannot be encoded or the payload exceeds
/// `max_message_size` (nothing is appended then).
void append_frame(const Codec& codec, MessageType type, std::uint64_t id, const Json& content,
                  std::size_t max_message_size, std::string& out);

/// Decodes one payload (Codec::decode_message; a compressing codec unpacks at most `max_size`).
Message decode_message(const Codec& codec, std::string_view payload,
                       std::size_t max_size = static_cast<std::size_t>(-1));

}  // namespace mas
