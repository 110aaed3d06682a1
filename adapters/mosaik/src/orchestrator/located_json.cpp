#include "orchestrator/located_json.hpp"

#include <algorithm>
#include <cstdint>
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
    bool StartObject() { return open(Json(JsonObject())); }
    bool StartArray() { return open(Json(JsonArray())); }
    bool EndObject(rapidjson::SizeType /*count*/) { return close(); }
    bool EndArray(rapidjson::SizeType /*count*/) { return close(); }

    // Why a handler stopped the parse, if one did.
    [[nodiscard]] const std::optional<ScenarioError>& refusal() const noexcept { return refusal_; }
    LocatedJson::Position position(std::size_t offset) { return positions_.at(offset); }

private:
    struct Frame {
        Json value;
        std::string path;
        std::string key;  // of the member whose value comes next
    };

    LocatedJson::Position start_of_token() { return positions_.at(next_token(text_, last_end_)); }
    std::string next_path() const;
    void add(Json value);
    bool scalar(Json value);
    bool open(Json container);
    bool close();

    LocatedJson& doc_;
    std::string_view text_;
    const rapidjson::MemoryStream& stream_;
    PositionCounter positions_;
    std::vector<Frame> stack_;
    std::size_t last_end_ = 0;
    std::optional<ScenarioError> refusal_;
};

std::string LocatingHandler::next_path() const {
    if (stack_.empty()) return {};
    const Frame& top = stack_.back();
    if (top.value.is_object()) return member_path(top.path, top.key);
    return element_path(top.path, top.value.size());
}

void LocatingHandler::add(Json value) {
    if (stack_.empty()) {
        doc_.root_ = std::move(value);
        return;
    }
    Frame& top = stack_.back();
    if (top.value.is_object()) {
        top.value.as_object().push_back(std::move(top.key), std::move(value));
    } else {
        top.value.push_back(std::move(value));
    }
}

bool LocatingHandler::scalar(Json value) {
    doc_.values_.insert_or_assign(next_path(), start_of_token());
    add(std::move(value));
    last_end_ = stream_.Tell();
    return true;
}

bool LocatingHandler::open(Json container) {
    const auto start = start_of_token();
    if (stack_.size() >= max_depth) {
        refusal_.emplace(doc_.location(next_path(), start), fmt::format("nesting deeper than {} levels", max_depth));
        return false;
    }
    std::string path = next_path();
    doc_.values_.insert_or_assign(path, start);
    stack_.push_back(Frame{std::move(container), std::move(path), {}});
    last_end_ = stream_.Tell();
    return true;
}

bool LocatingHandler::close() {
    Json value = std::move(stack_.back().value);
    stack_.pop_back();
    add(std::move(value));
    last_end_ = stream_.Tell();
    return true;
}

bool LocatingHandler::Key(const char* text, rapidjson::SizeType length, bool /*copy*/) {
    Frame& top = stack_.back();
    std::string key(text, length);
    const auto start = start_of_token();
    const std::string path = member_path(top.path, key);
    if (top.value.as_object().contains(key)) {
        const auto first = doc_.keys_.at(path);
        refusal_.emplace(doc_.location(path, start), fmt::format("duplicate key '{}' (first at line {}, column {})",
                                                                 key, first.line, first.column));
        return false;
    }
    doc_.keys_.insert_or_assign(path, start);
    top.key = std::move(key);
    last_end_ = stream_.Tell();
    return true;
}

LocatedJson LocatedJson::parse(std::string_view text, std::string origin) {
    LocatedJson doc;
    doc.origin_ = std::move(origin);
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

ScenarioLocation LocatedJson::value_at(const std::string& path) const {
    const auto found = values_.find(path);
    return location(path, found == values_.end() ? Position{} : found->second);
}

ScenarioLocation LocatedJson::key_at(const std::string& path) const {
    const auto found = keys_.find(path);
    if (found == keys_.end()) return value_at(path);
    return location(path, found->second);
}

}  // namespace mas::mosaik
