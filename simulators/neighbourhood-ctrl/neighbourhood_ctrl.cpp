#include "neighbourhood_ctrl.hpp"

#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas::sims {

BatteryAgent::BatteryAgent(agent::Container& container, mosaik::Controller& controller, std::string eid,
                           double reserve_soc)
    : EntityAgent(container, controller, std::move(eid)), reserve_soc_(reserve_soc) {}

asio::awaitable<void> BatteryAgent::on_inputs(mosaik::Inputs inputs) {
    if (inputs.contains(eid(), "soc")) {
        const auto values = inputs.values(eid(), "soc");
        if (values.size() != 1) {
            throw ConfigError(fmt::format("{} needs the state of charge of exactly one battery, got {}", eid(), values.size()));
        }
        soc_ = values.front().value.get<double>();
    }
    const auto& ctrl = static_cast<const NeighbourhoodCtrl&>(controller());
    const double surplus = inputs.sum(eid(), "pv_p_w") - inputs.sum(eid(), "load_p_w");
    double share = surplus / static_cast<double>(ctrl.agent_count());
    // Without a known state of charge the battery's own limits still hold; the reserve needs it.
    if (share < 0 && soc_ && *soc_ <= reserve_soc_) share = 0;
    if (share > 0 && soc_ && *soc_ >= 1.0) share = 0;
    output("p_set_w", share);
    co_return;
}

mosaik::Meta NeighbourhoodCtrl::configure(const std::string&, const JsonObject&) {
    // Demand and generation trigger a step; the state of charge is read when it comes, and the
    // set point stays valid until replaced.
    mosaik::Meta meta(mosaik::SimType::hybrid);
    meta.model("BatteryController")
        .params({"reserve_soc"})
        .attrs({"load_p_w", "pv_p_w", "soc", "p_set_w"})
        .trigger({"load_p_w", "pv_p_w"});
    return meta;
}

mosaik::EntityAgent& NeighbourhoodCtrl::create_agent(const std::string&, std::string eid, const JsonObject& params) {
    double reserve = 0.1;
    if (const auto* value = params.find("reserve_soc")) {
        if (!value->is_number()) throw ConfigError(fmt::format("reserve_soc must be a number, got {}", value->describe()));
        reserve = value->get<double>();
    }
    if (reserve < 0 || reserve > 1) throw ConfigError(fmt::format("reserve_soc must be between 0 and 1, got {}", reserve));
    ++agents_;
    return spawn<BatteryAgent>(std::move(eid), reserve);
}

}  // namespace mas::sims
