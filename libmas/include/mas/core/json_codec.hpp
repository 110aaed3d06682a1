#pragma once
/// \file
/// JsonCodec: turns mas::Json into JSON text and back, byte-identical to Python's json.dumps.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mas/core/codec.hpp"
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

/// Encodes and decodes Json values as JSON text, the codec of aiomas and mosaik by default.
/// Decoding accepts any whitespace, `NaN`, `Infinity` and `-Infinity`, checks UTF-8, and reports
/// integers that do not fit in 64 bits as a mas::CodecError. Bytes cannot be written, as in
/// aiomas' JSON codec (mas::CodecError). Custom types as Codec says.
class JsonCodec final : public Codec {
public:
    explicit JsonCodec(JsonCodecOptions options = {});
    JsonCodec(const JsonCodec&) = default;
    JsonCodec& operator=(const JsonCodec&) = default;
    JsonCodec(JsonCodec&&) noexcept = default;
    JsonCodec& operator=(JsonCodec&&) noexcept = default;
    ~JsonCodec() override = default;

    /// Registers custom type T (which must specialise mas::Serializer) as the next type id.
    template <CustomSerializable T>
    JsonCodec& add_serializer() {
        return add_serializer(Serializer<T>::name);
    }
    /// Registers a custom type by its Serializer name as the next type id.
    JsonCodec& add_serializer(std::string_view type_name) {
        Codec::add_serializer(type_name);
        return *this;
    }

    [[nodiscard]] std::string_view name() const noexcept override { return "json"; }
    [[nodiscard]] JsonStyle style() const noexcept { return options_.style; }

    /// Appends the JSON text of `value` to `out`. Throws mas::CodecError for a custom value whose
    /// type is not registered with this codec ("No serializer found for type ...") or bytes;
    /// `out` may then hold a partial text.
    void encode_to(const Json& value, std::string& out) const override;
    using Codec::encode;

    /// Parses one JSON value (surrounding whitespace allowed). Throws mas::ProtocolError for
    /// invalid JSON or UTF-8, with the byte offset, and mas::CodecError for an integer beyond
    /// 64 bits or an unknown custom type id.
    /// (Codec::decode, without the virtual call: the JSON path is the hot one.)
    [[nodiscard]] Json decode(std::string_view text) const;
    [[nodiscard]] Json decode_lenient(std::string_view text, std::string& problem) const override;

    void encode_message(MessageType type, std::uint64_t id, const Json& content, std::string& out) const override;
    [[nodiscard]] Message decode_message(std::string_view payload,
                                         std::size_t max_size = static_cast<std::size_t>(-1)) const override;
    [[nodiscard]] std::shared_ptr<Codec> make_empty() const override;

private:
    JsonCodecOptions options_;
};

}  // namespace mas
