#pragma once
// TriggerGraph: for every simulator, the earliest time at which it can still be stepped by a
// trigger, kept up to date as the simulators' schedules change. mosaik computes a simulator's
// progress and max_advance as a minimum over all of its triggering ancestors (the transitive
// closure of the trigger edges, with the shortest delay to each). Here the same minimum is a
// shortest path over the direct trigger edges, so a change of one schedule costs a walk down to
// where the earliest times stop changing: in a chain of many simulators that is one or two of
// them, instead of every descendant and each of its ancestors.
//
// The two agree when adding a delay to a time is monotone along every trigger path, which holds
// when no trigger edge leads into a deeper group (its interval only adds tiers). Otherwise
// exact() is false and the World keeps mosaik's ancestor sets.

#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "mas/mosaik/orchestrator/tiered_time.hpp"

namespace mas::mosaik::detail {

struct SimRunner;

class TriggerGraph {
public:
    /// Reads the simulators' trigger edges (SimRunner::trigger_targets); `sims` is in start order
    /// and each sim's start_order is its place in it. Every simulator starts out marked.
    void build(const std::vector<std::unique_ptr<SimRunner>>& sims);
    /// Whether earliest() and earliest_next() equal mosaik's minimum over triggering ancestors.
    [[nodiscard]] bool exact() const noexcept { return exact_; }

    /// Notes that `sim`'s next steps or current step changed.
    void mark(const SimRunner& sim);
    /// Brings every earliest time up to date with the marked simulators.
    void flush();
    /// The simulators whose earliest() changed since the last call, in start order (valid until
    /// the next call).
    const std::vector<SimRunner*>& take_changed();

    /// min(own next step, current step, earliest(p) + delay for each trigger predecessor p).
    [[nodiscard]] std::optional<TieredTime> earliest(const SimRunner& sim) const;
    /// The same without current steps: what max_advance looks at.
    [[nodiscard]] std::optional<TieredTime> earliest_next(const SimRunner& sim) const;

private:
    struct Edge {
        std::size_t from;
        TieredInterval delay;
    };
    struct Node {
        SimRunner* sim = nullptr;
        std::vector<Edge> in;            // the shortest delay from each trigger predecessor
        std::vector<std::size_t> out;    // trigger successors
        std::size_t component = 0;       // its strongly connected component, by topological order
        std::optional<TieredTime> earliest, earliest_next;  // unused for an isolated node
        bool changed = false;            // listed in changed_
        // Without trigger edges (time-based simulators, mostly) the earliest times are the
        // simulator's own, read when asked for: nothing to propagate at every step.
        bool isolated = false;
    };

    void add_edge(std::size_t from, std::size_t to, const TieredInterval& delay);
    void find_components();
    void queue(std::size_t component);
    /// Recomputes a component; returns whether any of its values changed.
    bool recompute(std::size_t component);
    bool recompute_single(Node& node);
    void note_changed(Node& node);
    void recompute_cycle(const std::vector<std::size_t>& members, bool next_only);

    std::vector<Node> nodes_;
    std::vector<std::vector<std::size_t>> components_;  // members, in topological order of components
    std::vector<bool> queued_;
    std::vector<std::size_t> heap_;  // queued components, smallest (most upstream) first
    std::vector<SimRunner*> changed_;
    std::vector<SimRunner*> taken_;  // what take_changed() handed out last
    std::vector<std::pair<std::optional<TieredTime>, std::optional<TieredTime>>> before_;  // recompute's
    bool exact_ = true;
};

}  // namespace mas::mosaik::detail
