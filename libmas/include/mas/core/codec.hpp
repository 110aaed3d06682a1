#pragma once
/// \file
/// Codec: how messages become bytes, chosen per channel, connection, server and container as
/// aiomas' `codec=` argument (JsonCodec, MsgPackCodec, MsgPackBloscCodec).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mas/core/json.hpp"

namespace mas {

/// The kinds of message: a request, its successful result, or its failure.
enum class MessageType : std::uint8_t { request = 0, success = 1, failure = 2 };

/// One decoded message. `problem` is set when the payload was valid but its content could not
/// be represented (an integer beyond 64 bits, an unknown custom type id); `content` then has null
/// in place of the offending value.
struct Message {
    MessageType type = MessageType::request;
    std::uint64_t id = 0;
    Json content;
    std::optional<std::string> problem;
};

/// Encodes and decodes values and `[type, id, content]` messages. Custom types (mas::Serializer)
/// travel in every codec as the one-key map `{"__type__": [k, repr]}`, where k is the type's
/// position in the order add_serializer was called; every decoded map with a `"__type__"` key of
/// a known k becomes that custom value again (aiomas' extra serializers).
/// A codec is immutable once in use; share it between channels freely (encode and decode are
/// thread-safe).
class Codec {
public:
    virtual ~Codec() = default;

    /// The codec's name as the examples take it: "json", "msgpack" or "msgpack-blosc".
    [[nodiscard]] virtual std::string_view name() const noexcept = 0;

    /// Registers custom type T (which must specialise mas::Serializer) as the next type id.
    template <CustomSerializable T>
    Codec& add_serializer() {
        return add_serializer(Serializer<T>::name);
    }
    /// Registers a custom type by its Serializer name as the next type id; throws
    /// mas::ConfigError if it is registered already.
    Codec& add_serializer(std::string_view type_name);
    /// The type id of a registered type name, if any.
    [[nodiscard]] std::optional<std::int64_t> type_id(std::string_view type_name) const;
    /// The registered type names, in type id order.
    [[nodiscard]] const std::vector<std::string>& type_names() const noexcept { return types_; }

    /// Appends the encoding of `value` to `out`. Throws mas::CodecError for a value this codec
    /// cannot carry (a custom value of an unregistered type; bytes in JSON); `out` may then hold
    /// a partial encoding.
    virtual void encode_to(const Json& value, std::string& out) const = 0;
    /// The encoding of `value`.
    [[nodiscard]] std::string encode(const Json& value) const;
    /// Decodes one value. Throws mas::ProtocolError for bytes that are not a valid encoding and
    /// mas::CodecError for a valid one whose content cannot be represented.
    [[nodiscard]] Json decode(std::string_view data) const;
    /// Like decode, but a value that only fails for a reason of content (an integer beyond 64
    /// bits, an unknown `__type__` id) is still returned with null in place of the offending
    /// value, and the first such problem in `problem`: a channel can then answer a request it
    /// cannot represent with a failure reply instead of dropping the connection.
    [[nodiscard]] virtual Json decode_lenient(std::string_view data, std::string& problem) const = 0;

    /// Appends the payload of the message `[type, id, content]` to `out` (nothing on failure,
    /// when it throws as encode_to does).
    virtual void encode_message(MessageType type, std::uint64_t id, const Json& content, std::string& out) const;
    /// Decodes one message payload. Throws mas::ProtocolError if it is not a valid encoding of a
    /// 3-element array with a type of 0, 1 or 2 and an id that is a non-negative integer.
    /// `max_size` bounds what a compressing codec may unpack (a channel passes its frame limit).
    [[nodiscard]] virtual Message decode_message(std::string_view payload,
                                                 std::size_t max_size = static_cast<std::size_t>(-1)) const;

    /// A codec of the same kind and settings with the same types.
    [[nodiscard]] std::shared_ptr<Codec> clone() const;
    /// A codec of the same kind and settings without custom types.
    [[nodiscard]] virtual std::shared_ptr<Codec> make_empty() const = 0;

protected:
    Codec() = default;
    Codec(const Codec&) = default;
    Codec& operator=(const Codec&) = default;
    Codec(Codec&&) noexcept = default;
    Codec& operator=(Codec&&) noexcept = default;

    /// The message in a decoded `[type, id, content]` value, checked as decode_message says.
    [[nodiscard]] static Message message_from(Json frame, std::string problem);

private:
    std::vector<std::string> types_;
};

/// A new codec by name ("json", "msgpack", "msgpack-blosc"); throws mas::ConfigError naming the
/// choices for any other name.
[[nodiscard]] std::shared_ptr<Codec> make_codec(std::string_view name);

}  // namespace mas
