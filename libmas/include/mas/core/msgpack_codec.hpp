#pragma once
/// \file
/// MsgPackCodec and MsgPackBloscCodec: aiomas' `aiomas.MsgPack` and `aiomas.MsgPackBlosc`.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "mas/core/codec.hpp"
#include "mas/core/json.hpp"

namespace mas {

/// MsgPack as aiomas 2.0.1 writes it (`msgpack.packb(use_bin_type=True)`): integers in their
/// smallest form, floats as float64, strings as str (UTF-8 only: other text is a mas::CodecError,
/// as Python could not read it), bytes as bin, custom values as the one-key map
/// `{"__type__": [k, repr]}`. It reads what `unpackb(use_list=False, raw=False)` accepts:
/// float32 becomes a double; str must be UTF-8 and map keys strings. Extension types, trailing
/// bytes, truncated data, a map key that is not a string and nesting deeper than the JSON codec
/// allows are refused with mas::CodecError (a channel then closes the connection, as for
/// malformed JSON); an unknown custom type id is a problem of content, as in JsonCodec.
class MsgPackCodec final : public Codec {
public:
    MsgPackCodec() = default;

    template <CustomSerializable T>
    MsgPackCodec& add_serializer() {
        return add_serializer(Serializer<T>::name);
    }
    MsgPackCodec& add_serializer(std::string_view type_name) {
        Codec::add_serializer(type_name);
        return *this;
    }

    [[nodiscard]] std::string_view name() const noexcept override { return "msgpack"; }
    void encode_to(const Json& value, std::string& out) const override;
    [[nodiscard]] Json decode_lenient(std::string_view data, std::string& problem) const override;
    void encode_message(MessageType type, std::uint64_t id, const Json& content, std::string& out) const override;
    [[nodiscard]] std::shared_ptr<Codec> make_empty() const override;
};

/// MsgPack compressed with Blosc as aiomas does (`blosc.compress(packed, typesize=8)`: level 9,
/// byte shuffle, blosclz; small payloads are stored uncompressed by Blosc itself). A Blosc header
/// whose sizes lie (a compressed size other than the payload's, or a decompressed size above
/// `max_decompressed` or, for a message, the channel's frame limit) is refused with
/// mas::CodecError before anything is decompressed.
class MsgPackBloscCodec final : public Codec {
public:
    /// `max_decompressed`: the largest decompressed payload accepted (the frame limit by default).
    explicit MsgPackBloscCodec(std::size_t max_decompressed = 64U * 1024U * 1024U);

    template <CustomSerializable T>
    MsgPackBloscCodec& add_serializer() {
        return add_serializer(Serializer<T>::name);
    }
    MsgPackBloscCodec& add_serializer(std::string_view type_name) {
        Codec::add_serializer(type_name);
        return *this;
    }

    [[nodiscard]] std::string_view name() const noexcept override { return "msgpack-blosc"; }
    void encode_to(const Json& value, std::string& out) const override;
    [[nodiscard]] Json decode_lenient(std::string_view data, std::string& problem) const override;
    void encode_message(MessageType type, std::uint64_t id, const Json& content, std::string& out) const override;
    [[nodiscard]] Message decode_message(std::string_view payload,
                                         std::size_t max_size = static_cast<std::size_t>(-1)) const override;
    [[nodiscard]] std::shared_ptr<Codec> make_empty() const override;

private:
    // A decompressed payload in a buffer that was never zeroed: a 30-byte frame may claim the
    // whole limit, and clearing that much before Blosc finds the data bogus cost more than the
    // frame's sender ever paid.
    struct Decompressed {
        std::unique_ptr<char[]> data;
        std::size_t size = 0;
        [[nodiscard]] std::string_view view() const noexcept { return {data.get(), size}; }
    };

    void compress_to(std::string_view packed, std::string& out) const;
    [[nodiscard]] Decompressed decompress(std::string_view data, std::size_t limit) const;

    std::size_t max_decompressed_;
};

}  // namespace mas
