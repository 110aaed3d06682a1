#include "example_sim.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace mas::sims {

ExampleSim::Number ExampleSim::Number::of(const Json& value) {
    if (value.is_integer()) return Number{true, value.get<std::int64_t>(), 0};
    return Number{false, 0, value.get<double>()};
}

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
    out.reserve(static_cast<std::size_t>(num));
    // Room for all of them, growing by at least half, so that many small creates stay linear.
    const auto needed = entities_.size() + static_cast<std::size_t>(num);
    if (needed > entities_.capacity()) entities_.reserve(std::max(needed, entities_.capacity() * 3 / 2));
    if (needed > positions_.bucket_count() * positions_.max_load_factor()) {
        positions_.reserve(std::max(needed, 2 * positions_.size()));
    }
    for (std::int64_t i = 0; i < num; ++i) {
        auto eid = eid_prefix_ + std::to_string(entities_.size());
        positions_.emplace(eid, entities_.size());
        entities_.emplace_back(eid, Model{Number::of(*init_val), Number{true, 1, 0}});
        out.emplace_back(eid, model);
    }
    return out;
}

std::size_t ExampleSim::position(const std::string& eid, std::size_t hint) const {
    // Inputs and requests mostly list the entities in the order they were created.
    if (hint < entities_.size() && entities_[hint].first == eid) return hint;
    const auto found = positions_.find(eid);
    return found == positions_.end() ? entities_.size() : found->second;
}

asio::awaitable<std::optional<std::int64_t>> ExampleSim::step(std::int64_t time, const mosaik::Inputs& inputs,
                                                              std::int64_t) {
    time_ = time;
    // Only the entities that received something, without looking up each of the others.
    std::size_t next = 0;
    for (const auto& [eid, attrs] : inputs.json().as_object()) {
        const auto at = position(eid, next);
        next = at + 1;
        const auto* deltas = attrs.as_object().find("delta");
        if (at == entities_.size() || !deltas || deltas->as_object().empty()) continue;
        Number total;
        for (const auto& [source, value] : deltas->as_object()) total = total + Number::of(value);
        entities_[at].second.delta = total;
    }
    for (auto& [eid, model] : entities_) model.val = model.val + model.delta;
    co_return time + 1;
}

mosaik::Outputs ExampleSim::get_data(const mosaik::OutputRequest& request) {
    mosaik::Outputs out(request);
    std::size_t next = 0;
    for (std::size_t e = 0; e < request.size(); ++e) {
        const auto& [eid, attrs] = request[e];
        const auto at = position(eid, next);
        if (at == entities_.size()) throw std::invalid_argument(fmt::format("Unknown entity: {}", eid));
        next = at + 1;
        const auto& model = entities_[at].second;
        out.time(time_).entity_at(e);  // the tutorial sets the time with each entity
        for (std::size_t a = 0; a < attrs.size(); ++a) {
            if (attrs[a] == "val") {
                out.set_at(e, a, model.val.json());
            } else if (attrs[a] == "delta") {
                out.set_at(e, a, model.delta.json());
            } else {
                throw std::invalid_argument(fmt::format("Unknown output attribute: {}", attrs[a]));
            }
        }
    }
    return out;
}

}  // namespace mas::sims
