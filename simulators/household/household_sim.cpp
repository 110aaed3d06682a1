#include "household_sim.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "mas/core/error.hpp"
#include "param_reader.hpp"

namespace mas::sims {
namespace {
constexpr auto owner = "household";
}  // namespace

mosaik::Meta HouseholdSim::init(const std::string&, double time_resolution, const JsonObject& sim_params) {
    const ParamReader params(owner, sim_params);
    step_size_ = params.positive_integer("step_size", 900);
    step_seconds(owner, time_resolution, step_size_);
    time_resolution_ = time_resolution;
    const auto path = params.required_string("profile", "path of a CSV file with the header minute,p_w");
    try {
        profile_ = Profile::load(path, "p_w", 0.0);
    } catch (const ConfigError& e) {
        params.fail(e.what());
    }
    mosaik::Meta meta(mosaik::SimType::time_based);
    meta.model("House").params({"scale"}).attrs({"p_w"});
    return meta;
}

std::vector<mosaik::Entity> HouseholdSim::create(std::int64_t num, const std::string& model,
                                                 const JsonObject& model_params) {
    const ParamReader params(owner, model_params);
    const House house{params.non_negative("scale", 1.0), 0.0};
    std::vector<mosaik::Entity> out;
    for (std::int64_t i = 0; i < num; ++i) {
        auto eid = fmt::format("House_{}", houses_.size());
        houses_.emplace_back(eid, house);
        out.emplace_back(eid, model);
    }
    return out;
}

asio::awaitable<std::optional<std::int64_t>> HouseholdSim::step(std::int64_t time, const mosaik::Inputs&,
                                                                std::int64_t) {
    const auto demand_w = profile_->at(static_cast<double>(time) * time_resolution_);
    for (auto& [eid, house] : houses_) house.p_w = demand_w * house.scale;
    co_return time + step_size_;
}

const HouseholdSim::House& HouseholdSim::find(const std::string& eid) const {
    auto it = std::find_if(houses_.begin(), houses_.end(), [&](const auto& h) { return h.first == eid; });
    if (it == houses_.end()) throw ConfigError(fmt::format("{}: unknown entity '{}'", owner, eid));
    return it->second;
}

mosaik::Outputs HouseholdSim::get_data(const mosaik::OutputRequest& request) {
    mosaik::Outputs out(request);
    for (const auto& [eid, attrs] : request) {
        const auto& house = find(eid);
        out.entity(eid);
        for (const auto& attr : attrs) {
            if (attr != "p_w") throw ConfigError(fmt::format("{}: unknown attribute '{}' of {}", owner, attr, eid));
            out.set(eid, attr, house.p_w);
        }
    }
    return out;
}

}  // namespace mas::sims
