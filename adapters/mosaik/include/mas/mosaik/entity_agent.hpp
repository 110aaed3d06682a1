#pragma once
/// \file
/// EntityAgent: an agent that stands for one mosaik entity of a Controller.

#include <string>

#include <asio/awaitable.hpp>

#include "mas/agent/agent.hpp"
#include "mas/core/json.hpp"
#include "mas/mosaik/inputs.hpp"

namespace mas::mosaik {

class Controller;

/// Base class of the agents of a Controller. Besides what every agent does (exposed functions,
/// own tasks on the clock, calls to other agents), it receives its entity's mosaik inputs and
/// produces the entity's outputs. Construct it with the container, the controller and the
/// entity id, as Controller::spawn does:
///
///     class Thermostat : public mosaik::EntityAgent {
///     public:
///         using EntityAgent::EntityAgent;
///         asio::awaitable<void> on_inputs(mosaik::Inputs inputs) override {
///             if (inputs.sum(eid(), "temp") < 19) output("heat", 1);
///             co_return;
///         }
///     };
///
/// Everything runs on the container's executor.
class EntityAgent : public agent::Agent {
public:
    EntityAgent(agent::Container& container, Controller& controller, std::string eid);

    /// The entity id, e.g. "Agent_0".
    [[nodiscard]] const std::string& eid() const noexcept { return eid_; }
    /// The full id other simulators know it by, e.g. "Ctrl-0.Agent_0".
    [[nodiscard]] std::string full_id() const;
    [[nodiscard]] Controller& controller() const noexcept { return controller_; }

    /// Runs, as a task of this agent, in each step in which mosaik sent inputs for this entity;
    /// `inputs` holds only this entity's. An exception fails the step. Default: nothing.
    virtual asio::awaitable<void> on_inputs(Inputs inputs);

    /// Sets the output `attr` of this entity for the current step; mosaik reads it with get_data.
    /// Setting it again in the same step replaces the value.
    void output(const std::string& attr, Json value);
    /// Sends `value` to the input `attr` of another simulator's entity `dest_full_id`, through
    /// mosaik's set_data at the end of the current step (the scenario must connect the two with
    /// async_requests=True).
    void send(const std::string& dest_full_id, const std::string& attr, Json value);

private:
    Controller& controller_;
    std::string eid_;
};

}  // namespace mas::mosaik
