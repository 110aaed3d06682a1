#include "orchestrator/trigger_graph.hpp"

#include <algorithm>
#include <functional>
#include <queue>

#include "orchestrator/graph_components.hpp"
#include "orchestrator/sim_runner.hpp"

namespace mas::mosaik::detail {
namespace {

using Time = std::optional<TieredTime>;

// The earlier of two times; none stands for "never".
void lower(Time& current, const Time& candidate) {
    if (candidate && (!current || *candidate < *current)) current = candidate;
}

Time own_next(const SimRunner& sim) {
    if (sim.next_steps.empty()) return std::nullopt;
    return *sim.next_steps.begin();
}

Time own_any(const SimRunner& sim) {
    Time t = own_next(sim);
    lower(t, sim.current_step);
    return t;
}

}  // namespace

void TriggerGraph::build(const std::vector<std::unique_ptr<SimRunner>>& sims) {
    nodes_.assign(sims.size(), Node{});
    exact_ = true;
    for (const auto& sim : sims) nodes_[sim->start_order].sim = sim.get();
    for (const auto& sim : sims) {
        for (const auto& targets : sim->trigger_targets) {
            for (const auto& [dest, delay] : targets) add_edge(sim->start_order, dest->start_order, delay);
        }
    }
    for (auto& node : nodes_) node.isolated = node.in.empty() && node.out.empty();
    find_components();
    queued_.assign(components_.size(), false);
    heap_.clear();
    changed_.clear();
    for (const auto& sim : sims) mark(*sim);
}

void TriggerGraph::add_edge(std::size_t from, std::size_t to, const TieredInterval& delay) {
    // An interval that replaces deeper tiers (an edge into a group) is not monotone when added to
    // times that differ there, so shortest paths over times may differ from mosaik's shortest
    // delays per ancestor.
    if (delay.cutoff() < delay.size()) exact_ = false;
    auto& in = nodes_[to].in;
    const auto known = std::find_if(in.begin(), in.end(), [&](const Edge& e) { return e.from == from; });
    if (known == in.end()) {
        in.push_back(Edge{from, delay});
        nodes_[from].out.push_back(to);
    } else if (delay < known->delay) {
        known->delay = delay;  // edges between two simulators share their shape, so they compare
    }
}

void TriggerGraph::find_components() {
    std::vector<std::vector<std::size_t>> out(nodes_.size());
    for (std::size_t v = 0; v < nodes_.size(); ++v) out[v] = nodes_[v].out;
    components_ = strongly_connected_components(out);
    for (std::size_t c = 0; c < components_.size(); ++c) {
        for (const auto member : components_[c]) nodes_[member].component = c;
    }
}

void TriggerGraph::mark(const SimRunner& sim) {
    if (!exact_ || sim.start_order >= nodes_.size()) return;
    auto& node = nodes_[sim.start_order];
    if (node.isolated) {
        note_changed(node);
    } else {
        queue(node.component);
    }
}

void TriggerGraph::queue(std::size_t component) {
    if (queued_[component]) return;
    queued_[component] = true;
    heap_.push_back(component);
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
}

void TriggerGraph::flush() {
    // Upstream components first, so that each one is recomputed once from final predecessors.
    while (!heap_.empty()) {
        std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
        const std::size_t component = heap_.back();
        heap_.pop_back();
        queued_[component] = false;
        if (!recompute(component)) continue;
        for (const auto member : components_[component]) {
            for (const auto next : nodes_[member].out) {
                if (nodes_[next].component != component) queue(nodes_[next].component);
            }
        }
    }
}

bool TriggerGraph::recompute(std::size_t component) {
    const auto& members = components_[component];
    if (members.size() == 1) return recompute_single(nodes_[members.front()]);
    before_.clear();
    for (const auto member : members) before_.emplace_back(nodes_[member].earliest, nodes_[member].earliest_next);
    recompute_cycle(members, false);
    recompute_cycle(members, true);
    bool any_changed = false;
    for (std::size_t i = 0; i < members.size(); ++i) {
        auto& node = nodes_[members[i]];
        if (node.earliest_next != before_[i].second) any_changed = true;
        if (node.earliest == before_[i].first) continue;
        any_changed = true;
        note_changed(node);
    }
    return any_changed;
}

// The usual case, a simulator on no cycle of triggers: its predecessors are final already.
bool TriggerGraph::recompute_single(Node& node) {
    Time any = own_any(*node.sim);
    Time next = own_next(*node.sim);
    for (const auto& edge : node.in) {
        const auto& from = nodes_[edge.from];
        if (from.earliest) lower(any, *from.earliest + edge.delay);
        if (from.earliest_next) lower(next, *from.earliest_next + edge.delay);
    }
    const bool next_changed = next != node.earliest_next;
    node.earliest_next = next;
    if (any == node.earliest) return next_changed;
    node.earliest = any;
    note_changed(node);
    return true;
}

void TriggerGraph::note_changed(Node& node) {
    if (node.changed) return;
    node.changed = true;
    changed_.push_back(node.sim);
}

// Dijkstra inside a cycle of triggers: every delay is at least zero, so the earliest time of the
// member settled first cannot be lowered by the others.
void TriggerGraph::recompute_cycle(const std::vector<std::size_t>& members, bool next_only) {
    const auto value = [next_only](Node& node) -> Time& { return next_only ? node.earliest_next : node.earliest; };
    const std::size_t component = nodes_[members.front()].component;
    for (const auto member : members) {
        auto& node = nodes_[member];
        Time t = next_only ? own_next(*node.sim) : own_any(*node.sim);
        for (const auto& edge : node.in) {
            auto& from = nodes_[edge.from];
            if (from.component != component && value(from)) lower(t, *value(from) + edge.delay);
        }
        value(node) = t;
    }
    using Entry = std::pair<TieredTime, std::size_t>;
    const auto later = [](const Entry& a, const Entry& b) { return b.first < a.first; };
    std::priority_queue<Entry, std::vector<Entry>, decltype(later)> open(later);
    for (const auto member : members) {
        if (value(nodes_[member])) open.emplace(*value(nodes_[member]), member);
    }
    while (!open.empty()) {
        // Not a structured binding: clang 14 (the fuzzing build) cannot capture one in a lambda.
        const auto t = open.top().first;
        const auto v = open.top().second;
        open.pop();
        if (t != *value(nodes_[v])) continue;  // superseded by an earlier entry
        for (const auto w : nodes_[v].out) {
            auto& to = nodes_[w];
            if (to.component != component) continue;
            const auto& edge = *std::find_if(to.in.begin(), to.in.end(), [&](const Edge& e) { return e.from == v; });
            const TieredTime candidate = t + edge.delay;
            if (!value(to) || candidate < *value(to)) {
                value(to) = candidate;
                open.emplace(candidate, w);
            }
        }
    }
}

const std::vector<SimRunner*>& TriggerGraph::take_changed() {
    // Handed out in a buffer of its own, so that neither list allocates at every step.
    taken_.swap(changed_);
    changed_.clear();
    for (auto* sim : taken_) nodes_[sim->start_order].changed = false;
    std::sort(taken_.begin(), taken_.end(), [](const SimRunner* a, const SimRunner* b) { return a->start_order < b->start_order; });
    return taken_;
}

std::optional<TieredTime> TriggerGraph::earliest(const SimRunner& sim) const {
    const auto& node = nodes_[sim.start_order];
    return node.isolated ? own_any(sim) : node.earliest;
}

std::optional<TieredTime> TriggerGraph::earliest_next(const SimRunner& sim) const {
    const auto& node = nodes_[sim.start_order];
    return node.isolated ? own_next(sim) : node.earliest_next;
}

}  // namespace mas::mosaik::detail
