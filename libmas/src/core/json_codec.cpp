#include "mas/core/json_codec.hpp"

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <iterator>
#include <limits>
#include <memory>
#include <memory_resource>

#include <fmt/format.h>
#include <rapidjson/allocators.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "core/json_writer.hpp"

namespace mas {
namespace {

// Deeper input is rejected: the recursive parser, Json's destructor and the writer all use the
// call stack, and no aiomas or mosaik message comes anywhere near this.
constexpr std::size_t max_depth = 512;

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

// A RapidJSON SAX handler that builds the Json tree bottom-up on one flat stack: a container's
// elements are pushed as they come and gathered when it ends, when their count is known, so every
// array and object is allocated exactly once at its final size.
class Builder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Builder> {
public:
    Builder(const std::vector<std::string>& types, std::pmr::memory_resource& memory)
        : types_(types), values_(&memory), keys_(&memory) {
        values_.reserve(16);
    }

    bool Null() {
        values_.emplace_back();
        return true;
    }
    bool Bool(bool b) {
        values_.emplace_back(b);
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
            values_.emplace_back(parse_float(number));
        }
        return true;
    }
    bool String(const char* text, rapidjson::SizeType length, bool /*copy*/) {
        values_.emplace_back(std::string(text, length));
        return true;
    }
    bool Key(const char* text, rapidjson::SizeType length, bool /*copy*/) {
        keys_.emplace_back(text, length);
        return true;
    }
    bool StartObject() { return enter(); }
    bool StartArray() { return enter(); }
    bool EndArray(rapidjson::SizeType count);
    bool EndObject(rapidjson::SizeType count);

    [[nodiscard]] bool too_deep() const noexcept { return too_deep_; }
    std::string take_problem() { return std::move(problem_); }
    Json take_result() { return std::move(values_.back()); }

private:
    bool enter() {
        if (++depth_ > max_depth) {
            too_deep_ = true;
            return false;
        }
        return true;
    }
    void report(std::string problem) {
        if (problem_.empty()) problem_ = std::move(problem);
    }
    void push_integer(std::string_view text);
    JsonObject gather_object(std::size_t count);
    Json custom_from(JsonObject& object);

    const std::vector<std::string>& types_;
    std::pmr::vector<Json> values_;
    std::pmr::vector<std::string> keys_;
    std::string problem_;
    std::size_t depth_ = 0;
    bool too_deep_ = false;
};

void Builder::push_integer(std::string_view text) {
    const char* const first = text.data();
    const char* const last = first + text.size();
    std::int64_t i = 0;
    if (std::from_chars(first, last, i).ec == std::errc()) {
        values_.emplace_back(i);
        return;
    }
    std::uint64_t u = 0;
    if (text.front() != '-' && std::from_chars(first, last, u).ec == std::errc()) {
        values_.emplace_back(u);
        return;
    }
    report(fmt::format("integer {} does not fit in 64 bits", text));
    values_.emplace_back();
}

bool Builder::EndArray(rapidjson::SizeType count) {
    const auto first = values_.end() - static_cast<std::ptrdiff_t>(count);
    JsonArray array(std::make_move_iterator(first), std::make_move_iterator(values_.end()));
    values_.erase(first, values_.end());
    values_.emplace_back(std::move(array));
    --depth_;
    return true;
}

bool Builder::EndObject(rapidjson::SizeType count) {
    JsonObject object = gather_object(count);
    if (object.contains("__type__")) {
        values_.push_back(custom_from(object));
    } else {
        values_.emplace_back(std::move(object));
    }
    --depth_;
    return true;
}

// Python keeps the first position and the last value of a duplicate key, as insert_or_assign
// does (through the object's index once it is large).
JsonObject Builder::gather_object(std::size_t count) {
    const auto keys = keys_.begin() + static_cast<std::ptrdiff_t>(keys_.size() - count);
    const auto values = values_.begin() + static_cast<std::ptrdiff_t>(values_.size() - count);
    JsonObject object;
    object.reserve(count);
    for (std::size_t i = 0; i < count; ++i) object.insert_or_assign(std::move(keys[i]), std::move(values[i]));
    keys_.erase(keys, keys_.end());
    values_.erase(values, values_.end());
    return object;
}

// aiomas passes every decoded object through its hook, so any object with a "__type__" key is
// taken as a custom value, whatever else it holds.
Json Builder::custom_from(JsonObject& object) {
    Json& marker = *object.find("__type__");
    if (marker.is_array() && marker.size() == 2 && marker[0].is_integer()) {
        auto& pair = marker.as_array();
        if (pair[0].kind() == JsonKind::integer) {
            const auto id = std::get<std::int64_t>(pair[0].storage());
            if (id >= 0 && static_cast<std::uint64_t>(id) < types_.size()) {
                return Json(JsonCustom{types_[static_cast<std::size_t>(id)],
                                       std::make_shared<const Json>(std::move(pair[1]))});
            }
            report(fmt::format("unknown custom type id {}", id));
        } else {
            report(fmt::format("unknown custom type id {}",
                               std::get<std::uint64_t>(pair[0].storage())));
        }
        return Json();
    }
    report(fmt::format("invalid custom value: \"__type__\" must be [type id, value], got {}",
                       marker.describe()));
    return Json();
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

JsonCodec& JsonCodec::add_serializer(std::string_view type_name) {
    // Two ids for one name would make encoding ambiguous; aiomas refuses this too.
    if (type_id(type_name)) {
        throw ConfigError(fmt::format("a serializer for type \"{}\" was already added", type_name));
    }
    types_.emplace_back(type_name);
    return *this;
}

std::optional<std::int64_t> JsonCodec::type_id(std::string_view type_name) const {
    const auto found = std::find(types_.begin(), types_.end(), type_name);
    if (found == types_.end()) return std::nullopt;
    return static_cast<std::int64_t>(found - types_.begin());
}

void JsonCodec::encode_to(const Json& value, std::string& out) const {
    detail::write_json(value, *this, out);
}

std::string JsonCodec::encode(const Json& value) const {
    std::string out;
    out.reserve(64);  // one allocation covers a typical request frame
    encode_to(value, out);
    return out;
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
    Builder builder(types_, memory);

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

}  // namespace mas
