#include "mas/msg/envelope.hpp"

#include <cstring>

#include <fmt/format.h>
#include <openssl/rand.h>

#include "mas/core/error.hpp"

namespace mas::msg {
namespace {

void append_header(std::string& out, std::size_t envelope_size, EnvelopeType type) {
    if (envelope_size > UINT32_MAX) {
        throw CodecError(fmt::format("an aiomsg frame of {} bytes does not fit its 32-bit length", envelope_size));
    }
    const auto n = static_cast<std::uint32_t>(envelope_size);
    const char header[5] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                            static_cast<char>(n), static_cast<char>(type)};
    out.append(header, sizeof header);
}

template <std::size_t N>
void append_bytes(std::string& out, const std::array<std::uint8_t, N>& bytes) {
    out.append(reinterpret_cast<const char*>(bytes.data()), N);
}

template <std::size_t N>
std::array<std::uint8_t, N> read_bytes(std::string_view from) {
    std::array<std::uint8_t, N> bytes;
    std::memcpy(bytes.data(), from.data(), N);
    return bytes;
}

[[noreturn]] void too_short(std::string_view name, std::size_t size, std::size_t needed) {
    throw ProtocolError(fmt::format("{} envelope of {} bytes is too short (needs at least {})", name, size, needed));
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<Envelope> decode_envelope(std::string_view envelope) {
    if (envelope.empty()) throw ProtocolError("empty aiomsg envelope (no type byte)");
    Envelope result;
    const auto body = envelope.substr(1);
    switch (static_cast<std::uint8_t>(envelope[0])) {
    case 0x01:
        // Extra bytes after the identity are tolerated, so a later version's HELLO still decodes.
        if (body.size() < 17) too_short("HELLO", envelope.size(), 18);
        result.type = EnvelopeType::hello;
        result.version = static_cast<std::uint8_t>(body[0]);
        result.identity = read_bytes<16>(body.substr(1));
        return result;
    case 0x02: result.type = EnvelopeType::heartbeat; return result;
    case 0x03:
        result.type = EnvelopeType::data;
        result.payload = body;
        return result;
    case 0x04:
        if (body.size() < 16) too_short("DATA_REQ", envelope.size(), 17);
        result.type = EnvelopeType::data_req;
        result.msg_id = read_bytes<16>(body);
        result.payload = body.substr(16);
        return result;
    case 0x05:
        if (body.size() < 16) too_short("ACK", envelope.size(), 17);
        result.type = EnvelopeType::ack;
        result.msg_id = read_bytes<16>(body);
        return result;
    default: return std::nullopt;
    }
}

void append_hello(std::string& out, const Identity& identity, std::uint8_t version) {
    append_header(out, 18, EnvelopeType::hello);
    out.push_back(static_cast<char>(version));
    append_bytes(out, identity);
}

void append_heartbeat(std::string& out) { append_header(out, 1, EnvelopeType::heartbeat); }

void append_data(std::string& out, std::string_view payload) {
    append_header(out, 1 + payload.size(), EnvelopeType::data);
    out.append(payload);
}

void append_data_req(std::string& out, const MsgId& msg_id, std::string_view payload) {
    append_header(out, 17 + payload.size(), EnvelopeType::data_req);
    append_bytes(out, msg_id);
    out.append(payload);
}

void append_ack(std::string& out, const MsgId& msg_id) {
    append_header(out, 17, EnvelopeType::ack);
    append_bytes(out, msg_id);
}

std::string to_hex(const Identity& identity) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(32);
    for (auto b : identity) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0xf]);
    }
    return out;
}

Identity parse_identity(std::string_view hex) {
    Identity identity{};
    bool ok = hex.size() == 32;
    for (std::size_t i = 0; ok && i < 16; ++i) {
        const int hi = hex_value(hex[2 * i]);
        const int lo = hex_value(hex[2 * i + 1]);
        ok = hi >= 0 && lo >= 0;
        identity[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    if (!ok) throw ConfigError(fmt::format("an identity must be 32 hex digits (16 bytes), got \"{}\"", hex));
    return identity;
}

Identity random_identity() {
    Identity identity;
    if (RAND_bytes(identity.data(), static_cast<int>(identity.size())) != 1) {
        throw Error("cannot draw random bytes for a socket identity (OpenSSL RAND_bytes failed)");
    }
    identity[6] = static_cast<std::uint8_t>((identity[6] & 0x0f) | 0x40);  // version 4
    identity[8] = static_cast<std::uint8_t>((identity[8] & 0x3f) | 0x80);  // RFC 4122 variant
    return identity;
}

}  // namespace mas::msg
