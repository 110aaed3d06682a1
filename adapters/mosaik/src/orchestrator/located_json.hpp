#pragma once
// LocatedJson: a JSON document together with where each of its values and keys was written,
// so that scenario errors can name the line and column of the offending value.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mas/core/json.hpp"
#include "mas/mosaik/orchestrator/scenario_error.hpp"

namespace mas::mosaik {

/// The JSON path of member `key` of the value at `parent`: `parent.key`, or `parent["a b"]` for a
/// key that is not a plain name.
std::string member_path(const std::string& parent, std::string_view key);
/// The JSON path of element `index` of the array at `parent`: `parent[index]`.
std::string element_path(const std::string& parent, std::size_t index);

/// `text` itself, or its first `max` bytes (never half a UTF-8 character) and "... (N bytes)":
/// an error line echoes what the file says, and a key of a megabyte must not become the line.
std::string abbreviate(std::string_view text, std::size_t max = 80);

class LocatedJson {
public:
    /// Larger scenario files are refused before they are read: parsing costs a few dozen bytes
    /// per value, and a file this large is a mistake (data belongs in files the simulators read).
    static constexpr std::size_t max_size = std::size_t{256} << 20;

    /// Parses `text`, which may hold `//` and `/* */` comments and trailing commas. Throws
    /// ScenarioError naming `origin`, line and column for invalid JSON, for a key that appears
    /// twice in one object, and for a text over max_size.
    static LocatedJson parse(std::string_view text, std::string origin);

    [[nodiscard]] const Json& root() const noexcept { return root_; }
    [[nodiscard]] const std::string& origin() const noexcept { return origin_; }

    // Values are numbered in document order (the root is 0, then depth first), which is how a
    // ScenarioNode finds its place without a map from paths.

    /// Where value `index` begins; `path` is what the location reports.
    [[nodiscard]] ScenarioLocation value_at(std::size_t index, const std::string& path) const;
    /// Where the key of value `index` begins if it is an object member, else where it begins.
    [[nodiscard]] ScenarioLocation key_at(std::size_t index, const std::string& path) const;
    /// The number of values in the subtree of value `index`, itself included: the next sibling
    /// of `index` is `index + subtree_size(index)`.
    [[nodiscard]] std::size_t subtree_size(std::size_t index) const noexcept { return sizes_[index]; }

    /// A line and a column (in characters), 1-based, in 8 bytes: one per value is kept.
    struct Position {
        std::uint32_t line = 1;
        std::uint32_t column = 1;
    };

private:
    friend class LocatingHandler;
    [[nodiscard]] ScenarioLocation location(const std::string& path, Position position) const;

    Json root_;
    std::string origin_;
    // Deques: they grow without copying what they hold (a doubling vector needs three times its
    // size at the moment it moves), and a large file has millions of values.
    std::deque<Position> starts_;                               // by value index
    std::deque<std::uint32_t> sizes_;                           // by value index
    std::deque<std::pair<std::uint32_t, Position>> key_starts_;  // (member's value index, key), ascending
};

}  // namespace mas::mosaik
