#include "orchestrator/located_json.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

namespace mas::mosaik {
namespace {

// A scenario is written by hand: comments and a trailing comma are forgiven. No NaN or
// Infinity, which Python's json (and so mosaik) would read but other tools would not.
constexpr unsigned parse_flags = rapidjson::kParseCommentsFlag | rapidjson::kParseTrailingCommasFlag |
                                 rapidjson::kParseFullPrecisionFlag | rapidjson::kParseValidateEncodingFlag;

// RapidJSON's parser recurses; no scenario comes near this.
constexpr std::size_t max_depth = 200;

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9') || c == '-'; }

bool plain_key(std::string_view key) {
    return !key.empty() && is_name_start(key.front()) && std::all_of(key.begin(), key.end(), is_name_char);
}

// The offset of the next token at or after `from`: RapidJSON reports a value once it has read
// it, and between the end of one token and the start of the next there can only be whitespace,
// separators and comments.
std::size_t next_token(std::string_view text, std::size_t from) {
    while (from < text.size()) {
        const char c = text[from];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':') {
            ++from;
        } else if (c == '/' && text.substr(from, 2) == "//") {
            from = std::min(text.find('\n', from), text.size());
        } else if (c == '/' && text.substr(from, 2) == "/*") {
            const auto end = text.find("*/", from + 2);
            from = end == std::string_view::npos ? text.size() : end + 2;
        } else {
            break;
        }
    }
    return from;
}

// Turns byte offsets into lines and columns, walking forward (and starting over for an offset
// behind the last one, which only an error report can ask for).
class PositionCounter {
public:
    explicit PositionCounter(std::string_view text) : text_(text) {}

    LocatedJson::Position at(std::size_t offset) {
        if (offset < offset_) {
            offset_ = 0;
            position_ = {};
        }
        for (; offset_ < offset && offset_ < text_.size(); ++offset_) {
            const auto c = static_cast<unsigned char>(text_[offset_]);
            if (c == '\n') {
                ++position_.line;
                position_.column = 1;
            } else if ((c & 0xC0) != 0x80) {  // a UTF-8 continuation byte is no new character
                ++position_.column;
            }
        }
        return position_;
    }

private:
    std::string_view text_;
    std::size_t offset_ = 0;
    LocatedJson::Position position_;
};

}  // namespace

std::string member_path(const std::string& parent, std::string_view key) {
    if (!plain_key(key)) return fmt::format("{}[\"{}\"]", parent, key);
    if (parent.empty()) return std::string(key);
    return fmt::format("{}.{}", parent, key);
}

std::string abbreviate(std::string_view text, std::size_t max) {
    if (text.size() <= max) return std::string(text);
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return fmt::format("{}... ({} bytes)", text.substr(0, cut), text.size());
}

std::string element_path(const std::string& parent, std::size_t index) { return fmt::format("{}[{}]", parent, index); }

// A RapidJSON SAX handler that builds the Json tree and notes where each value and key starts.
class LocatingHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, LocatingHandler> {
public:
    LocatingHandler(LocatedJson& doc, std::string_view text, const rapidjson::MemoryStream& stream)
        : doc_(doc), text_(text), stream_(stream), positions_(text) {}

    bool Null() { return scalar(Json()); }
    bool Bool(bool b) { return scalar(Json(b)); }
    bool Int(int i) { return scalar(Json(i)); }
    bool Uint(unsigned u) { return scalar(Json(u)); }
    bool Int64(std::int64_t i) { return scalar(Json(i)); }
    bool Uint64(std::uint64_t u) { return scalar(Json(u)); }
    bool Double(double d) { return scalar(Json(d)); }
    bool String(const char* text, rapidjson::SizeType length, bool /*copy*/) {
        return scalar(Json(std::string(text, length)));
    }
    bool Key(const char* text, rapidjson::SizeType length, bool /*copy*/);
    bool StartObject() { return open(false); }
    bool StartArray() { return open(true); }
    bool EndObject(rapidjson::SizeType /*count*/) { return close(); }
    bool EndArray(rapidjson::SizeType /*count*/) { return close(); }

    // Why a handler stopped the parse, if one did.
    [[nodiscard]] const std::optional<ScenarioError>& refusal() const noexcept { return refusal_; }
    LocatedJson::Position position(std::size_t offset) { return positions_.at(offset); }

private:
    struct Frame {
        Json value;               // an object, or null for an array (its items are staged)
        bool array = false;
        std::uint32_t index = 0;  // the container's value index
        std::string key;          // of the member whose value comes next
        LocatedJson::Position key_start;
    };

    LocatedJson::Position start_of_token() { return positions_.at(next_token(text_, last_end_)); }
    // Paths are only made for error messages: one per value would cost more than the values.
    std::string next_path() const;
    std::uint32_t begin_value();
    void add(Json value);
    bool scalar(Json value);
    bool open(bool array);
    bool close();

    LocatedJson& doc_;
    std::string_view text_;
    const rapidjson::MemoryStream& stream_;
    PositionCounter positions_;
    std::vector<Frame> stack_;
    // The items of the open arrays, by depth. A deque grows without moving what it holds, so a
    // large array costs its items twice at most (here, then in its JsonArray) instead of three
    // times while a vector doubles.
    std::vector<std::deque<Json>> staged_;
    std::size_t last_end_ = 0;
    std::optional<ScenarioError> refusal_;
};

