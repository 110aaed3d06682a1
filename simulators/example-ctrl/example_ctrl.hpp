#pragma once
// ExampleCtrl: the mosaik tutorial's demo controller, built on mosaik::Controller. Event-based;
// model Agent with attrs val_in and delta; one agent per entity. An agent whose val_in (from
// exactly one source) is at least 3 outputs delta -1, at most -3 outputs delta +1, and otherwise
// outputs nothing.

#include <string>

#include "mas/mosaik/controller.hpp"
#include "mas/mosaik/entity_agent.hpp"

namespace mas::sims {

class ThresholdAgent : public mosaik::EntityAgent {
public:
    using EntityAgent::EntityAgent;
    asio::awaitable<void> on_inputs(mosaik::Inputs inputs) override;
};

class ExampleCtrl : public mosaik::Controller {
protected:
    mosaik::Meta configure(const std::string& sid, const JsonObject& sim_params) override;
    mosaik::EntityAgent& create_agent(const std::string& model, std::string eid,
                                      const JsonObject& model_params) override;
};

}  // namespace mas::sims
