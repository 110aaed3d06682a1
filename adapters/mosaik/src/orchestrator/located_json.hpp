#pragma once
// LocatedJson: a JSON document together with where each of its values and keys was written,
// so that scenario errors can name the line and column of the offending value.

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "mas/core/json.hpp"
#include "mas/mosaik/orchestrator/scenario_error.hpp"

namespace mas::mosaik {

/// The JSON path of member `key` of the value at `parent`: `parent.key`, or `parent["a b"]` for a
/// key that is not a plain name.
std::string member_path(const std::string& parent, std::string_view key);
/// The JSON path of element `index` of the array at `parent`: `parent[index]`.
std::string element_path(const std::string& parent, std::size_t index);

class LocatedJson {
public:
    /// Parses `text`, which may hold `//` and `/* */` comments and trailing commas. Throws
    /// ScenarioError naming `origin`, line and column for invalid JSON and for a key that appears
    /// twice in one object.
    static LocatedJson parse(std::string_view text, std::string origin);

    [[nodiscard]] const Json& root() const noexcept { return root_; }
    [[nodiscard]] const std::string& origin() const noexcept { return origin_; }
    /// Where the value at `path` begins (the document's start for an unknown path).
    [[nodiscard]] ScenarioLocation value_at(const std::string& path) const;
    /// Where the key of the object member at `path` begins (its value's place for anything else).
    [[nodiscard]] ScenarioLocation key_at(const std::string& path) const;

    struct Position {
        std::size_t line = 1;
        std::size_t column = 1;
    };

private:
    friend class LocatingHandler;
    [[nodiscard]] ScenarioLocation location(const std::string& path, Position position) const;

    Json root_;
    std::string origin_;
    std::unordered_map<std::string, Position> values_;
    std::unordered_map<std::string, Position> keys_;
};

}  // namespace mas::mosaik
