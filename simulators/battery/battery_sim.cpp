#include "battery_sim.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "mas/core/error.hpp"
#include "param_reader.hpp"

namespace mas::sims {
namespace {
constexpr auto owner = "battery";
constexpr double seconds_per_hour = 3600.0;
}  // namespace

void BatterySim::Battery::apply(double set_point_w, double seconds) {
    const auto hours = seconds / seconds_per_hour;
    auto p = std::clamp(set_point_w, -max_discharge_w, max_charge_w);
    // Charging stops at a full battery and discharging at an empty one, within this step.
    if (p > 0) p = std::min(p, (capacity_wh - energy_wh) / hours);
    if (p < 0) p = std::max(p, -energy_wh / hours);
    p_set_w = set_point_w;
    p_w = p;
    energy_wh = std::clamp(energy_wh + p * hours, 0.0, capacity_wh);
}

mosaik::Meta BatterySim::init(const std::string&, double time_resolution, const JsonObject& sim_params) {
    const ParamReader params(owner, sim_params);
    step_size_ = params.positive_integer("step_size", 900);
    step_seconds_ = step_seconds(owner, time_resolution, step_size_);
    mosaik::Meta meta(mosaik::SimType::time_based);
    meta.model("Battery")
        .params({"capacity_wh", "max_charge_w", "max_discharge_w", "initial_soc"})
        .attrs({"p_set_w", "p_w", "soc", "energy_wh"});
    return meta;
}

std::vector<mosaik::Entity> BatterySim::create(std::int64_t num, const std::string& model,
                                               const JsonObject& model_params) {
    const ParamReader params(owner, model_params);
    Battery battery;
    battery.capacity_wh = params.positive("capacity_wh");
    battery.max_charge_w = params.non_negative("max_charge_w");
    battery.max_discharge_w = params.non_negative("max_discharge_w");
    battery.energy_wh = params.fraction("initial_soc", 0.5) * battery.capacity_wh;
    std::vector<mosaik::Entity> out;
    for (std::int64_t i = 0; i < num; ++i) {
        auto eid = fmt::format("Battery_{}", batteries_.size());
        batteries_.emplace_back(eid, battery);
        out.emplace_back(eid, model);
    }
    return out;
}

asio::awaitable<std::optional<std::int64_t>> BatterySim::step(std::int64_t time, const mosaik::Inputs& inputs,
                                                              std::int64_t) {
    for (auto& [eid, battery] : batteries_) {
        double set_point_w = 0.0;
        for (const auto& [source, value] : inputs.values(eid, "p_set_w")) {
            if (!value.is_number() || !std::isfinite(value.get<double>())) {
                throw ConfigError(fmt::format("{}: {}.p_set_w from {} must be a finite number, got {}", owner, eid,
                                              source, value.describe()));
            }
            set_point_w += value.get<double>();
        }
        battery.apply(set_point_w, step_seconds_);
    }
    co_return time + step_size_;
}

const BatterySim::Battery& BatterySim::find(const std::string& eid) const {
    auto it = std::find_if(batteries_.begin(), batteries_.end(), [&](const auto& b) { return b.first == eid; });
    if (it == batteries_.end()) throw ConfigError(fmt::format("{}: unknown entity '{}'", owner, eid));
    return it->second;
}

mosaik::Outputs BatterySim::get_data(const mosaik::OutputRequest& request) {
    mosaik::Outputs out(request);
    for (const auto& [eid, attrs] : request) {
        const auto& battery = find(eid);
        out.entity(eid);
        for (const auto& attr : attrs) {
            if (attr == "p_w") {
                out.set(eid, attr, battery.p_w);
            } else if (attr == "soc") {
                out.set(eid, attr, battery.energy_wh / battery.capacity_wh);
            } else if (attr == "energy_wh") {
                out.set(eid, attr, battery.energy_wh);
            } else if (attr == "p_set_w") {
                out.set(eid, attr, battery.p_set_w);
            } else {
                throw ConfigError(fmt::format("{}: unknown attribute '{}' of {}", owner, attr, eid));
            }
        }
    }
    return out;
}

}  // namespace mas::sims
