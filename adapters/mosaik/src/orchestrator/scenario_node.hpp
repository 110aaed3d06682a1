#pragma once
// ScenarioNode: one value of a scenario document, read with the checks and error messages the
// scenario format promises (wrong type, out of range, unknown or missing key).

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mas/core/json.hpp"
#include "mas/mosaik/orchestrator/scenario_error.hpp"
#include "orchestrator/located_json.hpp"

namespace mas::mosaik {

class ScenarioObject;

class ScenarioNode {
public:
    /// `value` is value number `index` of `doc` (see LocatedJson), found at `path`.
    ScenarioNode(const LocatedJson& doc, const Json& value, std::string path, std::size_t index)
        : doc_(&doc), value_(&value), path_(std::move(path)), index_(index) {}
    /// The document's root.
    explicit ScenarioNode(const LocatedJson& doc) : ScenarioNode(doc, doc.root(), {}, 0) {}

    [[nodiscard]] const Json& json() const noexcept { return *value_; }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    [[nodiscard]] const LocatedJson& doc() const noexcept { return *doc_; }
    [[nodiscard]] ScenarioLocation where() const { return doc_->value_at(index_, path_); }
    /// Where its key is written if it is an object member, else where().
    [[nodiscard]] ScenarioLocation key_where() const { return doc_->key_at(index_, path_); }
    /// Throws ScenarioError at this value.
    [[noreturn]] void fail(std::string_view problem) const;

    [[nodiscard]] const std::string& string() const;
    /// A string that is not empty.
    [[nodiscard]] const std::string& name() const;
    [[nodiscard]] bool boolean() const;
    /// An integer >= `min`.
    [[nodiscard]] std::int64_t integer(std::int64_t min) const;
    /// An integer from `min` to `max`.
    [[nodiscard]] std::int64_t integer(std::int64_t min, std::int64_t max) const;
    /// A finite number > 0.
    [[nodiscard]] double positive_number() const;
    [[nodiscard]] std::vector<ScenarioNode> elements() const;
    /// A JSON object whose keys are all among `keys` (an unknown key fails at the key, with a
    /// suggestion when one of `keys` is close).
    [[nodiscard]] ScenarioObject object(std::initializer_list<std::string_view> keys) const;
    /// A JSON object with any keys, member by member.
    [[nodiscard]] std::vector<std::pair<std::string, ScenarioNode>> members() const;

private:
    [[noreturn]] void wrong_type(std::string_view expected) const;

    /// Member `key` of this object and its place among the members; nullopt if missing.
    [[nodiscard]] std::optional<ScenarioNode> member(std::string_view key) const;

    const LocatedJson* doc_;
    const Json* value_;
    std::string path_;
    std::size_t index_;

    friend class ScenarioObject;
};

/// A JSON object whose keys have been checked.
class ScenarioObject {
public:
    explicit ScenarioObject(ScenarioNode node) : node_(std::move(node)) {}

    [[nodiscard]] const ScenarioNode& node() const noexcept { return node_; }
    /// The member `key`; nullopt if it is missing or null (mosaik's None: the default applies).
    [[nodiscard]] std::optional<ScenarioNode> get(std::string_view key) const;
    /// The member `key`; fails at the object if it is missing.
    [[nodiscard]] ScenarioNode required(std::string_view key) const;
    /// Where the key of member `key` is written.
    [[nodiscard]] ScenarioLocation key_where(std::string_view key) const;

private:
    ScenarioNode node_;
};

/// The closest of `candidates` to `word` if it is close enough to be a likely typo.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);
/// ` (did you mean 'x'?)` for the closest candidate, or an empty string.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace mas::mosaik
