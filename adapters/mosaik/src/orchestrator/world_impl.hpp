#pragma once
// World::Impl: the scenario and run state shared by world.cpp (building the scenario),
// scheduler.cpp (running it) and remote_service.cpp (simulators' async requests).

#include <chrono>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include "mas/mosaik/orchestrator/world.hpp"
#include "orchestrator/entity_graph.hpp"
#include "orchestrator/sim_runner.hpp"
#include "orchestrator/trigger_graph.hpp"
#include "orchestrator/wake_list.hpp"

namespace mas::mosaik {

class World::Impl {
public:
    explicit Impl(WorldOptions o) : options(std::move(o)) {}

    WorldOptions options;
    std::vector<std::unique_ptr<detail::SimRunner>> sims;  // in start order
    std::map<std::string, detail::SimRunner*> by_sid;

    detail::EntityGraph graph;
    /// The graph's node of a created entity; throws mas::ConfigError for an unknown one.
    [[nodiscard]] std::size_t entity_node(const EntityRef& entity, detail::SimRunner& sim) const;

    // World::connect (world_connect.cpp).
    using AttrPairs = std::vector<std::pair<std::string, std::string>>;
    /// What a connection's simulators, models, attributes and options decide, for every pair of
    /// entities connected alike.
    struct ConnectPlan {
        detail::SimRunner* src;
        detail::SimRunner* dest;
        const std::string* src_model;  // interned by the entity graph
        const std::string* dest_model;
        AttrPairs attrs;
        ConnectionOptions options;
        TieredInterval delay;
        TieredInterval successor;
        struct Kind {
            bool persistent;
            bool pulled;
            bool trigger;
            const Json* initial;  // in options.initial_data, or nullptr
        };
        std::vector<Kind> kinds;  // one per attribute pair
        std::vector<detail::PullLink>* pulls = nullptr;  // dest's pulled_inputs from src over delay
        [[nodiscard]] bool fits(const detail::SimRunner& src, const detail::SimRunner& dest, const std::string* src_model,
                                const std::string* dest_model, const AttrPairs& attrs,
                                const ConnectionOptions& options) const;
    };
    std::optional<ConnectPlan> last_plan;
    /// Checks a connection as mosaik does; throws mas::ConfigError listing every problem.
    ConnectPlan plan_connection(detail::SimRunner& src_sim, detail::SimRunner& dest_sim, const EntityRef& src,
                                const EntityRef& dest, const std::string* src_model, const std::string* dest_model,
                                const AttrPairs& attrs, const ConnectionOptions& connection);
    void begin_connections(ConnectPlan& plan);
    void connect_pair(const ConnectPlan& plan, const EntityRef& src, const EntityRef& dest);
    JsonObject& persistent_input(detail::SimRunner& dest, const std::string& eid, const std::string& attr);
    /// Notes that `port` (an entity's place in src's output request, the attribute's in its list)
    /// triggers `dest` after `delay`.
    void add_trigger(detail::SimRunner& src, std::pair<std::size_t, std::size_t> port, detail::SimRunner& dest,
                     const TieredInterval& delay);

    // Run state.
    bool ran = false;
    bool stopped = false;
    std::int64_t until = 0;
    RunOptions run_options;
    std::optional<double> rt_factor;  // wall seconds per integer step
    std::chrono::steady_clock::time_point rt_start;
    std::chrono::steady_clock::time_point rt_last_warning;  // of "behind real time"
    double rt_worst_behind = 0;                             // seconds, since that warning
    double sim_progress = 0;
    std::exception_ptr failure;
    bool interrupted = false;
    std::function<void(const StepRecord&)> observer;
    bool observer_inputs = false;  // the observer gets each step's inputs

    // A simulator process waits for its own progress or schedule, and for its neighbours'
    // progress (wait_for_dependencies). notify() re-checks the waiters of the simulators whose
    // progress or schedule changed since the last call and of their neighbours; after a failure
    // all of them wake (and end).
    detail::WakeList wake;
    std::vector<detail::SimRunner*> touched;  // progress or newer_step changed since notify()
    std::vector<std::vector<std::size_t>> watchers;  // by start order: whose waits look at it
    std::vector<std::size_t> notify_keys;           // notify()'s list, kept to reuse its memory
    void notify();
    void touch(detail::SimRunner& sim);
    void build_watchers();
    /// Returns once `condition` of `sim`'s process holds; throws SimulationError if the run has
    /// failed meanwhile.
    asio::awaitable<void> wait_until(const detail::SimRunner& sim, const detail::WakeList::Condition& condition);

