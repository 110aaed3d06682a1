#pragma once
/// \file
/// The aiomsg v1 wire format: a u32 big-endian length, then an envelope whose first byte is its
/// type (HELLO, HEARTBEAT, DATA, DATA_REQ, ACK) followed by the type's body.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mas::msg {

/// The protocol version this implementation speaks (and the only one it accepts).
inline constexpr std::uint8_t protocol_version = 1;

/// 16 bytes naming a socket (not a connection); stable for the socket's life, across reconnects.
using Identity = std::array<std::uint8_t, 16>;
/// 16 bytes naming one at-least-once message; its ACK echoes them.
using MsgId = std::array<std::uint8_t, 16>;

enum class EnvelopeType : std::uint8_t { hello = 0x01, heartbeat = 0x02, data = 0x03, data_req = 0x04, ack = 0x05 };

/// A decoded envelope. Only the fields of its type are set; `payload` points into the frame.
struct Envelope {
    EnvelopeType type = EnvelopeType::heartbeat;
    std::uint8_t version = 0;  ///< HELLO
    Identity identity{};       ///< HELLO
    MsgId msg_id{};            ///< DATA_REQ, ACK
    std::string_view payload;  ///< DATA, DATA_REQ
};

/// Decodes one envelope (the bytes after the length prefix). Returns nothing for a type this
/// version does not know, which the protocol says to skip. Throws mas::ProtocolError for an
/// empty envelope or a known type whose body is too short.
std::optional<Envelope> decode_envelope(std::string_view envelope);

/// Bytes of the envelope and prefix around a payload: a DATA frame is payload + data_overhead.
inline constexpr std::size_t data_overhead = 4 + 1;
inline constexpr std::size_t data_req_overhead = 4 + 1 + 16;

// Each append_* writes one whole frame (length prefix and envelope) to the end of `out`.
void append_hello(std::string& out, const Identity& identity, std::uint8_t version = protocol_version);
void append_heartbeat(std::string& out);
void append_data(std::string& out, std::string_view payload);
void append_data_req(std::string& out, const MsgId& msg_id, std::string_view payload);
void append_ack(std::string& out, const MsgId& msg_id);

/// 32 lower-case hex digits.
std::string to_hex(const Identity& identity);
/// Parses 32 hex digits (either case). Throws mas::ConfigError naming the text otherwise.
Identity parse_identity(std::string_view hex);
/// A random identity with the layout of a UUIDv4, the canonical choice of the protocol.
Identity random_identity();

}  // namespace mas::msg
