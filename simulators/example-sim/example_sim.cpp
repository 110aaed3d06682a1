#include "example_sim.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace mas::sims {
namespace {

// Python's `+` on ints and floats: ints stay ints.
Json add(const Json& a, const Json& b) {
    if (a.is_integer() && b.is_integer()) return a.get<std::int64_t>() + b.get<std::int64_t>();
    return a.get<double>() + b.get<double>();
}

}  // namespace

mosaik::Meta ExampleSim::init(const std::string&, double time_resolution, const JsonObject& sim_params) {
    if (time_resolution != 1.0) {
        throw std::invalid_argument(fmt::format(
            "ExampleSim only supports time_resolution=1., but {} was set.", Json(time_resolution).describe()));
    }
    if (const auto* prefix = sim_params.find("eid_prefix"); prefix && !prefix->is_null()) {
        eid_prefix_ = prefix->get<std::string>();
    }
    mosaik::Meta meta(mosaik::SimType::hybrid);
    meta.model("ExampleModel").params({"init_val"}).attrs({"delta", "val"}).trigger({"delta"});
    return meta;
}

std::vector<mosaik::Entity> ExampleSim::create(std::int64_t num, const std::string& model,
                                               const JsonObject& model_params) {
    const auto* init_val = model_params.find("init_val");
    if (!init_val) throw std::invalid_argument("create() missing required param 'init_val'");
    if (!init_val->is_number()) throw std::invalid_argument("init_val must be a number, got " + init_val->describe());
    std::vector<mosaik::Entity> out;
    for (std::int64_t i = 0; i < num; ++i) {
        auto eid = fmt::format("{}{}", eid_prefix_, entities_.size());
        positions_.emplace(eid, entities_.size());
        entities_.emplace_back(eid, Model{*init_val, 1});
        out.emplace_back(eid, model);
    }
    return out;
}

asio::awaitable<std::optional<std::int64_t>> ExampleSim::step(std::int64_t time, const mosaik::Inputs& inputs,
                                                              std::int64_t) {
    time_ = time;
    for (auto& [eid, model] : entities_) {
        if (inputs.contains(eid, "delta")) {
            Json total = 0;
            for (const auto& input : inputs.values(eid, "delta")) total = add(total, input.value);
            model.delta = total;
        }
        model.val = add(model.val, model.delta);
    }
    co_return time + 1;
}

mosaik::Outputs ExampleSim::get_data(const mosaik::OutputRequest& request) {
    mosaik::Outputs out(request);
    for (const auto& [eid, attrs] : request) {
        const auto found = positions_.find(eid);
        if (found == positions_.end()) throw std::invalid_argument(fmt::format("Unknown entity: {}", eid));
        const auto& model = entities_[found->second].second;
        out.time(time_).entity(eid);
        for (const auto& attr : attrs) {
            if (attr == "val") {
                out.set(eid, attr, model.val);
            } else if (attr == "delta") {
                out.set(eid, attr, model.delta);
            } else {
                throw std::invalid_argument(fmt::format("Unknown output attribute: {}", attr));
            }
        }
    }
    return out;
}

}  // namespace mas::sims
