#include "orchestrator/entity_selector.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>

#include <fmt/format.h>

namespace mas::mosaik {
namespace {

// An optional integer: true with `out` unset for empty text, false for anything but an integer.
bool parse_index(std::string_view text, std::optional<std::int64_t>& out) {
    if (text.empty()) return true;
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return false;
    out = value;
    return true;
}

// What is written between the brackets: `i`, or `start:end` with either part optional.
struct Selection {
    std::optional<std::int64_t> start;
    std::optional<std::int64_t> end;
    bool slice = false;
};

std::optional<Selection> parse_selection(std::string_view inside) {
    Selection selection;
    const auto colon = inside.find(':');
    if (colon == std::string_view::npos) {
        if (!parse_index(inside, selection.start) || !selection.start) return std::nullopt;
        return selection;
    }
    selection.slice = true;
    if (!parse_index(inside.substr(0, colon), selection.start) ||
        !parse_index(inside.substr(colon + 1), selection.end)) {
        return std::nullopt;
    }
    return selection;
}

// The positions `[start:end]` selects among `count`, clamped as Python slices are.
std::pair<std::int64_t, std::int64_t> slice_bounds(std::optional<std::int64_t> start, std::optional<std::int64_t> end,
                                                   std::int64_t count) {
    const auto clamp = [count](std::int64_t i) {
        if (i < 0) i += count;
        return std::clamp<std::int64_t>(i, 0, count);
    };
    return {start ? clamp(*start) : 0, end ? clamp(*end) : count};
}

}  // namespace

EntitySelector::EntitySelector(const std::vector<Scenario::Sim>& sims, const std::vector<Scenario::Entities>& entities)
    : sims_(sims), entities_(entities) {
    for (std::size_t i = 0; i < entities_.size(); ++i) {
        if (!entities_[i].name.empty()) groups_.try_emplace(entities_[i].name, i);
    }
    for (const auto& sim : sims_) sims_by_id_.try_emplace(sim.sim_id, &sim);
}

std::optional<std::size_t> EntitySelector::group(std::string_view name) const {
    const auto found = groups_.find(name);
    if (found == groups_.end()) return std::nullopt;
    return found->second;
}

std::vector<std::string> EntitySelector::group_names() const {
    std::vector<std::string> names;
    for (const auto& group : entities_) {
        if (!group.name.empty()) names.push_back(group.name);
    }
    return names;
}

Scenario::EntityRef EntitySelector::full_id(std::string_view text, const ScenarioNode& node) const {
    // A sim id given in the file has no '.', so it is everything before the first one; only a
    // default id made from a sim_config name with a '.' needs the search for the longest prefix.
    const Scenario::Sim* owner = nullptr;
    if (const auto dot = text.find('.'); dot != std::string_view::npos && dot + 1 < text.size()) {
        if (const auto found = sims_by_id_.find(text.substr(0, dot)); found != sims_by_id_.end()) owner = found->second;
    }
    if (!owner) {
        for (const auto& sim : sims_) {
            const bool prefix = text.size() > sim.sim_id.size() + 1 &&
                                text.substr(0, sim.sim_id.size()) == sim.sim_id && text[sim.sim_id.size()] == '.';
            if (prefix && (!owner || sim.sim_id.size() > owner->sim_id.size())) owner = &sim;
        }
    }
    if (!owner) {
        std::vector<std::string> ids;
        for (const auto& sim : sims_) ids.push_back(sim.sim_id);
        node.fail(fmt::format("'{}' is no entity of a started simulator: a full id is '<sim_id>.<eid>' (sim ids: {})",
                              text, fmt::join(ids, ", ")));
    }
    Scenario::EntityRef ref;
    ref.sim = owner->sim_id;
    ref.eid = std::string(text.substr(owner->sim_id.size() + 1));
    ref.label = std::string(text);
    return ref;
}

std::size_t EntitySelector::named_group(std::string_view name, const ScenarioNode& node) const {
    if (const auto found = group(name)) return *found;
    const auto names = group_names();
    if (names.empty()) {
        node.fail(
            fmt::format("no entity group is named '{}': give the entities a \"name\", or use a full id "
                        "'<sim_id>.<eid>'",
                        name));
    }
    node.fail(fmt::format("no entity group is named '{}'{} (named groups: {})", name, did_you_mean(name, names),
                          fmt::join(names, ", ")));
}

void EntitySelector::select(const ScenarioNode& node, Scenario::Selection& out) const {
    const std::string& text = node.name();
    if (text.find('.') != std::string::npos) {
        out.add_entity(full_id(text, node));
        return;
    }

    const auto bracket = text.find('[');
    const std::string_view name = std::string_view(text).substr(0, bracket);
    const std::size_t index = named_group(name, node);
    const auto& group = entities_[index];
    const auto count = group.num;

    std::int64_t first = 0;
    std::int64_t last = count;
    if (bracket != std::string::npos) {
        const auto selection =
            text.back() == ']' ? parse_selection(std::string_view(text).substr(bracket + 1, text.size() - bracket - 2))
                               : std::nullopt;
        if (!selection) {
            node.fail(fmt::format("cannot read '{}': write name, name[i] or name[start:end] (Python's indices)", text));
        }
        if (selection->slice) {
            std::tie(first, last) = slice_bounds(selection->start, selection->end, count);
            if (first >= last) node.fail(fmt::format("'{}' selects no entity ('{}' has {})", text, name, count));
        } else {
            first = *selection->start < 0 ? *selection->start + count : *selection->start;
            if (first < 0 || first >= count) {
                node.fail(fmt::format("index {} is out of range: '{}' has {} entit{}", *selection->start, name, count,
                                      count == 1 ? "y" : "ies"));
            }
            last = first + 1;
        }
    }

    out.add_range(index, static_cast<std::size_t>(first), static_cast<std::size_t>(last - first), group.name, group.sim);
}

}  // namespace mas::mosaik
