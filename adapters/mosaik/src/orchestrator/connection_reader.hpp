#pragma once
// ConnectionReader: reads and checks one entry of a scenario's `connections`.

#include <vector>

#include "mas/mosaik/orchestrator/scenario.hpp"
#include "orchestrator/entity_selector.hpp"
#include "orchestrator/scenario_node.hpp"

namespace mas::mosaik {

class ConnectionReader {
public:
    ConnectionReader(const std::vector<Scenario::Sim>& sims, const std::vector<Scenario::Entities>& entities)
        : sims_(sims), selector_(sims, entities) {}

    /// The connection at `node`; throws ScenarioError for anything the format does not allow.
    [[nodiscard]] Scenario::Connection read(const ScenarioNode& node) const;

private:
    [[nodiscard]] Scenario::Selection select(const ScenarioNode& node) const;
    [[nodiscard]] std::vector<Scenario::AttrPair> attrs(const ScenarioNode& node) const;
    void select_pairs(const ScenarioObject& object, Scenario::Connection& connection) const;
    void check_initial_data(const ScenarioNode& node, const Scenario::Connection& connection) const;
    void check_weak(const ScenarioNode& node, const Scenario::Connection& connection) const;
    [[nodiscard]] const Scenario::Sim& sim(const std::string& sim_id) const;

    const std::vector<Scenario::Sim>& sims_;
    EntitySelector selector_;
};

}  // namespace mas::mosaik
