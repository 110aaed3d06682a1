#include "mas/core/json_codec.hpp"

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <iterator>
#include <limits>
#include <memory>
#include <memory_resource>
#include <optional>

#include <fmt/format.h>
#include <rapidjson/allocators.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "core/json_writer.hpp"
#include "core/value_stack.hpp"

namespace mas {
namespace {

constexpr std::size_t max_depth = detail::max_decode_depth;

// Numbers arrive as text so that integers beyond 64 bits can be reported instead of silently
// turning into doubles. kParseStopWhenDoneFlag stays off: trailing garbage is an error.
constexpr unsigned parse_flags = rapidjson::kParseNumbersAsStringsFlag |
                                 rapidjson::kParseNanAndInfFlag |
                                 rapidjson::kParseValidateEncodingFlag;

// The decimal exponent of a number's leading non-zero digit; tells a float that overflowed
// from one that underflowed (std::from_chars reports both as out of range).
long decimal_magnitude(std::string_view text) {
    long magnitude = 0;
    long leading_fraction_zeros = 0;
    bool seen_point = false;
    bool seen_digit = false;
    std::size_t i = text.front() == '-' ? 1 : 0;
    for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
        const char c = text[i];
        if (c == '.') {
            seen_point = true;
        } else if (!seen_digit && c == '0') {
            if (seen_point) ++leading_fraction_zeros;
        } else if (!seen_digit) {
            seen_digit = true;
            magnitude = seen_point ? -(leading_fraction_zeros + 1) : 0;
        } else if (!seen_point) {
            ++magnitude;
        }
    }
    if (i + 1 >= text.size()) return magnitude;
    const bool negative = text[i + 1] == '-';
    const std::size_t digits = (text[i + 1] == '-' || text[i + 1] == '+') ? i + 2 : i + 1;
    long exponent = 0;
    const char* const last = text.data() + text.size();
    if (std::from_chars(text.data() + digits, last, exponent).ec != std::errc()) {
        exponent = 1'000'000;  // overflowing a long is far beyond the double range anyway
    }
    return magnitude + (negative ? -exponent : exponent);
}

// Non-finite spellings are whatever RapidJSON accepts with kParseNanAndInfFlag: NaN, Inf,
// Infinity, optionally signed.
double parse_float(std::string_view text) {
    const bool negative = text.front() == '-';
    const char last = text.back();
    if (last == 'N') {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        return negative ? -nan : nan;
    }
    if (last == 'f' || last == 'y') {
        const double inf = std::numeric_limits<double>::infinity();
        return negative ? -inf : inf;
    }
    double value = 0.0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range) {
        // Python's float() gives inf or 0.0 here; keep the sign as it does.
        value = decimal_magnitude(text) > 0 ? std::numeric_limits<double>::infinity() : 0.0;
        if (negative) value = -value;
    }
    return value;
}

// A RapidJSON SAX handler feeding the shared ValueStack.
class Builder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Builder> {
public:
    Builder(const std::vector<std::string>& types, std::pmr::memory_resource& memory) : stack_(types, memory) {}

    bool Null() {
        stack_.push();
        return true;
    }
    bool Bool(bool b) {
        stack_.push(b);
        return true;
    }
    bool RawNumber(const char* text, rapidjson::SizeType length, bool /*copy*/) {
        const std::string_view number(text, length);
        const bool integer = std::all_of(number.begin(), number.end(), [](char c) {
            return (c >= '0' && c <= '9') || c == '-';
        });
        if (integer) {
            push_integer(number);
        } else {
            stack_.push(parse_float(number));
        }
        return true;
    }
    bool String(const char* text, rapidjson::SizeType length, bool /*copy*/) {
        stack_.push(std::string(text, length));
        return true;
    }
    bool Key(const char* text, rapidjson::SizeType length, bool /*copy*/) {
        stack_.key(std::string_view(text, length));
        return true;
    }
    bool StartObject() { return stack_.enter(); }
    bool StartArray() { return stack_.enter(); }
    bool EndArray(rapidjson::SizeType count) {
        stack_.end_array(count);
        return true;
    }
    bool EndObject(rapidjson::SizeType count) {
        stack_.end_object(count);
        return true;
    }

