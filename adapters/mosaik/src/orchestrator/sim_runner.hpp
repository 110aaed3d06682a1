#pragma once
// SimRunner: the orchestrator's state of one simulator during a run (mosaik's SimRunner): its
// schedule, progress, dataflow bookkeeping from connect, output cache and pending inputs.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "mas/core/json.hpp"
#include "mas/mosaik/detail/key_index.hpp"
#include "mas/mosaik/meta.hpp"
#include "mas/mosaik/outputs.hpp"
#include "mas/mosaik/orchestrator/model_attrs.hpp"
#include "mas/mosaik/orchestrator/sim_proxy.hpp"
#include "mas/mosaik/orchestrator/tiered_time.hpp"
#include "mas/mosaik/orchestrator/world.hpp"

namespace mas::mosaik::detail {

struct SimRunner;

using EntityAttr = std::pair<std::string, std::string>;  // (eid, attr)

/// A pushed value waiting for its destination's step.
struct TimedInput {
    std::int64_t time;
    std::uint64_t seq;
    std::string src_full_id;
    std::string dest_eid;
    std::string dest_attr;
    Json value;
};

struct PushTarget {
    SimRunner* dest;
    TieredInterval delay;
    EntityAttr dest_attr;
};

/// Orders intervals where mosaik does (min over connections); a key for per-(sim, delay) maps,
/// in the simulators' start order so that inputs are assembled the same way in every run.
struct SimDelay {
    SimRunner* sim;
    TieredInterval delay;
    friend bool operator<(const SimDelay& a, const SimDelay& b);
};

/// One pulled value, compiled when the run starts: where it is expected in the source's get_data
/// reply (the reply follows the request's order, so a lookup is one comparison) and where it goes.
/// The names are not repeated here: the source's output_request and the destination's
/// pull_dest_eids and pull_dest_attrs hold them, once per entity and attribute.
struct PullFlow {
    Outputs::Hint from;       // the positions of the source entity and attribute in its output request
    std::uint32_t dest_slot;  // which of the destination entities (pull_dest_eids) it goes to
    std::uint32_t dest_attr;  // which of the destination's attribute names (pull_dest_attrs)
};

/// A pulled connection as World::connect notes it; compiled into a PullFlow when the run starts.
struct PullLink {
    Outputs::Hint from;  // the source entity's and attribute's places in its output request
    EntityAttr to;
};

/// The pulled inputs from one source over one delay.
struct PullGroup {
    SimRunner* src;
    std::int64_t shift;  // the delay's time shift
    std::vector<PullFlow> flows;
    // Per flow: `from` as a place among the source's requested pairs, once its layout is made
    // (apart from the flows, which a step reading in place need not touch).
    std::vector<std::uint32_t> from_pairs;
};

/// The simulators an output may trigger, each with the connection's delay. Ports with the same
/// targets share one list: a simulator's entities are mostly connected alike.
using TriggerTargets = std::vector<std::pair<SimRunner*, TieredInterval>>;

struct SimRunner {
    SimRunner(std::unique_ptr<SimProxy> p, GroupPath g, SimType t, Json m)
        : proxy(std::move(p)), sid(proxy->sid()), group(std::move(g)), depth(group.size() + 1), type(t),
          meta(std::move(m)) {}

    std::unique_ptr<SimProxy> proxy;
    std::size_t start_order = 0;  // its place among the world's simulators
    std::string sid;
    GroupPath group;
    std::size_t depth;
    SimType type;
    Json meta;
    std::map<std::string, ModelAttrs> model_attrs;       // by model name

    // Schedule and progress.
    std::set<TieredTime> next_steps;  // ordered and without duplicates, as mosaik's heap is used
    // The node of the step taken last, kept for the next one to be scheduled: most simulators
    // hold one or two steps, and a node allocated and freed at every step was a tenth of the
    // allocations of a trivial in-process step.
    std::set<TieredTime>::node_type spare_step;
    TieredTime progress;
    std::optional<TieredTime> current_step;
    TieredTime last_step;
    std::optional<TieredTime> output_time;
    bool newer_step = false;
    bool in_step = false;
    bool stopped = false;
    std::int64_t steps_done = 0;

