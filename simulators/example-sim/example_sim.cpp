#include "example_sim.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace mas::sims {

ExampleSim::Number ExampleSim::Number::of_other(const Json& value) {
    if (value.is_integer()) return integer(value.get<std::int64_t>());
    return real(value.get<double>());
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
    const auto needed = eids_.size() + static_cast<std::size_t>(num);
    if (needed > eids_.capacity()) {
        eids_.reserve(std::max(needed, eids_.capacity() * 3 / 2));
        models_.reserve(eids_.capacity());
    }
    // The ids count up from the prefix: each is new, so they are indexed without a lookup, all
    // at once, which fetches their slots ahead.
    const auto first = eids_.size();
    std::vector<std::uint32_t> hashes;
    hashes.reserve(static_cast<std::size_t>(num));
    for (std::int64_t i = 0; i < num; ++i) {
        auto eid = eid_prefix_ + std::to_string(eids_.size());
        hashes.push_back(static_cast<std::uint32_t>(mosaik::detail::KeyIndex::Hash().add(eid).value()));
        models_.push_back(Number::of(*init_val), Number::integer(1));
        out.emplace_back(eid, model);
        eids_.push_back(std::move(eid));
    }
    positions_.add_many(hashes, first);
    return out;
}

std::size_t ExampleSim::position(const std::string& eid, std::size_t hint) const {
    // Inputs and requests mostly list the entities in the order they were created.
    if (hint < eids_.size() && eids_[hint] == eid) return hint;
    const auto found = positions_.find(eid, [this](std::size_t i) -> std::string_view { return eids_[i]; });
    return found.value_or(eids_.size());
}

void ExampleSim::plan_deltas(const mosaik::Inputs& inputs) {
    delta_of_.clear();
    receivers_.clear();
    std::vector<bool> seen(eids_.size(), false);
    std::size_t next = 0;
    bool once = true;  // no entity gets two deltas
    inputs.visit([&](const std::string& eid, const std::string& attr, const std::string&, const Json&) {
        // Inputs mostly list the entities in the order they were created: looked for there first.
        const auto at = attr == "delta" ? position(eid, next) : eids_.size();
        if (at == eids_.size()) {
            delta_of_.push_back(-1);
            return;
        }
        next = at + 1;
        delta_of_.push_back(static_cast<std::int64_t>(at));
        if (seen[at]) {
            once = false;
        } else {
            receivers_.push_back(at);
        }
        seen[at] = true;
    });
    // The common shapes walk fewer arrays: a large simulator's step is bound by memory, not
    // by arithmetic.
    bool in_order = once && delta_of_.size() == eids_.size();
    for (std::size_t k = 0; in_order && k < delta_of_.size(); ++k) in_order = delta_of_[k] == static_cast<std::int64_t>(k);
    deltas_ = in_order ? Deltas::each_in_order : once ? Deltas::each_once : Deltas::summed;
}

asio::awaitable<std::optional<std::int64_t>> ExampleSim::step(std::int64_t time, const mosaik::Inputs& inputs,
                                                              std::int64_t) {
    time_ = time;
    // Which entity each value is a delta of depends on the keys only: worked out again only
    // when they may have changed.
    if (!inputs.same_shape()) plan_deltas(inputs);
    // Python's sum() starts from the int 0, so a single delta is added to 0 as well (-0.0 becomes 0.0).
    switch (deltas_) {
        case Deltas::each_in_order:
            // Entities created since the plan get no delta: the general walk below.
            if (delta_of_.size() == models_.size()) {
                for (std::size_t k = 0; k < models_.size(); ++k) {
                    const auto delta = Number{} + Number::of(inputs.value(k));
                    models_.set(k, models_.val(k) + delta, delta);
                }
                co_return time + 1;
            }
            [[fallthrough]];
        case Deltas::each_once:
            for (std::size_t k = 0; k < delta_of_.size(); ++k) {
                if (delta_of_[k] < 0) continue;
                models_.set_delta(static_cast<std::size_t>(delta_of_[k]), Number{} + Number::of(inputs.value(k)));
            }
            break;
        case Deltas::summed:
            sums_.resize(eids_.size());
            for (const auto e : receivers_) sums_[e] = Number{};
            for (std::size_t k = 0; k < delta_of_.size(); ++k) {
                if (delta_of_[k] < 0) continue;
                auto& sum = sums_[static_cast<std::size_t>(delta_of_[k])];
                sum = sum + Number::of(inputs.value(k));
            }
            for (const auto e : receivers_) models_.set_delta(e, sums_[e]);
            break;
    }
    for (std::size_t e = 0; e < models_.size(); ++e) models_.advance(e);
    co_return time + 1;
}

void ExampleSim::plan_outputs(const mosaik::OutputRequest& request) {
    // What each requested place is: checked (and unknown names refused) once per request.
    out_entity_.clear();
    out_field_.clear();
    std::size_t next = 0;
    for (const auto& [eid, attrs] : request) {
        const auto at = position(eid, next);
        if (at == eids_.size()) throw std::invalid_argument(fmt::format("Unknown entity: {}", eid));
        next = at + 1;
        out_entity_.push_back(at);
        for (const auto& attr : attrs) {
            if (attr != "val" && attr != "delta") {
                throw std::invalid_argument(fmt::format("Unknown output attribute: {}", attr));
            }
            out_field_.push_back(attr == "val");
        }
    }
    planned_request_ = request.id();
}

mosaik::Outputs ExampleSim::get_data(const mosaik::OutputRequest& request) {
    if (planned_request_ != request.id()) plan_outputs(request);
    mosaik::Outputs out(request);
    if (request.size() > 0) out.time(time_);  // the tutorial sets it with each entity, always to the same
    for (std::size_t e = 0; e < request.size(); ++e) {
        const auto at = out_entity_[e];
        out.entity_at(e);
        // The attribute count from the pair offsets, not from the request's entry: one array
        // walked instead of a name and a list per entity.
        const auto first = request.first_pair(e);
        const auto count = request.first_pair(e + 1) - first;
        for (std::size_t a = 0; a < count; ++a) {
            const auto number = out_field_[first + a] ? models_.val(at) : models_.delta(at);
            if (number.is_int) {
                out.set_at(e, a, number.i);
            } else {
                out.set_at(e, a, number.d);
            }
        }
    }
    return out;
}

}  // namespace mas::sims
