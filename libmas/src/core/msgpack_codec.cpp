#include "mas/core/msgpack_codec.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory_resource>
#include <vector>

#include <blosc.h>
#include <fmt/format.h>
#include <msgpack.hpp>

#include "core/value_stack.hpp"
#include "mas/core/error.hpp"

namespace mas {
namespace {

// Python's strict UTF-8 decoder: no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(const char* data, std::size_t size) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(data);
    const auto* const end = p + size;
    while (p < end) {
        const unsigned c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        std::size_t length = 0;
        unsigned low = 0x80;
        unsigned high = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            if (c == 0xE0) low = 0xA0;
            if (c == 0xED) high = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            if (c == 0xF0) low = 0x90;
            if (c == 0xF4) high = 0x8F;
        } else {
            return false;
        }
        if (static_cast<std::size_t>(end - p) < length) return false;
        if (p[1] < low || p[1] > high) return false;
        for (std::size_t i = 2; i < length; ++i) {
            if (p[i] < 0x80 || p[i] > 0xBF) return false;
        }
        p += length;
    }
    return true;
}

// msgpack-cxx's packer writes through any stream with write(); this one appends to the frame.
struct Appender {
    std::string& out;
    void write(const char* data, std::size_t size) { out.append(data, size); }
};

class Packer {
public:
    Packer(const Codec& codec, std::string& out) : codec_(codec), appender_{out}, packer_(appender_) {}

    void pack(const Json& value) {
        const auto& v = value.storage();
        switch (value.kind()) {
        case JsonKind::null: packer_.pack_nil(); break;
        case JsonKind::boolean: std::get<bool>(v) ? packer_.pack_true() : packer_.pack_false(); break;
        case JsonKind::integer: packer_.pack_int64(std::get<std::int64_t>(v)); break;
        case JsonKind::uinteger: packer_.pack_uint64(std::get<std::uint64_t>(v)); break;
        case JsonKind::floating: pack_float64(std::get<double>(v)); break;
        case JsonKind::string: pack_str(std::get<std::string>(v)); break;
        case JsonKind::bytes: {
            const auto& bytes = value.as_bytes();
            packer_.pack_bin(checked_size(bytes.size()));
            packer_.pack_bin_body(bytes.data(), static_cast<std::uint32_t>(bytes.size()));
            break;
        }
        case JsonKind::array: {
            const auto& array = std::get<JsonArray>(v);
            packer_.pack_array(checked_size(array.size()));
            for (const auto& item : array) pack(item);
            break;
        }
        case JsonKind::object: {
            const auto& object = std::get<JsonObject>(v);
            packer_.pack_map(checked_size(object.size()));
            for (const auto& [key, item] : object) {
                pack_str(key);
                pack(item);
            }
            break;
        }
        case JsonKind::custom: pack_custom(value.as_custom()); break;
        }
    }

    void pack_message(MessageType type, std::uint64_t id, const Json& content) {
        packer_.pack_array(3);
        packer_.pack_uint8(static_cast<std::uint8_t>(type));
        packer_.pack_uint64(id);
        pack(content);
    }

private:
    static std::uint32_t checked_size(std::size_t size) {
        if (size > UINT32_MAX) throw CodecError(fmt::format("MsgPack cannot hold {} elements or bytes in one value", size));
        return static_cast<std::uint32_t>(size);
    }
    // msgpack-cxx's pack_double writes a whole-numbered double as an integer; Python writes
    // every float as float64, and a peer must get 2.0 back as a float.
    void pack_float64(double d) {
        std::uint64_t bits = 0;
        std::memcpy(&bits, &d, sizeof bits);
        char bytes[9];
        bytes[0] = static_cast<char>(0xcb);
        for (int i = 0; i < 8; ++i) bytes[8 - i] = static_cast<char>(bits >> (8 * i));
        appender_.write(bytes, sizeof bytes);
    }
    void pack_str(const std::string& text) {
        // Python's packb writes text as UTF-8, and a peer's unpackb(raw=False) refuses anything else.
        if (!valid_utf8(text.data(), text.size())) {
            throw CodecError("cannot encode a string that is not valid UTF-8 (bytes belong in a JsonBytes value)");
        }
        packer_.pack_str(checked_size(text.size()));
        packer_.pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
    }
    void pack_custom(const JsonCustom& custom) {
        const auto id = codec_.type_id(custom.type);
        // The wording of aiomas' SerializationError, which peers may show to users.
        if (!id) throw CodecError(fmt::format("No serializer found for type \"{}\"", custom.type));
        packer_.pack_map(1);
        pack_str("__type__");
        packer_.pack_array(2);
        packer_.pack_int64(*id);
        if (custom.repr) {
            pack(*custom.repr);
        } else {
            packer_.pack_nil();
        }
    }

    const Codec& codec_;
    Appender appender_;
    msgpack::packer<Appender> packer_;
};