    // Dataflow (World::connect).
    std::map<SimRunner*, TieredInterval> input_delays;
    // While connecting: eid -> attrs, in order; an attribute appears once per connection, as in
    // mosaik's request. When the run starts it becomes output_layout, the request of get_data.
    std::vector<std::pair<std::string, std::vector<std::string>>> output_request;
    KeyIndex output_request_index;  // positions in output_request by eid
    std::size_t last_node = 0;      // the entity graph's node of its entity connected last
    OutputRequest output_layout;
    // By source and delay, in connect order: the order of the inputs' keys (mosaik keeps a set
    // of pairs, in an order Python's hashing leaves open). A repeated link delivers its value to
    // the same key again, which changes nothing.
    std::map<SimDelay, std::vector<PullLink>> pulled_inputs;
    std::vector<PullGroup> pull_plan;            // pulled_inputs compiled when the run starts
    std::vector<std::string> pull_dest_eids;     // the entities receiving pulled inputs, by slot
    std::vector<std::string> pull_dest_attrs;    // the attributes they receive, by PullFlow::dest_attr
    std::int64_t max_pull_shift = 0;
    Json pull_skeleton;                      // the inputs of steps with pulled values only
    std::vector<Json*> pull_skeleton_values;  // where each flow of pull_plan goes in it
    // Steps with pulled values only that an in-process simulator reads in place: each flow's
    // place among the skeleton's values (in its order), the values of the step, and the cache
    // entries they are in, held until the step ends.
    std::vector<std::uint32_t> pull_places;
    std::vector<const Json*> pull_values;
    std::vector<std::shared_ptr<const Outputs>> pull_holds;
    bool pulled_in_place = false;  // this step's inputs are pull_values, not the skeleton's
    Json step_inputs;                        // the inputs of other steps
    std::map<EntityAttr, std::vector<PushTarget>> output_to_push;
    JsonObject persistent_inputs;  // dest_eid -> attr -> src_full_id -> value
    std::map<SimRunner*, TieredInterval> successors;
    std::map<SimRunner*, TieredInterval> successors_to_wait_for;
    // Triggering outputs: the distinct target lists, and for each list its ports (an entity's
    // position in output_request and the attribute's first position in its list).
    std::vector<TriggerTargets> trigger_targets;
    std::vector<std::vector<Outputs::Hint>> trigger_ports;
    // While connecting: each port's list (in the order the ports were first connected, found
    // through trigger_port_index by the port), and each list's id by its contents
    // (trigger_list_key).
    std::vector<std::pair<std::pair<std::size_t, std::size_t>, std::size_t>> trigger_list_of_port;
    KeyIndex trigger_port_index;
    std::map<std::string, std::size_t> trigger_list_ids;
    std::size_t last_trigger_list = static_cast<std::size_t>(-1);
    std::map<SimRunner*, TieredInterval> triggering_ancestors;  // only where TriggerGraph is not exact
    std::int64_t oldest_read = 0;  // the oldest output time it may still read from its sources (prune_cache)
    bool touched = false;                     // listed in World::Impl::touched

    // Data.
    // The cache, by insertion. An entry is shared: a step reading pulled values in place holds
    // the entries it reads until it ends, even if a same-time sub-step replaces one meanwhile.
    std::optional<std::deque<std::pair<std::int64_t, std::shared_ptr<Outputs>>>> outputs;
    // An entry pruned while nobody held it, emptied, for the next outputs to move into: one
    // allocation less per step.
    std::shared_ptr<Outputs> spare_outputs;
    std::deque<TimedInput> timed_inputs;                                // kept sorted by (time, seq)
    std::uint64_t timed_seq = 0;
    JsonObject inputs_from_set_data;
    Outputs data;  // the last outputs, when there is no cache

    /// The position of `eid` in output_request, appended with no attributes if it is not there.
    std::size_t request_entity(const std::string& eid) {
        const auto key_at = [this](std::size_t i) -> std::string_view { return output_request[i].first; };
        if (const auto found = output_request_index.find(eid, key_at)) return *found;
        output_request.emplace_back(eid, std::vector<std::string>{});
        output_request_index.add(eid, output_request.size() - 1);
        return output_request.size() - 1;
    }

    /// (t, 0, ...) at this simulator's depth.
    [[nodiscard]] TieredTime at(std::int64_t t) const { return TieredTime::at(t, depth); }
    [[nodiscard]] std::string full_id(std::string_view eid) const { return join_full_id(sid, eid); }

    /// mosaik's schedule_step: ignores duplicates, notes an earlier head. False for a duplicate.
    bool schedule_step(const TieredTime& t) {
        if (next_steps.count(t)) return false;
        const bool earlier = next_steps.empty() || t < *next_steps.begin();
        if (spare_step) {
            spare_step.value() = t;
            next_steps.insert(std::move(spare_step));
        } else {
            next_steps.insert(t);
        }
        if (earlier) newer_step = true;
        return true;
    }

    /// The newest cached output whose time is at most `t` (mosaik scans by insertion, newest
    /// first), or nullptr.
    [[nodiscard]] const Outputs* output_for(std::int64_t t) const { return shared_output_for(t).get(); }
    /// The same, shared.
    [[nodiscard]] std::shared_ptr<const Outputs> shared_output_for(std::int64_t t) const {
        if (!outputs) return nullptr;
        for (auto it = outputs->rbegin(); it != outputs->rend(); ++it) {
            if (it->first <= t) return it->second;
        }
        return nullptr;
    }

    void add_timed_input(TimedInput input) {
        input.seq = timed_seq++;
        auto pos = timed_inputs.end();
        while (pos != timed_inputs.begin() && std::prev(pos)->time > input.time) --pos;
        timed_inputs.insert(pos, std::move(input));
    }
};

inline bool operator<(const SimDelay& a, const SimDelay& b) {
    if (a.sim != b.sim) return a.sim->start_order < b.sim->start_order;
    if (a.delay.tiers() != b.delay.tiers()) return a.delay.tiers() < b.delay.tiers();
    return a.delay.cutoff() < b.delay.cutoff();
}

}  // namespace mas::mosaik::detail