    [[nodiscard]] bool too_deep() const noexcept { return stack_.too_deep(); }
    std::string take_problem() { return stack_.take_problem(); }
    Json take_result() { return stack_.take_result(); }

private:
    void push_integer(std::string_view text);

    detail::ValueStack stack_;
};

void Builder::push_integer(std::string_view text) {
    const char* const first = text.data();
    const char* const last = first + text.size();
    std::int64_t i = 0;
    if (std::from_chars(first, last, i).ec == std::errc()) {
        stack_.push(i);
        return;
    }
    std::uint64_t u = 0;
    if (text.front() != '-' && std::from_chars(first, last, u).ec == std::errc()) {
        stack_.push(u);
        return;
    }
    stack_.report(fmt::format("integer {} does not fit in 64 bits", text));
    stack_.push();
}

[[noreturn]] void throw_parse_error(const rapidjson::ParseResult& result, bool too_deep) {
    if (too_deep) {
        throw ProtocolError(fmt::format("invalid JSON at byte {}: nesting deeper than {} levels",
                                        result.Offset(), max_depth));
    }
    throw ProtocolError(fmt::format("invalid JSON at byte {}: {}", result.Offset(),
                                    rapidjson::GetParseError_En(result.Code())));
}

}  // namespace

JsonCodec::JsonCodec(JsonCodecOptions options) : options_(options) {}

std::shared_ptr<Codec> JsonCodec::make_empty() const { return std::make_shared<JsonCodec>(options_); }

void JsonCodec::encode_to(const Json& value, std::string& out) const {
    detail::write_json(value, *this, out);
}

Json JsonCodec::decode(std::string_view text) const {
    std::string problem;
    Json value = decode_lenient(text, problem);
    if (!problem.empty()) throw CodecError(problem);
    return value;
}

Json JsonCodec::decode_lenient(std::string_view text, std::string& problem) const {
    using Allocator = rapidjson::MemoryPoolAllocator<>;
    // RapidJSON's token stack and our value stack start in these buffers, so decoding a small
    // message allocates only the Json it returns.
    alignas(std::max_align_t) char reader_scratch[1024];
    alignas(std::max_align_t) std::byte builder_scratch[2048];
    Allocator allocator(reader_scratch, sizeof reader_scratch, 8192);
    std::pmr::monotonic_buffer_resource memory(builder_scratch, sizeof builder_scratch);
    rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, Allocator> reader(&allocator);
    rapidjson::MemoryStream stream(text.data(), text.size());
    Builder builder(type_names(), memory);

    const rapidjson::ParseResult result = reader.Parse<parse_flags>(stream, builder);
    if (result.IsError()) throw_parse_error(result, builder.too_deep());
    // MemoryStream shows a NUL byte as the end of input, so RapidJSON stops early on one.
    if (stream.Tell() != text.size()) {
        throw ProtocolError(
            fmt::format("invalid JSON at byte {}: unexpected NUL byte", stream.Tell()));
    }
    problem = builder.take_problem();
    return builder.take_result();
}

void JsonCodec::encode_message(MessageType type, std::uint64_t id, const Json& content, std::string& out) const {
    const auto start = out.size();
    const bool python = options_.style == JsonStyle::python;
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
        encode_to(content, out);
    } catch (...) {
        out.resize(start);
        throw;
    }
    out.push_back(']');
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

Message JsonCodec::decode_message(std::string_view payload, std::size_t max_size) const {
    if (auto msg = decode_envelope(*this, payload)) return std::move(*msg);
    return Codec::decode_message(payload, max_size);
}

}  // namespace mas