// A msgpack-cxx parse visitor feeding the shared ValueStack. A visit returning false stops the
// parse; `error_` then says why.
class Unpacker : public msgpack::null_visitor {
public:
    Unpacker(const std::vector<std::string>& types, std::pmr::memory_resource& memory)
        : stack_(types, memory), counts_(&memory) {}

    bool visit_nil() { return value([&] { stack_.push(); }); }
    bool visit_boolean(bool b) { return value([&] { stack_.push(b); }); }
    bool visit_positive_integer(std::uint64_t u) {
        return value([&] {
            if (u <= static_cast<std::uint64_t>(INT64_MAX)) {
                stack_.push(static_cast<std::int64_t>(u));
            } else {
                stack_.push(u);
            }
        });
    }
    bool visit_negative_integer(std::int64_t i) { return value([&] { stack_.push(i); }); }
    bool visit_float32(float f) { return value([&] { stack_.push(static_cast<double>(f)); }); }
    bool visit_float64(double d) { return value([&] { stack_.push(d); }); }
    bool visit_str(const char* data, std::uint32_t size) {
        if (!valid_utf8(data, size)) return fail("a str that is not valid UTF-8");
        if (in_key_) {
            in_key_ = false;
            stack_.key(std::string_view(data, size));
            return true;
        }
        stack_.push(std::string(data, size));
        return true;
    }
    bool visit_bin(const char* data, std::uint32_t size) {
        // Python would take a bytes key, but an object's keys here are text.
        if (in_key_) return fail("a map key that is bytes, not a string");
        stack_.push(JsonBytes{std::string(data, size)});
        return true;
    }
    bool visit_ext(const char* data, std::uint32_t /*size*/) {
        return fail(fmt::format("an extension type ({}), which aiomas does not use", static_cast<int>(data[0])));
    }
    bool start_array(std::uint32_t count) {
        if (in_key_) return fail("a map key that is an array, not a string");
        if (!stack_.enter()) return fail(fmt::format("nesting deeper than {} levels", detail::max_decode_depth));
        counts_.push_back(count);
        return true;
    }
    bool end_array() {
        stack_.end_array(counts_.back());
        counts_.pop_back();
        return true;
    }
    bool start_map(std::uint32_t count) {
        if (in_key_) return fail("a map key that is a map, not a string");
        if (!stack_.enter()) return fail(fmt::format("nesting deeper than {} levels", detail::max_decode_depth));
        counts_.push_back(count);
        return true;
    }
    bool start_map_key() {
        in_key_ = true;
        return true;
    }
    bool end_map() {
        stack_.end_object(counts_.back());
        counts_.pop_back();
        return true;
    }
    void parse_error(std::size_t /*parsed*/, std::size_t at) {
        if (error_.empty()) error_ = fmt::format("a byte that starts no MsgPack value at byte {}", at);
    }
    void insufficient_bytes(std::size_t /*parsed*/, std::size_t at) {
        if (error_.empty()) error_ = fmt::format("data that ends in the middle of a value at byte {}", at);
    }

    [[nodiscard]] const std::string& error() const noexcept { return error_; }
    std::string take_problem() { return stack_.take_problem(); }
    Json take_result() { return stack_.take_result(); }

private:
    template <class Push>
    bool value(Push&& push) {
        if (in_key_) return fail("a map key that is not a string");
        push();
        return true;
    }
    bool fail(std::string why) {
        if (error_.empty()) error_ = std::move(why);
        return false;
    }

    detail::ValueStack stack_;
    std::pmr::vector<std::uint32_t> counts_;  // per open container: its element count
    std::string error_;
    bool in_key_ = false;
};

Json unpack(const Codec& codec, std::string_view data, std::string& problem) {
    alignas(std::max_align_t) std::byte scratch[2048];
    std::pmr::monotonic_buffer_resource memory(scratch, sizeof scratch);
    Unpacker unpacker(codec.type_names(), memory);
    std::size_t offset = 0;
    const bool parsed = msgpack::parse(data.data(), data.size(), offset, unpacker);
    if (!parsed || !unpacker.error().empty()) {
        const auto& why = unpacker.error();
        throw CodecError(fmt::format("invalid MsgPack: {}", why.empty() ? "no value" : why));
    }
    if (offset != data.size()) {
        throw CodecError(fmt::format("invalid MsgPack: {} bytes after the value, which ends at byte {}",
                                        data.size() - offset, offset));
    }
    problem = unpacker.take_problem();
    return unpacker.take_result();
}

}  // namespace

void MsgPackCodec::encode_to(const Json& value, std::string& out) const { Packer(*this, out).pack(value); }

Json MsgPackCodec::decode_lenient(std::string_view data, std::string& problem) const {
    return unpack(*this, data, problem);
}

