// Input assembly (mosaik's get_input_data): the values a simulator's step receives, pulled from
// its sources' output caches, pushed, kept from persistent connections or set by set_data.
#include <algorithm>

#include "mas/core/log.hpp"
#include "orchestrator/orchestrator_log.hpp"
#include "orchestrator/world_impl.hpp"

namespace mas::mosaik {

namespace {

using detail::SimRunner;

// obj[key] as an object, created if missing.
JsonObject& object_at(JsonObject& obj, const std::string& key) {
    if (auto* found = obj.find(key)) return found->as_object();
    return obj.insert_or_assign(key, Json::object()).as_object();
}

}  // namespace

// A port's value (an entity's attribute in a get_data reply), looked up where the request put it.
const Json* World::Impl::port_value(const SimRunner& sim, const Outputs& outputs, const Outputs::Hint& port) {
    // Outputs of an in-process simulator laid out by this very request: the place is the answer.
    if (outputs.laid_out_by(sim.output_layout)) return outputs.find_laid_out(port);
    const auto& [eid, attrs] = sim.output_layout[port.entity];
    return outputs.find(eid, attrs[port.attr], port);
}

const Json* World::Impl::pulled_value(const SimRunner& sim, const detail::PullGroup& group, const detail::PullFlow& flow,
                                      const Outputs* cache, std::int64_t now) const {
    const Json* value = cache ? port_value(*group.src, *cache, flow.from) : nullptr;
    if (!value) {
        const auto& [eid, attrs] = group.src->output_layout[flow.from.entity];
        detail::orchestrator_log()->warn("simulator {}'s entity {} has no output for its persistent attribute {}, which {} needs at {}; "
                       "delivering null",
                       group.src->sid, eid, attrs[flow.from.attr], sim.sid, now);
    }
    return value;
}

namespace {

// The place of `key` in `object`, inserting it (with null) at the end if it is not there.
std::size_t place_of(JsonObject& object, std::string key) {
    const auto before = object.size();
    if (before == 0) {  // the usual case: one source per input
        object.push_back(std::move(key), Json());
        return 0;
    }
    const Json* value = &object.insert_or_assign(std::move(key), Json());
    if (object.size() > before) return before;
    // Already there (two attributes of one source into one input): rare, so searched in order.
    const auto found = std::find_if(object.begin(), object.end(), [&](const auto& item) { return &item.second == value; });
    return static_cast<std::size_t>(found - object.begin());
}

}  // namespace

void World::Impl::build_pull_skeleton(SimRunner& sim) {
    std::size_t flows = 0;
    for (const auto& group : sim.pull_plan) flows += group.flows.size();
    for (auto& group : sim.pull_plan) {
        group.from_pairs.clear();
        group.from_pairs.reserve(group.flows.size());
        for (const auto& flow : group.flows) {
            group.from_pairs.push_back(
                static_cast<std::uint32_t>(group.src->output_layout.first_pair(flow.from.entity) + flow.from.attr));
        }
    }
    JsonObject input;
    input.reserve(sim.pull_dest_eids.size());
    for (const auto& eid : sim.pull_dest_eids) input.push_back(eid, Json::object());
    // Each value's place as (attribute's place in its entity, source's place in the attribute),
    // noted while building: the objects still grow, so their addresses are taken afterwards.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> places;
    places.reserve(flows);
    for (const auto& group : sim.pull_plan) {
        for (const auto& flow : group.flows) {
            auto& attrs = (input.begin() + static_cast<std::ptrdiff_t>(flow.dest_slot))->second.as_object();
            const auto& name = sim.pull_dest_attrs[flow.dest_attr];
            const auto attr = static_cast<std::size_t>(
                std::find_if(attrs.begin(), attrs.end(), [&](const auto& item) { return item.first == name; }) -
                attrs.begin());
            if (attr == attrs.size()) attrs.push_back(name, Json::object());
            auto& sources = (attrs.begin() + static_cast<std::ptrdiff_t>(attr))->second.as_object();
            const auto source = place_of(sources, group.src->full_id(group.src->output_layout[flow.from.entity].first));
            places.emplace_back(static_cast<std::uint32_t>(attr), static_cast<std::uint32_t>(source));
        }
    }
    sim.pull_skeleton = Json(std::move(input));
    auto& entities = sim.pull_skeleton.as_object();
    auto place = places.begin();
    sim.pull_skeleton_values.reserve(flows);
    for (const auto& group : sim.pull_plan) {
        for (const auto& flow : group.flows) {
            auto& attrs = (entities.begin() + static_cast<std::ptrdiff_t>(flow.dest_slot))->second.as_object();
            auto& sources = (attrs.begin() + static_cast<std::ptrdiff_t>(place->first))->second.as_object();
            sim.pull_skeleton_values.push_back(&(sources.begin() + static_cast<std::ptrdiff_t>(place->second))->second);
            ++place;
        }
    }
    // Each flow's place among the tree's values in its order, for steps read in place: the
    // first value of each (entity, attribute), then the source's place after it.
    std::vector<std::uint32_t> entity_attrs;  // per entity: the index of its first attribute below
    std::vector<std::uint32_t> first_value;   // per (entity, attribute) in order
    std::uint32_t values = 0;
    entity_attrs.reserve(entities.size());
    first_value.reserve(flows);
    for (const auto& [eid, attrs] : entities) {
        entity_attrs.push_back(static_cast<std::uint32_t>(first_value.size()));
        for (const auto& [attr, sources] : attrs.as_object()) {
            first_value.push_back(values);
            values += static_cast<std::uint32_t>(sources.size());
        }
    }
    sim.pull_values.assign(values, nullptr);
    sim.pull_places.reserve(flows);
    place = places.begin();
    for (const auto& group : sim.pull_plan) {
        for (const auto& flow : group.flows) {
            sim.pull_places.push_back(first_value[entity_attrs[flow.dest_slot] + place->first] + place->second);
            ++place;
        }
    }
}

void World::Impl::point_at_pulled_values(SimRunner& sim, std::int64_t now) {
    sim.pull_holds.clear();
    auto place = sim.pull_places.begin();
    for (const auto& group : sim.pull_plan) {
        auto cache = group.src->shared_output_for(now - group.shift);
        if (cache && cache->laid_out_by(group.src->output_layout)) {
            // An in-process simulator's outputs: each value is at its pair's place.
            for (std::size_t k = 0; k < group.from_pairs.size(); ++k) {
                const Json* value = cache->laid_out_value(group.from_pairs[k]);
                sim.pull_values[*place++] = value ? value : pulled_value(sim, group, group.flows[k], nullptr, now);
            }
        } else {
            for (const auto& flow : group.flows) sim.pull_values[*place++] = pulled_value(sim, group, flow, cache.get(), now);
        }
        if (cache) sim.pull_holds.push_back(std::move(cache));
    }
}

const Json& World::Impl::input_data(SimRunner& sim) {
    const auto now = sim.current_step->time();
    // Only pulled values this step: they have the same shape at every step, so the inputs are
    // built once and only their values replaced.
    const bool pulled_only = !sim.pull_plan.empty() && sim.inputs_from_set_data.empty() &&
                             sim.persistent_inputs.empty() &&
                             (sim.timed_inputs.empty() || sim.timed_inputs.front().time > now);
    sim.pulled_in_place = false;
    if (pulled_only) {
        if (sim.pull_skeleton_values.empty()) build_pull_skeleton(sim);
        // Unless an observer wants the inputs as JSON, a simulator reads them where they are.
        if (!observer_inputs) {
            point_at_pulled_values(sim, now);
            sim.pulled_in_place = true;
            return sim.pull_skeleton;
        }
        auto slot = sim.pull_skeleton_values.begin();
        for (const auto& group : sim.pull_plan) {
            const Outputs* cache = group.src->output_for(now - group.shift);
            for (const auto& flow : group.flows) {
                const Json* value = pulled_value(sim, group, flow, cache, now);
                **slot++ = value ? *value : Json();
            }
        }
        return sim.pull_skeleton;
    }
    JsonObject input = std::move(sim.inputs_from_set_data);
    sim.inputs_from_set_data = JsonObject();
    // Persistent inputs fill in what set_data did not give.
    for (const auto& [eid, attrs] : sim.persistent_inputs) {
        auto& to_attrs = object_at(input, eid);
        for (const auto& [attr, sources] : attrs.as_object()) {
            auto& to_sources = object_at(to_attrs, attr);
            for (const auto& [src, value] : sources.as_object()) {
                if (!to_sources.contains(src)) to_sources.insert_or_assign(src, value);
            }
        }
    }
    while (!sim.timed_inputs.empty() && sim.timed_inputs.front().time <= now) {
        auto entry = std::move(sim.timed_inputs.front());
        sim.timed_inputs.pop_front();
        object_at(object_at(input, entry.dest_eid), entry.dest_attr).insert_or_assign(entry.src_full_id, std::move(entry.value));
    }
    // The entities receiving pulled values, found (or appended) once per step, not per value.
    const bool had_inputs = !input.empty();
    input.reserve(input.size() + sim.pull_dest_eids.size());  // keeps the slot pointers valid
    pull_slots.assign(sim.pull_dest_eids.size(), nullptr);
    const auto slot_object = [&](const detail::PullFlow& flow) -> JsonObject& {
        auto& slot = pull_slots[flow.dest_slot];
        if (!slot) {
            const auto& eid = sim.pull_dest_eids[flow.dest_slot];
            Json* found = had_inputs ? input.find(eid) : nullptr;
            if (!found) {
                input.push_back(eid, Json::object());
                found = &std::prev(input.end())->second;
            }
            slot = &found->as_object();
        }
        return *slot;
    };
    for (const auto& group : sim.pull_plan) {
        const Outputs* cache = group.src->output_for(now - group.shift);
        for (const auto& flow : group.flows) {
            const Json* value = pulled_value(sim, group, flow, cache, now);
            auto source = group.src->full_id(group.src->output_layout[flow.from.entity].first);
            object_at(slot_object(flow), sim.pull_dest_attrs[flow.dest_attr])
                .insert_or_assign(std::move(source), value ? *value : Json());
        }
    }
    // Keep persistent inputs up to date with what was delivered.
    for (auto& [eid, attrs] : sim.persistent_inputs) {
        const auto* new_attrs = input.find(eid);
        for (auto& [attr, sources] : attrs.as_object()) {
            const auto* new_sources = new_attrs->as_object().find(attr);
            for (auto& [src, value] : sources.as_object()) {
                if (const auto* v = new_sources->as_object().find(src)) value = *v;
            }
        }
    }
    sim.step_inputs = Json(std::move(input));
    return sim.step_inputs;
}

}  // namespace mas::mosaik
