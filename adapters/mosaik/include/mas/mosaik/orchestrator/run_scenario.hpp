#pragma once
/// \file
/// run_scenario: start a Scenario's simulators, build its World and run it (what mas-run does).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <asio/awaitable.hpp>

#include "mas/mosaik/orchestrator/scenario.hpp"
#include "mas/mosaik/orchestrator/sim_starter.hpp"
#include "mas/mosaik/orchestrator/world.hpp"

namespace mas::mosaik {

class RunControl;

/// Overrides of the scenario file and observers of the run.
struct ScenarioRunOptions {
    ScenarioRunOptions() noexcept {}
    /// Run until this time instead of the scenario's `until`.
    std::optional<std::int64_t> until;
    /// Real-time factor instead of the scenario's.
    std::optional<double> rt_factor;
    /// Step timeout instead of the scenario's.
    std::optional<std::chrono::duration<double>> step_timeout;
    /// Called after each step (progress display, trace).
    std::function<void(const StepRecord&)> on_step;
    /// Whether on_step gets each step's inputs (a copy of them per step).
    bool step_inputs = true;
    /// Lets the caller end the run early; none if null.
    std::shared_ptr<RunControl> control;
    /// Whether the summary lists every entity's type (for a report; a string pair per entity).
    bool entity_types = false;
};

/// The connections of a scenario between two simulators with the same options: every attribute
/// pair any of their entities are connected by.
struct SimLink {
    std::string src;
    std::string dest;
    std::vector<std::pair<std::string, std::string>> attrs;  ///< in the order the file names them
    bool weak = false;
    std::int64_t time_shifted = 0;
    bool async_requests = false;
};

/// What a finished run did.
struct ScenarioSummary {
    ScenarioSummary() noexcept {}
    std::int64_t until = 0;
    /// Steps per simulator id, in start order.
    std::vector<std::pair<std::string, std::int64_t>> steps;
    std::chrono::steady_clock::duration wall_time{};
    /// The simulators' connections, in the order the file first makes them.
    std::vector<SimLink> links;
    /// Full id and type of every entity created (children after their parent), in creation
    /// order, when ScenarioRunOptions::entity_types asks for them.
    std::vector<std::pair<std::string, std::string>> entity_types;
};

/// Starts every simulator of `scenario` with `starter` (in file order), sends init within the
/// scenario's start timeout, creates the entities, calls the extra methods after their entity
/// groups, connects, sets the initial events, and runs the World. Every simulator started gets
/// `stop`, also when something fails. Throws ScenarioError (pointing into the file) for mistakes
/// the World finds, and SimulationError naming the simulator that failed.
asio::awaitable<ScenarioSummary> run_scenario(const Scenario& scenario, SimStarter& starter,
                                              ScenarioRunOptions options = {});

/// Ends a run_scenario early: mas-run's answer to SIGINT and SIGTERM. Use it on the run's
/// executor.
class RunControl {
public:
    /// During the setup, the run ends after the operation in progress (a simulator's start, a
    /// call); during the run, as World::interrupt says. Either way every simulator started gets
    /// `stop`, so collectors write what they have, and run_scenario throws Interrupted naming
    /// `reason`. Only the first call counts.
    void interrupt(const std::string& reason);
    [[nodiscard]] bool interrupted() const noexcept { return reason_.has_value(); }
    [[nodiscard]] const std::optional<std::string>& reason() const noexcept { return reason_; }

private:
    friend asio::awaitable<ScenarioSummary> run_scenario(const Scenario&, SimStarter&, ScenarioRunOptions);
    World* world_ = nullptr;  // while run_scenario has one
    std::optional<std::string> reason_;
};

}  // namespace mas::mosaik
