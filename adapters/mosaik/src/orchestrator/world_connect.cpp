// World::connect: mosaik's scenario.World.connect for one pair of entities. A scenario connects
// thousands of pairs alike (the same simulators, models, attributes and options), so what depends
// only on those is checked and derived once, as a plan, and every further pair of the same kind
// only records its own entities.
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "mas/core/error.hpp"
#include "mas/core/log.hpp"
#include "orchestrator/orchestrator_log.hpp"
#include "orchestrator/world_impl.hpp"

namespace mas::mosaik {

namespace {

using detail::SimRunner;

// A short key naming the contents of a list of trigger targets.
std::string trigger_list_key(const detail::TriggerTargets& targets) {
    std::string key;
    for (const auto& [dest, delay] : targets) key += fmt::format("{}:{}/", dest->start_order, delay.to_string());
    return key;
}

bool same_options(const ConnectionOptions& a, const ConnectionOptions& b) {
    return a.time_shifted == b.time_shifted && a.weak == b.weak && a.async_requests == b.async_requests &&
           a.initial_data == b.initial_data;
}

}  // namespace

bool World::Impl::ConnectPlan::fits(const SimRunner& s, const SimRunner& d, const std::string* sm, const std::string* dm,
                                    const AttrPairs& a, const ConnectionOptions& o) const {
    return src == &s && dest == &d && src_model == sm && dest_model == dm && attrs == a && same_options(options, o);
}

World::Impl::ConnectPlan World::Impl::plan_connection(SimRunner& src_sim, SimRunner& dest_sim, const EntityRef& src,
                                                      const EntityRef& dest, const std::string* src_model,
                                                      const std::string* dest_model, const AttrPairs& attrs,
                                                      const ConnectionOptions& connection) {
    const auto& options = connection;
    const auto& src_attrs = src_sim.model_attrs.at(*src_model);
    const auto& dest_attrs = dest_sim.model_attrs.at(*dest_model);
    std::vector<std::string> errors;
    for (const auto& [a, b] : attrs) {
        if (!src_attrs.is_output(a)) errors.push_back(fmt::format("\"{}\" is not an output of {}", a, src.full_id()));
        if (!dest_attrs.is_input(b)) errors.push_back(fmt::format("\"{}\" is not an input of {}", b, dest.full_id()));
        const bool needs_initial = (options.time_shifted != 0 || options.weak) && dest_attrs.non_trigger.contains(b);
        if (needs_initial && !options.initial_data.contains(a)) {
            errors.push_back(fmt::format("the time-shifted or weak connection {} -> {} needs initial_data for \"{}\"",
                                         src.full_id(), dest.full_id(), a));
        }
        if (src_attrs.non_persistent.contains(a) && dest_attrs.non_trigger.contains(b)) {
            detail::orchestrator_log()->warn("connecting the non-persistent output {}.{} to the non-trigger input {}.{}{}", src.full_id(), a,
                           dest.full_id(), b, " (said once for the entities connected alike)");
        }
    }
    if (!errors.empty()) {
        throw ConfigError(fmt::format("cannot connect {} to {}: {}", src.full_id(), dest.full_id(), fmt::join(errors, "; ")));
    }
    ConnectPlan plan{&src_sim, &dest_sim, src_model, dest_model, attrs, options,
                     connect_interval(src_sim.group, dest_sim.group, options.time_shifted, options.weak),
                     connect_interval(src_sim.group, dest_sim.group), {}};
    for (const auto& [a, b] : attrs) {
        const bool persistent = src_attrs.persistent.contains(a);
        // The initial value is the plan's own copy's: the caller's options may be gone by the next pair.
        plan.kinds.push_back({persistent, this->options.cache && persistent, dest_attrs.trigger.contains(b),
                              plan.options.initial_data.find(a)});
    }
    return plan;
}

void World::connect(const EntityRef& src, const EntityRef& dest, const std::vector<std::pair<std::string, std::string>>& attrs,
                    const ConnectionOptions& options) {
    if (impl_->ran) throw ConfigError("entities cannot be connected once the world has run");
    // Mostly the simulators of the connection before: no lookup by name.
    auto& plan = impl_->last_plan;
    auto& src_sim = plan && plan->src->sid == src.sid ? *plan->src : impl_->sim(src.sid);
    auto& dest_sim = plan && plan->dest->sid == dest.sid ? *plan->dest : impl_->sim(dest.sid);
    if (&src_sim == &dest_sim) {
        throw ConfigError(fmt::format("cannot connect {} to {}: they belong to the same simulator", src.full_id(), dest.full_id()));
    }
    const auto src_node = impl_->entity_node(src, src_sim);
    const auto dest_node = impl_->entity_node(dest, dest_sim);
    const auto* src_model = impl_->graph.model(src_node);
    const auto* dest_model = impl_->graph.model(dest_node);
    if (!plan || !plan->fits(src_sim, dest_sim, src_model, dest_model, attrs, options)) {
        plan = impl_->plan_connection(src_sim, dest_sim, src, dest, src_model, dest_model, attrs, options);
        impl_->begin_connections(*plan);
    }
    impl_->connect_pair(*plan, src, dest);
    impl_->graph.add_edge(src_node, dest_node);
}

void World::Impl::begin_connections(ConnectPlan& plan) {
    // What depends on the two simulators only: the same for every pair connected alike.
    auto& delays = plan.dest->input_delays;
    if (auto it = delays.find(plan.src); it == delays.end()) {
        delays.emplace(plan.src, plan.delay);
    } else if (plan.delay < it->second) {
        it->second = plan.delay;
    }
    plan.src->successors.insert_or_assign(plan.dest, plan.successor);
    if (std::any_of(plan.kinds.begin(), plan.kinds.end(), [](const auto& kind) { return kind.pulled; })) {
        plan.pulls = &plan.dest->pulled_inputs[detail::SimDelay{plan.src, plan.delay}];
    }
    if (plan.options.async_requests) {
        plan.src->successors_to_wait_for.insert_or_assign(plan.dest, plan.successor);
        plan.dest->input_delays.insert_or_assign(plan.src, plan.successor);
    }
}

void World::Impl::connect_pair(const ConnectPlan& plan, const EntityRef& src, const EntityRef& dest) {
    auto& src_sim = *plan.src;
    auto& dest_sim = *plan.dest;
    const std::size_t request_entity = src_sim.request_entity(src.eid);
    for (std::size_t i = 0; i < plan.attrs.size(); ++i) {
        const auto& [a, b] = plan.attrs[i];
        const auto& kind = plan.kinds[i];
        auto& requested = src_sim.output_request[request_entity].second;
        requested.push_back(a);
        // The port is where get_data's reply has the value: the attribute's first place.
        const Outputs::Hint port{request_entity,
                                 static_cast<std::size_t>(std::find(requested.begin(), requested.end(), a) - requested.begin())};
        const detail::EntityAttr to{dest.eid, b};
        if (kind.pulled) {
            plan.pulls->push_back(detail::PullLink{port, to});
        } else {
            src_sim.output_to_push[detail::EntityAttr{src.eid, a}].push_back(detail::PushTarget{&dest_sim, plan.delay, to});
            if (kind.persistent) persistent_input(dest_sim, dest.eid, b).insert_or_assign(src.full_id(), Json());
        }
        if (kind.trigger) add_trigger(src_sim, {port.entity, port.attr}, dest_sim, plan.delay);
        if (!kind.initial) continue;
        if (!kind.pulled) {
            persistent_input(dest_sim, dest.eid, b).insert_or_assign(src.full_id(), *kind.initial);
            continue;
        }
        const auto t = -plan.options.time_shifted;
        auto& cache = *src_sim.outputs;
        auto entry = std::find_if(cache.begin(), cache.end(), [&](const auto& e) { return e.first == t; });
        if (entry == cache.end()) {
            cache.emplace_back(t, std::make_shared<Outputs>());
            entry = std::prev(cache.end());
        }
        entry->second->set(src.eid, a, *kind.initial);
    }
}

JsonObject& World::Impl::persistent_input(SimRunner& dest, const std::string& eid, const std::string& attr) {
    auto& by_eid = dest.persistent_inputs;
    if (!by_eid.contains(eid)) by_eid.insert_or_assign(eid, Json::object());
    auto& by_attr = by_eid.find(eid)->as_object();
    if (!by_attr.contains(attr)) by_attr.insert_or_assign(attr, Json::object());
    return by_attr.find(attr)->as_object();
}

std::size_t World::Impl::entity_node(const EntityRef& entity, SimRunner& sim) const {
    const auto node = graph.find(entity.sid, entity.eid, sim.last_node);
    if (!graph.model(node)) throw ConfigError(fmt::format("simulator {} has created no entity \"{}\"", entity.sid, entity.eid));
    return node;
}

void World::Impl::add_trigger(SimRunner& src, std::pair<std::size_t, std::size_t> port, SimRunner& dest,
                              const TieredInterval& delay) {
    auto& ports = src.trigger_list_of_port;
    const auto hash = detail::KeyIndex::mix(static_cast<std::uint32_t>(port.second), port.first);
    const auto known = src.trigger_port_index.find_hashed(hash, [&](std::size_t i) { return ports[i].first == port; });
    static const detail::TriggerTargets none;
    const auto& before = known ? src.trigger_targets[ports[*known].second] : none;
    // Scheduling a step twice does nothing, so a target is listed once however often it is connected.
    const auto same = [&](const auto& target) { return target.first == &dest && target.second == delay; };
    if (std::any_of(before.begin(), before.end(), same)) return;
    // The port's list is `before` and the new target. Entities connected alike reuse the list
    // before: no list and no key to build.
    auto& last = src.last_trigger_list;
    const auto is_last = [&] {
        if (last >= src.trigger_targets.size()) return false;
        const auto& list = src.trigger_targets[last];
        return list.size() == before.size() + 1 && same(list.back()) &&
               std::equal(before.begin(), before.end(), list.begin());
    };
    if (!is_last()) {
        auto targets = before;
        targets.emplace_back(&dest, delay);
        auto [id, added] = src.trigger_list_ids.try_emplace(trigger_list_key(targets), src.trigger_targets.size());
        if (added) src.trigger_targets.push_back(std::move(targets));
        last = id->second;
    }
    if (known) {
        ports[*known].second = last;
    } else {
        ports.emplace_back(port, last);
        src.trigger_port_index.add_hashed(hash, ports.size() - 1);
    }
}

}  // namespace mas::mosaik
