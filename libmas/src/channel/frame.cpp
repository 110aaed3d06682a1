#include "mas/channel/frame.hpp"

#include <charconv>
#include <optional>

#include <fmt/format.h>

namespace mas {

std::uint32_t read_frame_length(const char* header) noexcept {
    const auto* b = reinterpret_cast<const unsigned char*>(header);
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
           std::uint32_t{b[3]};
}

void append_frame(const JsonCodec& codec, MessageType type, std::uint64_t id, const Json& content,
                  std::size_t max_message_size, std::string& out) {
    const auto start = out.size();
    out.append(frame_header_size, '\0');
    const bool python = codec.style() == JsonStyle::python;
    try {
        // By hand rather than through fmt: this runs for every message.
        char prefix[32];
        char* p = prefix;
        *p++ = '[';
        *p++ = static_cast<char>('0' + static_cast<int>(type));
        *p++ = ',';
        if (python) *p++ = ' ';
        p = std::to_chars(p, prefix + sizeof prefix, id).ptr;
        *p++ = ',';
        if (python) *p++ = ' ';
        out.append(prefix, p);
        codec.encode_to(content, out);
    } catch (...) {
        out.resize(start);
        throw;
    }
    out.push_back(']');
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

namespace {

void skip_space(std::string_view text, std::size_t& pos) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) {
        ++pos;
    }
}

// Reads `[type, id, ` and the closing `]` by hand, so that only the content goes through the
// JSON parser. Returns nothing for anything unusual; the full parse then says what is wrong.
std::optional<Message> decode_envelope(const JsonCodec& codec, std::string_view payload) {
    std::size_t pos = 0;
    skip_space(payload, pos);
    if (pos >= payload.size() || payload[pos++] != '[') return std::nullopt;
    skip_space(payload, pos);
    if (pos >= payload.size() || payload[pos] < '0' || payload[pos] > '2') return std::nullopt;
    const auto type = static_cast<MessageType>(payload[pos++] - '0');
    skip_space(payload, pos);
    if (pos >= payload.size() || payload[pos++] != ',') return std::nullopt;
    skip_space(payload, pos);
    std::uint64_t id = 0;
    auto [end, ec] = std::from_chars(payload.data() + pos, payload.data() + payload.size(), id);
    if (ec != std::errc() || (payload[pos] == '0' && end != payload.data() + pos + 1)) return std::nullopt;
    pos = static_cast<std::size_t>(end - payload.data());
    skip_space(payload, pos);
    if (pos >= payload.size() || payload[pos++] != ',') return std::nullopt;
    auto last = payload.find_last_not_of(" \t\n\r");
    if (last == std::string_view::npos || last < pos || payload[last] != ']') return std::nullopt;
    Message msg{type, id, {}, {}};
    std::string problem;
    try {
        msg.content = codec.decode_lenient(payload.substr(pos, last - pos), problem);
    } catch (const ProtocolError&) {
        return std::nullopt;
    }
    if (!problem.empty()) msg.problem = std::move(problem);
    return msg;
}

}  // namespace

Message decode_message(const JsonCodec& codec, std::string_view payload) {
    if (auto msg = decode_envelope(codec, payload)) return std::move(*msg);
    std::string problem;
    Json frame = codec.decode_lenient(payload, problem);
    if (!frame.is_array() || frame.size() != 3) {
        throw ProtocolError(fmt::format("a message must be [type, id, content], got {}", frame.describe()));
    }
    auto& parts = frame.as_array();
    if (!parts[0].is_integer()) {
        throw ProtocolError(fmt::format("message type must be an int, got {}", parts[0].describe()));
    }
    const bool id_ok = parts[1].kind() == JsonKind::uinteger ||
                       (parts[1].kind() == JsonKind::integer && parts[1].get<std::int64_t>() >= 0);
    if (!id_ok) {
        // A null id may stand for a number the decoder could not hold; say so.
        const auto detail = problem.empty() ? std::string() : " (" + problem + ")";
        throw ProtocolError(
            fmt::format("message id must be a non-negative int, got {}{}", parts[1].describe(), detail));
    }
    const bool type_ok = parts[0].kind() == JsonKind::integer && parts[0].get<std::int64_t>() >= 0 &&
                         parts[0].get<std::int64_t>() <= 2;
    if (!type_ok) throw ProtocolError(fmt::format("invalid message type {}", parts[0].describe()));
    const auto type = parts[0].get<std::int64_t>();
    Message msg{static_cast<MessageType>(type), parts[1].get<std::uint64_t>(), std::move(parts[2]), {}};
    if (!problem.empty()) msg.problem = std::move(problem);
    return msg;
}

}  // namespace mas
