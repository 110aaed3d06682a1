#include "pv_sim.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "mas/core/error.hpp"
#include "param_reader.hpp"

namespace mas::sims {
namespace {
constexpr auto owner = "pv";
}  // namespace

mosaik::Meta PvSim::init(const std::string&, double time_resolution, const JsonObject& sim_params) {
    const ParamReader params(owner, sim_params);
    step_size_ = params.positive_integer("step_size", 900);
    step_seconds(owner, time_resolution, step_size_);
    time_resolution_ = time_resolution;
    const auto path = params.required_string("profile", "path of a CSV file with the header minute,irradiance_w_m2");
    try {
        profile_ = Profile::load(path, "irradiance_w_m2", 0.0);
    } catch (const ConfigError& e) {
        params.fail(e.what());
    }
    mosaik::Meta meta(mosaik::SimType::time_based);
    meta.model("PV").params({"peak_power_wp", "derating"}).attrs({"p_w", "irradiance_w_m2"});
    return meta;
}

std::vector<mosaik::Entity> PvSim::create(std::int64_t num, const std::string& model, const JsonObject& model_params) {
    const ParamReader params(owner, model_params);
    Pv pv;
    pv.peak_power_wp = params.positive("peak_power_wp");
    pv.derating = params.fraction("derating", 0.85);
    if (pv.derating == 0) params.fail("param 'derating' must be > 0 (a derating of 0 never generates), got 0");
    std::vector<mosaik::Entity> out;
    for (std::int64_t i = 0; i < num; ++i) {
        auto eid = fmt::format("PV_{}", systems_.size());
        systems_.emplace_back(eid, pv);
        out.emplace_back(eid, model);
    }
    return out;
}

asio::awaitable<std::optional<std::int64_t>> PvSim::step(std::int64_t time, const mosaik::Inputs&, std::int64_t) {
    irradiance_w_m2_ = profile_->at(static_cast<double>(time) * time_resolution_);
    for (auto& [eid, pv] : systems_) {
        const auto p_w = pv.peak_power_wp * pv.derating * irradiance_w_m2_ / stc_irradiance_w_m2;
        pv.p_w = std::clamp(p_w, 0.0, pv.peak_power_wp);
    }
    co_return time + step_size_;
}

const PvSim::Pv& PvSim::find(const std::string& eid) const {
    auto it = std::find_if(systems_.begin(), systems_.end(), [&](const auto& s) { return s.first == eid; });
    if (it == systems_.end()) throw ConfigError(fmt::format("{}: unknown entity '{}'", owner, eid));
    return it->second;
}

mosaik::Outputs PvSim::get_data(const mosaik::OutputRequest& request) {
    mosaik::Outputs out(request);
    for (const auto& [eid, attrs] : request) {
        const auto& pv = find(eid);
        out.entity(eid);
        for (const auto& attr : attrs) {
            if (attr == "p_w") {
                out.set(eid, attr, pv.p_w);
            } else if (attr == "irradiance_w_m2") {
                out.set(eid, attr, irradiance_w_m2_);
            } else {
                throw ConfigError(fmt::format("{}: unknown attribute '{}' of {}", owner, attr, eid));
            }
        }
    }
    return out;
}

}  // namespace mas::sims
