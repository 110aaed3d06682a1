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
#include <tuple>
#include <utility>
#include <vector>

#include "mas/core/json.hpp"
#include "mas/mosaik/meta.hpp"
#include "mas/mosaik/outputs.hpp"
#include "mas/mosaik/orchestrator/model_attrs.hpp"
#include "mas/mosaik/orchestrator/sim_proxy.hpp"
#include "mas/mosaik/orchestrator/tiered_time.hpp"

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
struct PullFlow {
    EntityAttr from;
    EntityAttr to;
    std::string src_full_id;
    Outputs::Hint hint;       // the positions of from.first and from.second in the source's output request
    std::size_t dest_slot;    // which of the destination entities (PullGroup::dest_eids) it goes to
};

/// The pulled inputs from one source over one delay.
struct PullGroup {
    SimRunner* src;
    std::int64_t shift;  // the delay's time shift
    std::vector<PullFlow> flows;
};

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
    std::map<std::string, std::string> entity_models;    // eid (incl. children) -> model

    // Schedule and progress.
    std::set<TieredTime> next_steps;  // ordered and without duplicates, as mosaik's heap is used
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
    std::vector<std::pair<std::string, std::vector<std::string>>> output_request;  // eid -> attrs, in order
    OutputRequest output_layout;  // output_request, read, made when the run starts
    Json output_request_json;     // output_request as get_data's argument, made then too
    std::map<SimDelay, std::set<std::pair<EntityAttr, EntityAttr>>> pulled_inputs;
    std::vector<PullGroup> pull_plan;            // pulled_inputs compiled when the run starts
    std::vector<std::string> pull_dest_eids;     // the entities receiving pulled inputs, by slot
    std::int64_t max_pull_shift = 0;
    Json pull_skeleton;                      // the inputs of steps with pulled values only
    std::vector<Json*> pull_skeleton_values;  // where each flow of pull_plan goes in it
    Json step_inputs;                        // the inputs of other steps
    std::map<EntityAttr, std::vector<PushTarget>> output_to_push;
    JsonObject persistent_inputs;  // dest_eid -> attr -> src_full_id -> value
    std::map<SimRunner*, TieredInterval> successors;
    std::map<SimRunner*, TieredInterval> successors_to_wait_for;
    std::map<EntityAttr, std::vector<std::pair<SimRunner*, TieredInterval>>> triggers;
    std::map<SimRunner*, TieredInterval> triggering_ancestors;

    // Data.
    std::optional<std::deque<std::pair<std::int64_t, Outputs>>> outputs;  // the cache, by insertion
    std::deque<TimedInput> timed_inputs;                                // kept sorted by (time, seq)
    std::uint64_t timed_seq = 0;
    JsonObject inputs_from_set_data;
    Outputs data;  // the last outputs, when there is no cache

    /// (t, 0, ...) at this simulator's depth.
    [[nodiscard]] TieredTime at(std::int64_t t) const { return TieredTime::at(t, depth); }
    [[nodiscard]] std::string full_id(const std::string& eid) const { return sid + "." + eid; }

    /// mosaik's schedule_step: ignores duplicates, notes an earlier head.
    void schedule_step(const TieredTime& t) {
        if (next_steps.count(t)) return;
        const bool earlier = next_steps.empty() || t < *next_steps.begin();
        next_steps.insert(t);
        if (earlier) newer_step = true;
    }

    /// The newest cached output whose time is at most `t` (mosaik scans by insertion, newest
    /// first), or nullptr.
    [[nodiscard]] const Outputs* output_for(std::int64_t t) const {
        if (!outputs) return nullptr;
        for (auto it = outputs->rbegin(); it != outputs->rend(); ++it) {
            if (it->first <= t) return &it->second;
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
