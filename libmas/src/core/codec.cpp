#include "mas/core/codec.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "mas/core/error.hpp"
#include "mas/core/json_codec.hpp"
#include "mas/core/msgpack_codec.hpp"

namespace mas {

Codec& Codec::add_serializer(std::string_view type_name) {
    // Two ids for one name would make encoding ambiguous; aiomas refuses this too.
    if (type_id(type_name)) {
        throw ConfigError(fmt::format("a serializer for type \"{}\" was already added", type_name));
    }
    types_.emplace_back(type_name);
    return *this;
}

std::optional<std::int64_t> Codec::type_id(std::string_view type_name) const {
    const auto found = std::find(types_.begin(), types_.end(), type_name);
    if (found == types_.end()) return std::nullopt;
    return static_cast<std::int64_t>(found - types_.begin());
}

std::string Codec::encode(const Json& value) const {
    std::string out;
    out.reserve(64);  // one allocation covers a typical request frame
    encode_to(value, out);
    return out;
}

Json Codec::decode(std::string_view data) const {
    std::string problem;
    Json value = decode_lenient(data, problem);
    if (!problem.empty()) throw CodecError(problem);
    return value;
}

void Codec::encode_message(MessageType type, std::uint64_t id, const Json& content, std::string& out) const {
    const auto start = out.size();
    try {
        encode_to(Json::array({static_cast<std::int64_t>(type), id, content}), out);
    } catch (...) {
        out.resize(start);
        throw;
    }
}

Message Codec::decode_message(std::string_view payload, std::size_t /*max_size*/) const {
    std::string problem;
    Json frame = decode_lenient(payload, problem);
    return message_from(std::move(frame), std::move(problem));
}

Message Codec::message_from(Json frame, std::string problem) {
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

std::shared_ptr<Codec> Codec::clone() const {
    auto copy = make_empty();
    for (const auto& name : types_) copy->add_serializer(name);
    return copy;
}

std::shared_ptr<Codec> make_codec(std::string_view name) {
    if (name == "json") return std::make_shared<JsonCodec>();
    if (name == "msgpack") return std::make_shared<MsgPackCodec>();
    if (name == "msgpack-blosc") return std::make_shared<MsgPackBloscCodec>();
    throw ConfigError(fmt::format("unknown codec \"{}\": expected json, msgpack or msgpack-blosc", name));
}

}  // namespace mas