void MsgPackCodec::encode_message(MessageType type, std::uint64_t id, const Json& content, std::string& out) const {
    const auto start = out.size();
    try {
        Packer(*this, out).pack_message(type, id, content);
    } catch (...) {
        out.resize(start);
        throw;
    }
}

std::shared_ptr<Codec> MsgPackCodec::make_empty() const { return std::make_shared<MsgPackCodec>(); }

// ---- MsgPackBlosc ----------------------------------------------------------------------------

namespace {

// aiomas' TYPESIZE on 64-bit Python, and python-blosc's defaults.
constexpr int blosc_typesize = 8;
constexpr int blosc_level = 9;

}  // namespace

MsgPackBloscCodec::MsgPackBloscCodec(std::size_t max_decompressed) : max_decompressed_(max_decompressed) {}

void MsgPackBloscCodec::compress_to(std::string_view packed, std::string& out) const {
    if (packed.size() > static_cast<std::size_t>(BLOSC_MAX_BUFFERSIZE)) {
        throw CodecError(fmt::format("a message of {} bytes is too large for Blosc", packed.size()));
    }
    const auto start = out.size();
    out.resize(start + packed.size() + BLOSC_MAX_OVERHEAD);
    // The context form: no global state, so channels on several threads may compress at once.
    const int written = blosc_compress_ctx(blosc_level, BLOSC_SHUFFLE, blosc_typesize, packed.size(), packed.data(),
                                           out.data() + start, packed.size() + BLOSC_MAX_OVERHEAD, "blosclz", 0, 1);
    if (written <= 0) {
        out.resize(start);
        throw CodecError(fmt::format("Blosc could not compress a message of {} bytes (error {})", packed.size(), written));
    }
    out.resize(start + static_cast<std::size_t>(written));
}

MsgPackBloscCodec::Decompressed MsgPackBloscCodec::decompress(std::string_view data, std::size_t limit) const {
    std::size_t size = 0;
    // Checks the header against the buffer's size before anything is written.
    if (data.size() < BLOSC_MIN_HEADER_LENGTH || blosc_cbuffer_validate(data.data(), data.size(), &size) != 0) {
        throw CodecError(fmt::format("invalid Blosc data: a header whose sizes do not match the {} bytes received",
                                        data.size()));
    }
    if (size > limit) {
        throw CodecError(
            fmt::format("invalid Blosc data: it claims {} bytes decompressed, more than the limit of {}", size, limit));
    }
    // What blosc_cbuffer_validate leaves out: stored data is the header and the bytes themselves,
    // and compressed data starts with a 4-byte offset for each block. A header that claims more
    // than the bytes received can hold is refused before its claim is allocated.
    std::size_t compressed = 0;
    std::size_t block = 0;
    std::size_t typesize = 0;
    int flags = 0;
    blosc_cbuffer_sizes(data.data(), &size, &compressed, &block);
    blosc_cbuffer_metainfo(data.data(), &typesize, &flags);
    const bool stored = (flags & BLOSC_MEMCPYED) != 0;
    const std::size_t blocks = block == 0 ? 0 : size / block + (size % block != 0);
    if (stored ? size + BLOSC_MAX_OVERHEAD != compressed
               : size != 0 && (block == 0 || blocks > (compressed - BLOSC_MAX_OVERHEAD) / 4)) {
        throw CodecError(fmt::format("invalid Blosc data: {} bytes cannot hold the {} bytes the header claims",
                                     data.size(), size));
    }
    Decompressed out{std::make_unique_for_overwrite<char[]>(size), size};
    const int written = blosc_decompress_ctx(data.data(), out.data.get(), size, 1);
    if (written < 0 || static_cast<std::size_t>(written) != size) {
        throw CodecError(fmt::format("invalid Blosc data: decompression failed (error {})", written));
    }
    return out;
}

void MsgPackBloscCodec::encode_to(const Json& value, std::string& out) const {
    std::string packed;
    Packer(*this, packed).pack(value);
    compress_to(packed, out);
}

Json MsgPackBloscCodec::decode_lenient(std::string_view data, std::string& problem) const {
    return unpack(*this, decompress(data, max_decompressed_).view(), problem);
}

Message MsgPackBloscCodec::decode_message(std::string_view payload, std::size_t max_size) const {
    std::string problem;
    Json frame = unpack(*this, decompress(payload, std::min(max_size, max_decompressed_)).view(), problem);
    return message_from(std::move(frame), std::move(problem));
}

void MsgPackBloscCodec::encode_message(MessageType type, std::uint64_t id, const Json& content,
                                       std::string& out) const {
    std::string packed;
    Packer(*this, packed).pack_message(type, id, content);
    compress_to(packed, out);
}

std::shared_ptr<Codec> MsgPackBloscCodec::make_empty() const {
    return std::make_shared<MsgPackBloscCodec>(max_decompressed_);
}

}  // namespace mas
