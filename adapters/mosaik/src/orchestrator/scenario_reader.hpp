#pragma once
// ScenarioReader: reads the sections of a scenario document into a Scenario, in an order that
// lets each section refer to the ones before it (sim_config, sims, entities, then the rest).

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "mas/mosaik/orchestrator/scenario.hpp"
#include "orchestrator/located_json.hpp"
#include "orchestrator/scenario_node.hpp"
#include "orchestrator/scenario_variables.hpp"

namespace mas::mosaik {

class ScenarioReader {
public:
    ScenarioReader(const LocatedJson& doc, const ScenarioOptions& options);

    /// Throws ScenarioError at the first problem found.
    [[nodiscard]] Scenario read();

private:
    void read_variables(const std::optional<ScenarioNode>& node);
    void read_sim_configs(const ScenarioNode& node);
    [[nodiscard]] Scenario::SimConfig read_sim_config(const std::string& name, const ScenarioNode& node) const;
    [[nodiscard]] Scenario::Command read_command(const ScenarioObject& object) const;
    void read_tls(const ScenarioNode& node, Scenario::Connect& connect) const;
    void read_world(const ScenarioNode& node);
    void read_sims(const ScenarioNode& node);
    [[nodiscard]] Scenario::Sim read_sim(const ScenarioNode& node) const;
    void read_entities(const ScenarioNode& node);
    void read_initial_events(const ScenarioNode& node);
    void read_extra_method_calls(const ScenarioNode& node);
    [[nodiscard]] std::size_t read_after_entities(const ScenarioNode& node) const;
    /// The sim id the string at `node` names, which must be one of a started simulator.
    [[nodiscard]] const std::string& sim_reference(const ScenarioNode& node) const;

    const LocatedJson& doc_;
    const ScenarioOptions& options_;
    Scenario scenario_;
    std::map<std::string, std::size_t, std::less<>> sim_ids_;  // scenario_.sims_ by sim id, once read
    ScenarioVariables variables_;
};

}  // namespace mas::mosaik