std::string LocatingHandler::next_path() const {
    std::string path;
    for (std::size_t depth = 0; depth < stack_.size(); ++depth) {
        const auto& frame = stack_[depth];
        path = frame.array ? element_path(path, staged_[depth].size()) : member_path(path, frame.key);
    }
    return path;
}

std::uint32_t LocatingHandler::begin_value() {
    const auto index = static_cast<std::uint32_t>(doc_.starts_.size());
    doc_.starts_.push_back(start_of_token());
    doc_.sizes_.push_back(1);
    if (!stack_.empty() && !stack_.back().array) doc_.key_starts_.emplace_back(index, stack_.back().key_start);
    return index;
}

void LocatingHandler::add(Json value) {
    if (stack_.empty()) {
        doc_.root_ = std::move(value);
        return;
    }
    Frame& top = stack_.back();
    if (top.array) {
        staged_[stack_.size() - 1].push_back(std::move(value));
    } else {
        top.value.as_object().push_back(std::move(top.key), std::move(value));
    }
}

bool LocatingHandler::scalar(Json value) {
    begin_value();
    add(std::move(value));
    last_end_ = stream_.Tell();
    return true;
}

bool LocatingHandler::open(bool array) {
    if (stack_.size() >= max_depth) {
        refusal_.emplace(doc_.location(next_path(), start_of_token()),
                         fmt::format("nesting deeper than {} levels", max_depth));
        return false;
    }
    const auto index = begin_value();
    stack_.push_back(Frame{array ? Json() : Json(JsonObject()), array, index, {}, {}});
    if (staged_.size() < stack_.size()) staged_.resize(stack_.size());
    last_end_ = stream_.Tell();
    return true;
}

bool LocatingHandler::close() {
    Frame& top = stack_.back();
    doc_.sizes_[top.index] = static_cast<std::uint32_t>(doc_.starts_.size() - top.index);
    Json value = std::move(top.value);
    if (top.array) {
        auto& items = staged_[stack_.size() - 1];
        JsonArray array;
        array.reserve(items.size());
        for (auto& item : items) array.push_back(std::move(item));
        items.clear();
        value = Json(std::move(array));
    }
    stack_.pop_back();
    add(std::move(value));
    last_end_ = stream_.Tell();
    return true;
}

bool LocatingHandler::Key(const char* text, rapidjson::SizeType length, bool /*copy*/) {
    Frame& top = stack_.back();
    std::string key(text, length);
    const auto start = start_of_token();
    const auto& object = top.value.as_object();
    if (object.contains(key)) {
        // The first member's value index, then its key's place.
        std::size_t child = top.index + 1;
        for (const auto& member : object) {
            if (member.first == key) break;
            child += doc_.sizes_[child];
        }
        const auto first = doc_.key_at(child, {});
        top.key = key;
        refusal_.emplace(doc_.location(next_path(), start),
                         fmt::format("duplicate key '{}' (first at line {}, column {})", abbreviate(key), first.line,
                                     first.column));
        return false;
    }
    top.key = std::move(key);
    top.key_start = start;
    last_end_ = stream_.Tell();
    return true;
}

LocatedJson LocatedJson::parse(std::string_view text, std::string origin) {
    LocatedJson doc;
    doc.origin_ = std::move(origin);
    if (text.size() > max_size) {
        throw ScenarioError(ScenarioLocation{doc.origin_, 0, 0, {}},
                            fmt::format("the file has {} bytes; a scenario file may have at most {} MiB",
                                        text.size(), max_size >> 20));
    }
    rapidjson::MemoryStream stream(text.data(), text.size());
    LocatingHandler handler(doc, text, stream);
    rapidjson::Reader reader;
    const rapidjson::ParseResult result = reader.Parse<parse_flags>(stream, handler);
    if (handler.refusal()) throw *handler.refusal();
    if (result.IsError()) {
        throw ScenarioError(doc.location({}, handler.position(result.Offset())),
                            fmt::format("invalid JSON: {}", rapidjson::GetParseError_En(result.Code())));
    }
    // MemoryStream shows a NUL byte as the end of the input, so RapidJSON stops early on one.
    if (stream.Tell() != text.size()) {
        throw ScenarioError(doc.location({}, handler.position(stream.Tell())), "invalid JSON: a NUL byte");
    }
    return doc;
}

ScenarioLocation LocatedJson::location(const std::string& path, Position position) const {
    return ScenarioLocation{origin_, position.line, position.column, path};
}

ScenarioLocation LocatedJson::value_at(std::size_t index, const std::string& path) const {
    return location(path, index < starts_.size() ? starts_[index] : Position{});
}

ScenarioLocation LocatedJson::key_at(std::size_t index, const std::string& path) const {
    const auto found = std::lower_bound(key_starts_.begin(), key_starts_.end(), index,
                                        [](const auto& entry, std::size_t i) { return entry.first < i; });
    if (found == key_starts_.end() || found->first != index) return value_at(index, path);
    return location(path, found->second);
}

}  // namespace mas::mosaik
