#pragma once
// EntitySelector: turns what a connection's src or dest says ("houses", "houses[1]",
// "houses[1:3]", "PV-0.PV_0") into the entities it means.

#include <cstddef>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "mas/mosaik/orchestrator/scenario.hpp"
#include "orchestrator/scenario_node.hpp"

namespace mas::mosaik {

class EntitySelector {
public:
    EntitySelector(const std::vector<Scenario::Sim>& sims, const std::vector<Scenario::Entities>& entities);

    /// Appends the entities the string at `node` names to `out`, in order; fails at `node` for an
    /// unknown name, a malformed or out-of-range selection, or a full id of no started simulator.
    void select(const ScenarioNode& node, Scenario::Selection& out) const;
    /// The index of the entity group called `name`.
    [[nodiscard]] std::optional<std::size_t> group(std::string_view name) const;
    /// The names of all named entity groups.
    [[nodiscard]] std::vector<std::string> group_names() const;

private:
    [[nodiscard]] Scenario::EntityRef full_id(std::string_view text, const ScenarioNode& node) const;
    [[nodiscard]] std::size_t named_group(std::string_view name, const ScenarioNode& node) const;

    const std::vector<Scenario::Sim>& sims_;
    const std::vector<Scenario::Entities>& entities_;
    // By name, for scenarios with many groups and simulators (the lists above are in file order).
    std::map<std::string_view, std::size_t> groups_;
    std::map<std::string_view, const Scenario::Sim*> sims_by_id_;
};

}  // namespace mas::mosaik
