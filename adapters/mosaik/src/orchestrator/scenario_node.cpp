#include "orchestrator/scenario_node.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

namespace mas::mosaik {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            const std::size_t replace = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
            row[j] = std::min({above + 1, row[j - 1] + 1, replace});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates) {
    // About one typo per three characters, at most three, and something must stay the same.
    if (word.size() < 2) return std::nullopt;
    const std::size_t limit = std::min(std::clamp<std::size_t>(word.size() / 3, 1, 3), word.size() - 1);
    std::optional<std::string> best;
    std::size_t best_distance = limit + 1;
    for (const auto& candidate : candidates) {
        const std::size_t distance = edit_distance(word, candidate);
        if (distance < best_distance) {
            best_distance = distance;
            best = candidate;
        }
    }
    return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    const auto match = closest_match(word, candidates);
    return match ? fmt::format(" (did you mean '{}'?)", *match) : std::string();
}

void ScenarioNode::fail(std::string_view problem) const { throw ScenarioError(where(), problem); }

void ScenarioNode::wrong_type(std::string_view expected) const {
    fail(fmt::format("expected {}, got {}", expected, value_->describe()));
}

const std::string& ScenarioNode::string() const {
    if (!value_->is_string()) wrong_type("a string");
    return value_->as_string();
}

const std::string& ScenarioNode::name() const {
    const std::string& text = string();
    if (text.empty()) fail("expected a non-empty string, got an empty one");
    return text;
}

bool ScenarioNode::boolean() const {
    if (!value_->is_bool()) wrong_type("true or false");
    return value_->get<bool>();
}

std::int64_t ScenarioNode::integer(std::int64_t min) const {
    const std::string expected = fmt::format("an integer >= {}", min);
    if (value_->kind() != JsonKind::integer) wrong_type(expected);
    const auto value = value_->get<std::int64_t>();
    if (value < min) wrong_type(expected);
    return value;
}

std::int64_t ScenarioNode::integer(std::int64_t min, std::int64_t max) const {
    const std::string expected = fmt::format("an integer from {} to {}", min, max);
    if (value_->kind() != JsonKind::integer) wrong_type(expected);
    const auto value = value_->get<std::int64_t>();
    if (value < min || value > max) wrong_type(expected);
    return value;
}

double ScenarioNode::positive_number() const {
    if (!value_->is_number()) wrong_type("a number > 0");
    const auto value = value_->get<double>();
    if (!std::isfinite(value) || value <= 0) wrong_type("a number > 0");
    return value;
}

std::vector<ScenarioNode> ScenarioNode::elements() const {
    if (!value_->is_array()) wrong_type("an array");
    std::vector<ScenarioNode> nodes;
    const auto& items = value_->as_array();
    nodes.reserve(items.size());
    std::size_t index = index_ + 1;
    for (std::size_t i = 0; i < items.size(); ++i) {
        nodes.emplace_back(*doc_, items[i], element_path(path_, i), index);
        index += doc_->subtree_size(index);
    }
    return nodes;
}

std::vector<std::pair<std::string, ScenarioNode>> ScenarioNode::members() const {
    if (!value_->is_object()) wrong_type("an object");
    std::vector<std::pair<std::string, ScenarioNode>> nodes;
    std::size_t index = index_ + 1;
    for (const auto& [key, value] : value_->as_object()) {
        nodes.emplace_back(key, ScenarioNode(*doc_, value, member_path(path_, key), index));
        index += doc_->subtree_size(index);
    }
    return nodes;
}

std::optional<ScenarioNode> ScenarioNode::member(std::string_view key) const {
    // Linear, but only the small objects of the format are searched by key; big ones (params,
    // initial data) are read member by member.
    std::size_t index = index_ + 1;
    for (const auto& [name, value] : value_->as_object()) {
        if (name == key) return ScenarioNode(*doc_, value, member_path(path_, key), index);
        index += doc_->subtree_size(index);
    }
    return std::nullopt;
}

ScenarioObject ScenarioNode::object(std::initializer_list<std::string_view> keys) const {
    if (!value_->is_object()) wrong_type("an object");
    const std::vector<std::string> allowed(keys.begin(), keys.end());
    std::size_t index = index_ + 1;
    for (const auto& [key, value] : value_->as_object()) {
        const auto member_index = index;
        index += doc_->subtree_size(index);
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
        const auto suggestion = closest_match(key, allowed);
        const std::string hint = suggestion ? fmt::format("did you mean '{}'?", *suggestion)
                                            : fmt::format("expected one of: {}", fmt::join(allowed, ", "));
        throw ScenarioError(doc_->key_at(member_index, member_path(path_, key)),
                            fmt::format("unknown key '{}' ({})", abbreviate(key), hint));
    }
    return ScenarioObject(*this);
}

std::optional<ScenarioNode> ScenarioObject::get(std::string_view key) const {
    auto member = node_.member(key);
    if (!member || member->json().is_null()) return std::nullopt;
    return member;
}

ScenarioNode ScenarioObject::required(std::string_view key) const {
    auto member = node_.member(key);
    if (!member) node_.fail(fmt::format("missing required key '{}'", key));
    return *member;
}

ScenarioLocation ScenarioObject::key_where(std::string_view key) const {
    const auto member = node_.member(key);
    return member ? member->key_where() : node_.where();
}

}  // namespace mas::mosaik
