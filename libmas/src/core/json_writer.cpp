#include "core/json_writer.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <string_view>

#include <fmt/format.h>

namespace mas::detail {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

// What to do with one byte inside a string: copy it, write a short escape (`\n`), write a
// `\u00XX` escape, or decode a UTF-8 sequence starting here.
enum class ByteAction : unsigned char { copy, short_escape, unicode_escape, utf8 };

// Python's ensure_ascii escapes everything outside ' '..'~' (so 0x7f too); with
// ensure_ascii=False (our compact style) only control characters, '"' and '\\' are escaped.
constexpr std::array<ByteAction, 256> make_byte_actions(bool ensure_ascii) {
    std::array<ByteAction, 256> table{};
    for (unsigned c = 0; c < 256; ++c) {
        if (c < 0x20) {
            table[c] = ByteAction::unicode_escape;
        } else if (c >= 0x80) {
            table[c] = ByteAction::utf8;
        } else if (c == 0x7f && ensure_ascii) {
            table[c] = ByteAction::unicode_escape;
        } else {
            table[c] = ByteAction::copy;
        }
    }
    for (unsigned char c : {'"', '\\', '\n', '\r', '\t', '\b', '\f'}) {
        table[c] = ByteAction::short_escape;
    }
    return table;
}

constexpr auto python_actions = make_byte_actions(true);
constexpr auto compact_actions = make_byte_actions(false);

char short_escape_letter(unsigned char c) noexcept {
    switch (c) {
    case '\n': return 'n';
    case '\r': return 'r';
    case '\t': return 't';
    case '\b': return 'b';
    case '\f': return 'f';
    default: return static_cast<char>(c);  // '"' and '\\' escape as themselves
    }
}

void write_u_escape(char32_t unit, std::string& out) {
    const char text[6] = {'\\', 'u', hex_digits[(unit >> 12) & 0xf], hex_digits[(unit >> 8) & 0xf],
                          hex_digits[(unit >> 4) & 0xf], hex_digits[unit & 0xf]};
    out.append(text, sizeof text);
}

void write_code_point_escape(char32_t cp, std::string& out) {
    if (cp < 0x10000) {
        write_u_escape(cp, out);
        return;
    }
    const char32_t v = cp - 0x10000;
    write_u_escape(0xd800 + (v >> 10), out);
    write_u_escape(0xdc00 + (v & 0x3ff), out);
}

bool is_surrogate(char32_t cp) noexcept { return cp >= 0xd800 && cp <= 0xdfff; }

// The length of the UTF-8 sequence at p (whose lead byte is >= 0x80) with its code point in cp,
// or 0 if the bytes are not UTF-8. Encoded surrogates (ED A0..BF ..) are accepted on purpose:
// RapidJSON decodes a lone "\udc00" escape into them, and Python happily echoes lone surrogates,
// so passing them on keeps such an echo byte-identical.
std::size_t decode_utf8(const unsigned char* p, std::size_t avail, char32_t& cp) noexcept {
    const char32_t c0 = p[0];
    const auto cont = [&](std::size_t i) { return i < avail && (p[i] & 0xc0) == 0x80; };
    if (c0 >= 0xc2 && c0 <= 0xdf) {
        if (!cont(1)) return 0;
        cp = ((c0 & 0x1f) << 6) | (p[1] & 0x3f);
        return 2;
    }
    if (c0 >= 0xe0 && c0 <= 0xef) {
        if (!cont(1) || !cont(2)) return 0;
        cp = ((c0 & 0x0f) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3f);
        return cp < 0x800 ? 0 : 3;  // reject overlong forms
    }
    if (c0 >= 0xf0 && c0 <= 0xf4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        cp = ((c0 & 0x07) << 18) | ((p[1] & 0x3fu) << 12) | ((p[2] & 0x3fu) << 6) | (p[3] & 0x3f);
        return (cp < 0x10000 || cp > 0x10ffff) ? 0 : 4;
    }
    return 0;
}

template <class Int>
void write_integer(Int i, std::string& out) {
    char text[24];
    const auto end = std::to_chars(text, text + sizeof text, i).ptr;
    out.append(text, end);
}

template <JsonStyle Style>
class Writer {
public:
    Writer(const JsonCodec& codec, std::string& out) : codec_(codec), out_(out) {}

    void write(const Json& value) {
        const auto& v = value.storage();
        switch (value.kind()) {
        case JsonKind::null: out_ += "null"; break;
        case JsonKind::boolean: out_ += std::get<bool>(v) ? "true" : "false"; break;
        case JsonKind::integer: write_integer(std::get<std::int64_t>(v), out_); break;
        case JsonKind::uinteger: write_integer(std::get<std::uint64_t>(v), out_); break;
        case JsonKind::floating: write_python_float(std::get<double>(v), out_); break;
        case JsonKind::string: write_string(std::get<std::string>(v)); break;
        case JsonKind::array: write_array(std::get<JsonArray>(v)); break;
        case JsonKind::object: write_object(std::get<JsonObject>(v)); break;
        case JsonKind::custom: write_custom(value.as_custom()); break;
        // aiomas' JSON codec refuses bytes with this wording (its SerializationError).
        case JsonKind::bytes: throw CodecError("No serializer found for type \"<class 'bytes'>\"");
        }
    }

private:
    static constexpr bool python = Style == JsonStyle::python;
    static constexpr std::string_view item_separator = python ? ", " : ",";
    static constexpr std::string_view key_separator = python ? ": " : ":";
    static constexpr const auto& actions = python ? python_actions : compact_actions;

