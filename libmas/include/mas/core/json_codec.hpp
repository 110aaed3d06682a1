#pragma once
/// \file
/// JsonCodec: turns mas::Json into JSON text and back, byte-identical to Python's json.dumps.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mas/core/json.hpp"

namespace mas {

/// How JSON text is written.
enum class JsonStyle {
    /// As aiomas/mosaik write it (Python `json.dumps` defaults): `", "` and `": "` separators,
    /// non-ASCII escaped as lowercase `\uXXXX` (surrogate pairs above U+FFFF), floats as Python's
    /// repr (`2.0`, `1e+20`, `1e-07`), `NaN`/`Infinity`/`-Infinity` for non-finite floats.
    python,
    /// The same values without spaces and with UTF-8 passed through unescaped.
    compact,
};

/// Options of a JsonCodec.
struct JsonCodecOptions {
    JsonStyle style = JsonStyle::python;
};

/// Encodes and decodes Json values as JSON text. Decoding accepts any whitespace, `NaN`,
/// `Infinity` and `-Infinity`, checks UTF-8, and reports integers that do not fit in 64 bits as a
/// mas::CodecError. Custom types (mas::Serializer) are written as `{"__type__": [k, repr]}`, where
/// k is the type's position in the order add_serializer was called; every decoded object with a
/// `"__type__"` key of a known k becomes that custom value again.
/// A codec is immutable once in use; share it between channels freely (it is thread-safe for
/// concurrent encode/decode).
class JsonCodec {
public:
    explicit JsonCodec(JsonCodecOptions options = {});

    /// Registers custom type T (which must specialise mas::Serializer) as the next type id.
    template <CustomSerializable T>
    JsonCodec& add_serializer() {
        return add_serializer(Serializer<T>::name);
    }
    /// Registers a custom type by its Serializer name as the next type id.
    JsonCodec& add_serializer(std::string_view type_name);
    /// The type id of a registered type name, if any.
    [[nodiscard]] std::optional<std::int64_t> type_id(std::string_view type_name) const;
    /// The registered type names, in type id order.
    [[nodiscard]] const std::vector<std::string>& type_names() const noexcept { return types_; }

    [[nodiscard]] JsonStyle style() const noexcept { return options_.style; }

    /// Appends the JSON text of `value` to `out`. Throws mas::CodecError for a custom value whose
    /// type is not registered with this codec ("No serializer found for type ..."); `out` may then
    /// hold a partial text.
    void encode_to(const Json& value, std::string& out) const;
    /// The JSON text of `value`.
    [[nodiscard]] std::string encode(const Json& value) const;

    /// Parses one JSON value (surrounding whitespace allowed). Throws mas::ProtocolError for
    /// invalid JSON or UTF-8, with the byte offset, and mas::CodecError for an integer beyond
    /// 64 bits or an unknown custom type id.
    [[nodiscard]] Json decode(std::string_view text) const;

    /// Like decode, but a value that is valid JSON and only fails for a reason of content (an
    /// integer beyond 64 bits, an unknown `__type__` id) is still returned with null in place of
    /// the offending value, and the first such problem in `problem`. This lets a channel answer a
    /// request it cannot represent with a failure reply instead of dropping the connection.
    /// Throws mas::ProtocolError for text that is not valid JSON.
    [[nodiscard]] Json decode_lenient(std::string_view text, std::string& problem) const;

private:
    JsonCodecOptions options_;
    std::vector<std::string> types_;
};

}  // namespace mas