    // Earliest trigger times (progress and max_advance) and the mean progress.
    detail::TriggerGraph triggers;
    std::int64_t progress_total = 0;  // the sum of every simulator's progress time
    /// mosaik's schedule_step, telling the trigger graph and the waiters.
    void schedule(detail::SimRunner& sim, const TieredTime& t);

    [[nodiscard]] detail::SimRunner& sim(const std::string& sid) const;
    /// Handles async request `method` of `caller` (remote_service.cpp).
    asio::awaitable<Json> handle_request(detail::SimRunner& caller, const std::string& method, const JsonArray& args,
                                         const JsonObject& kwargs);

    // Scheduler (scheduler.cpp).
    asio::awaitable<void> run(std::int64_t until, RunOptions options);
    asio::awaitable<void> sim_process(detail::SimRunner& sim);
    /// The real-time ticker of a run: its timer, and whether the run still wants ticks.
    struct RtTicker {
        explicit RtTicker(const asio::any_io_executor& executor) : timer(executor) {}
        asio::steady_timer timer;
        bool running = true;
    };
    asio::awaitable<void> rt_tick(std::shared_ptr<RtTicker> ticker);
    asio::awaitable<void> stop_all();
    void advance_progress(detail::SimRunner& sim);
    /// advance_progress of every simulator whose progress can have moved.
    void advance_all();
    [[nodiscard]] TieredTime progress_limit(const detail::SimRunner& sim) const;
    /// Whether the sim's next step is settled now (and before until).
    [[nodiscard]] bool step_settled(const detail::SimRunner& sim) const;
    /// Waits until the next step is settled; false once the sim has progressed to until.
    asio::awaitable<bool> next_step_settled(detail::SimRunner& sim);
    /// Whether the sim's predecessors and the successors it waits for allow its next step.
    [[nodiscard]] bool dependencies_done(const detail::SimRunner& sim) const;
    asio::awaitable<void> wait_for_dependencies(detail::SimRunner& sim);
    /// The inputs of the sim's current step, valid until its next step.
    const Json& input_data(detail::SimRunner& sim);
    void build_pull_skeleton(detail::SimRunner& sim);
    /// Points the sim's pull_values at this step's pulled values, holding the cache entries.
    void point_at_pulled_values(detail::SimRunner& sim, std::int64_t now);
    /// The value of `port` (an entity's attribute) in `sim`'s `outputs`, found by its place in
    /// the request.
    static const Json* port_value(const detail::SimRunner& sim, const Outputs& outputs, const Outputs::Hint& port);
    /// A pulled value from `cache` (the source's output for the step), or nullptr (warned).
    [[nodiscard]] const Json* pulled_value(const detail::SimRunner& sim, const detail::PullGroup& group,
                                           const detail::PullFlow& flow, const Outputs* cache, std::int64_t now) const;
    [[nodiscard]] std::int64_t max_advance(detail::SimRunner& sim);
    asio::awaitable<void> step(detail::SimRunner& sim, StepRecord& record, const Json& inputs);
    /// Fetches and stores the outputs; returns them (valid until the cache is next pruned), or
    /// nullptr if nobody reads any.
    asio::awaitable<const Outputs*> get_outputs(detail::SimRunner& sim);
    /// `call`, failing with a SimulationError after options.step_timeout (which must be set).
    template <class T>
    asio::awaitable<T> within_step_timeout(const detail::SimRunner& sim, asio::awaitable<T> call, const char* method,
                                           std::optional<std::int64_t> time = std::nullopt);
    void notify_dependencies(detail::SimRunner& sim, const Outputs& outputs);
    void update_oldest_read(detail::SimRunner& sim);
    /// Drops the entries of sim's cache that none of its successors can read any more.
    void prune_cache(detail::SimRunner& sim);
    void check_cycles() const;
    void compile_pulls(detail::SimRunner& sim);
    void compile_triggers(detail::SimRunner& sim);
    std::vector<JsonObject*> pull_slots;  // input_data's destination entities, kept to reuse its memory
    void cache_triggering_ancestors();
};

}  // namespace mas::mosaik