    void write_string(std::string_view s) {
        const auto* const begin = reinterpret_cast<const unsigned char*>(s.data());
        const auto* const end = begin + s.size();
        const auto* run = begin;  // start of the bytes still to copy verbatim
        out_.push_back('"');
        for (const auto* p = begin; p != end;) {
            const ByteAction action = actions[*p];
            if (action == ByteAction::copy) {
                ++p;
                continue;
            }
            out_.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
            if (action == ByteAction::short_escape) {
                out_.push_back('\\');
                out_.push_back(short_escape_letter(*p));
                ++p;
            } else if (action == ByteAction::unicode_escape) {
                write_u_escape(*p, out_);
                ++p;
            } else {
                p += write_utf8_sequence(p, end, static_cast<std::size_t>(p - begin));
            }
            run = p;
        }
        out_.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(end - run));
        out_.push_back('"');
    }

    std::size_t write_utf8_sequence(const unsigned char* p, const unsigned char* end,
                                    std::size_t offset) {
        char32_t cp = 0;
        const std::size_t length = decode_utf8(p, static_cast<std::size_t>(end - p), cp);
        if (length == 0) {
            throw CodecError(fmt::format("cannot encode a string that is not valid UTF-8 "
                                         "(byte 0x{:02x} at offset {})",
                                         *p, offset));
        }
        // Raw surrogates are not UTF-8 a peer would accept, so even compact output escapes them.
        if (python || is_surrogate(cp)) {
            write_code_point_escape(cp, out_);
        } else {
            out_.append(reinterpret_cast<const char*>(p), length);
        }
        return length;
    }

    void write_array(const JsonArray& array) {
        out_.push_back('[');
        bool first = true;
        for (const auto& item : array) {
            if (!first) out_ += item_separator;
            first = false;
            write(item);
        }
        out_.push_back(']');
    }

    void write_object(const JsonObject& object) {
        out_.push_back('{');
        bool first = true;
        for (const auto& [key, item] : object) {
            if (!first) out_ += item_separator;
            first = false;
            write_string(key);
            out_ += key_separator;
            write(item);
        }
        out_.push_back('}');
    }

    void write_custom(const JsonCustom& custom) {
        const auto id = codec_.type_id(custom.type);
        if (!id) {
            // The wording of aiomas' SerializationError, which peers may show to users.
            throw CodecError(fmt::format("No serializer found for type \"{}\"", custom.type));
        }
        out_ += python ? R"({"__type__": [)" : R"({"__type__":[)";
        write_integer(*id, out_);
        out_ += item_separator;
        if (custom.repr) {
            write(*custom.repr);
        } else {
            out_ += "null";
        }
        out_ += "]}";
    }

    const JsonCodec& codec_;
    std::string& out_;
};

}  // namespace

void write_python_float(double d, std::string& out) {
    if (std::isnan(d)) {
        out += "NaN";
        return;
    }
    if (std::isinf(d)) {
        out += d < 0 ? "-Infinity" : "Infinity";
        return;
    }
    // to_chars gives the shortest round-trip digits; in scientific form it already matches
    // Python's exponent layout ("1e+16", "5e-324"), so only the positional form needs work.
    char text[32];
    const char* const end =
        std::to_chars(text, text + sizeof text, d, std::chars_format::scientific).ptr;
    const char* const e = std::find(static_cast<const char*>(text), end, 'e');
    int exponent = 0;
    std::from_chars(e + 2, end, exponent);
    if (e[1] == '-') exponent = -exponent;
    if (exponent < -4 || exponent >= 16) {
        out.append(text, static_cast<std::size_t>(end - text));
        return;
    }
    const char* p = text;
    if (*p == '-') out.push_back(*p++);
    char digits[24];
    std::size_t count = 0;
    for (; p != e; ++p) {
        if (*p != '.') digits[count++] = *p;
    }
    if (exponent < 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-exponent - 1), '0');
        out.append(digits, count);
        return;
    }
    const auto integer_digits = static_cast<std::size_t>(exponent) + 1;
    if (count <= integer_digits) {
        out.append(digits, count);
        out.append(integer_digits - count, '0');
        out += ".0";
    } else {
        out.append(digits, integer_digits);
        out.push_back('.');
        out.append(digits + integer_digits, count - integer_digits);
    }
}

void write_json(const Json& value, const JsonCodec& codec, std::string& out) {
    if (codec.style() == JsonStyle::python) {
        Writer<JsonStyle::python>(codec, out).write(value);
    } else {
        Writer<JsonStyle::compact>(codec, out).write(value);
    }
}

}  // namespace mas::detail
