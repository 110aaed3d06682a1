#pragma once
// NeighbourhoodCtrl: a mosaik::Controller with one BatteryAgent per battery. Hybrid; model
// BatteryController(reserve_soc=0.1) with trigger inputs load_p_w and pv_p_w (the neighbourhood's
// households and PV plants, summed), the non-trigger input soc (its own battery), and the
// persistent output p_set_w (W, positive charges). Each agent takes an equal share of the surplus (PV minus load): it charges with a
// positive share unless its battery is full and discharges with a negative one unless its state
// of charge is at or below the reserve. The battery itself enforces its power and energy limits.

#include <optional>
#include <string>

#include "mas/mosaik/controller.hpp"
#include "mas/mosaik/entity_agent.hpp"

namespace mas::sims {

class BatteryAgent : public mosaik::EntityAgent {
public:
    BatteryAgent(agent::Container& container, mosaik::Controller& controller, std::string eid, double reserve_soc);
    asio::awaitable<void> on_inputs(mosaik::Inputs inputs) override;

private:
    double reserve_soc_;
    std::optional<double> soc_;
};

class NeighbourhoodCtrl : public mosaik::Controller {
public:
    /// Number of battery agents: the surplus is shared among them.
    [[nodiscard]] std::size_t agent_count() const noexcept { return agents_; }

protected:
    mosaik::Meta configure(const std::string& sid, const JsonObject& sim_params) override;
    mosaik::EntityAgent& create_agent(const std::string& model, std::string eid, const JsonObject& model_params) override;

private:
    std::size_t agents_ = 0;
};

}  // namespace mas::sims
