// What the World works out when the run starts, from the dataflow World::connect noted: the
// check for cycles without delay, the pulled inputs' plan, the lists of trigger targets, and
// mosaik's triggering ancestors where the trigger graph cannot stand in for them.
#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "mas/core/error.hpp"
#include "orchestrator/graph_components.hpp"
#include "orchestrator/world_impl.hpp"

namespace mas::mosaik {

namespace {

using detail::SimRunner;

bool all_zero(const TieredInterval& interval) {
    return std::all_of(interval.tiers().begin(), interval.tiers().end(), [](auto t) { return t == 0; });
}

// `candidate` if it is shorter than `current` (or there is none); incomparable intervals keep
// the current one, as neither is known to be shorter.
bool shorter(const std::optional<TieredInterval>& current, const TieredInterval& candidate) {
    if (!current) return true;
    try {
        return candidate < *current;
    } catch (const Error&) {
        return false;
    }
}

}  // namespace

void World::Impl::compile_pulls(SimRunner& sim) {
    detail::KeyIndex slots;  // pull_dest_eids by eid
    const auto slot_key = [&](std::size_t i) -> std::string_view { return sim.pull_dest_eids[i]; };
    for (auto& [key, links] : sim.pulled_inputs) {
        detail::PullGroup group{key.sim, key.delay.tiers()[0], {}, {}};
        group.flows.reserve(links.size());
        sim.max_pull_shift = std::max(sim.max_pull_shift, group.shift);
        for (const auto& link : links) {
            auto slot = slots.find(link.to.first, slot_key);
            if (!slot) {
                slot = sim.pull_dest_eids.size();
                sim.pull_dest_eids.push_back(link.to.first);
                slots.add(link.to.first, *slot);
            }
            auto name = std::find(sim.pull_dest_attrs.begin(), sim.pull_dest_attrs.end(), link.to.second);
            if (name == sim.pull_dest_attrs.end()) name = sim.pull_dest_attrs.insert(name, link.to.second);
            group.flows.push_back(detail::PullFlow{link.from, static_cast<std::uint32_t>(*slot),
                                                   static_cast<std::uint32_t>(name - sim.pull_dest_attrs.begin())});
        }
        sim.pull_plan.push_back(std::move(group));
    }
    sim.pulled_inputs.clear();
}

void World::Impl::compile_triggers(SimRunner& sim) {
    // Only the lists some port still has (a port that got another target moved to a longer list).
    std::vector<std::size_t> renumbered(sim.trigger_targets.size(), static_cast<std::size_t>(-1));
    std::vector<detail::TriggerTargets> lists;
    // In the ports' order (an entity's place, then the attribute's), as the ports' lists were
    // always made: they are mostly connected in that order already.
    auto& ports = sim.trigger_list_of_port;
    if (!std::is_sorted(ports.begin(), ports.end())) std::sort(ports.begin(), ports.end());
    for (const auto& [port, list] : ports) {
        if (renumbered[list] == static_cast<std::size_t>(-1)) {
            renumbered[list] = lists.size();
            lists.push_back(std::move(sim.trigger_targets[list]));
            sim.trigger_ports.emplace_back();
        }
        sim.trigger_ports[renumbered[list]].push_back(Outputs::Hint{port.first, port.second});
    }
    sim.trigger_targets = std::move(lists);
    ports = {};
    sim.trigger_port_index = {};
    sim.trigger_list_ids.clear();
}

void World::Impl::check_cycles() const {
    // Shortest delay and path from every simulator to each of its descendants (along input
    // edges); a simulator that reaches itself with zero delay is a cycle nothing can order. Only
    // simulators of one strongly connected component can lie on a common cycle, so the search
    // starts in, and stays inside, components of more than one simulator: in the usual acyclic
    // scenario it does nothing, however many simulators there are.
    std::vector<std::vector<std::size_t>> out(sims.size());
    for (const auto& dest : sims) {
        for (const auto& [src, delay] : dest->input_delays) out[src->start_order].push_back(dest->start_order);
    }
    for (auto& successors : out) std::sort(successors.begin(), successors.end());  // start order, as before
    std::vector<std::size_t> component(sims.size());
    const auto components = detail::strongly_connected_components(out);
    for (std::size_t c = 0; c < components.size(); ++c) {
        for (const auto member : components[c]) component[member] = c;
    }
    for (const auto& start : sims) {
        const auto own = component[start->start_order];
        if (components[own].size() < 2) continue;
        std::map<const SimRunner*, std::pair<std::optional<TieredInterval>, std::vector<std::string>>> reach;
        reach[start.get()] = {std::nullopt, {start->sid}};
        std::vector<const SimRunner*> dirty{start.get()};
        while (!dirty.empty()) {
            const SimRunner* mid = dirty.back();
            dirty.pop_back();
            for (const auto next : out[mid->start_order]) {
                if (component[next] != own) continue;
                const SimRunner* dest = sims[next].get();
                const auto& edge = dest->input_delays.at(const_cast<SimRunner*>(mid));
                const auto& [so_far, path] = reach[mid];
                const TieredInterval total = so_far ? *so_far + edge : edge;
                auto next_path = path;
                next_path.push_back(dest->sid);
                if (dest == start.get()) {
                    if (all_zero(total)) {
                        throw CycleError(fmt::format("the scenario has a cycle without a time shift or weak "
                                                     "connection: {}",
                                                     fmt::join(next_path, " -> ")),
                                         next_path);
                    }
                    continue;
                }
                auto& known = reach[dest];
                if (shorter(known.first, total)) {
                    known = {total, std::move(next_path)};
                    dirty.push_back(dest);
                }
            }
        }
    }
}

// mosaik's triggering ancestors, for scenarios where the TriggerGraph cannot stand in for them.
void World::Impl::cache_triggering_ancestors() {
    std::vector<SimRunner*> dirty;
    for (auto& sim : sims) {
        for (auto& targets : sim->trigger_targets) {
            for (auto& [dest, delay] : targets) {
                auto it = dest->triggering_ancestors.find(sim.get());
                if (it == dest->triggering_ancestors.end()) {
                    dest->triggering_ancestors.emplace(sim.get(), delay);
                } else if (shorter(it->second, delay)) {
                    it->second = delay;
                }
                dirty.push_back(dest);
            }
        }
    }
    while (!dirty.empty()) {
        SimRunner* mid = dirty.back();
        dirty.pop_back();
        for (auto& targets : mid->trigger_targets) {
            for (auto& [dest, mid_to_dest] : targets) {
                for (const auto& [src, src_to_mid] : std::map(mid->triggering_ancestors)) {
                    const auto total = src_to_mid + mid_to_dest;
                    auto it = dest->triggering_ancestors.find(src);
                    const std::optional<TieredInterval> current =
                        it == dest->triggering_ancestors.end() ? std::nullopt : std::optional(it->second);
                    if (!shorter(current, total)) continue;
                    dest->triggering_ancestors.insert_or_assign(src, total);
                    dirty.push_back(dest);
                }
            }
        }
    }
}

}  // namespace mas::mosaik
