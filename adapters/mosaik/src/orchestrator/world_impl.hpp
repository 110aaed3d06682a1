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
#include "orchestrator/sim_runner.hpp"
#include "orchestrator/wake_list.hpp"

namespace mas::mosaik {

class World::Impl {
public:
    explicit Impl(WorldOptions o) : options(std::move(o)) {}

    WorldOptions options;
    std::vector<std::unique_ptr<detail::SimRunner>> sims;  // in start order
    std::map<std::string, detail::SimRunner*> by_sid;

    // The entity graph (mosaik's networkx Graph): nodes in insertion order, undirected edges.
    JsonObject nodes;
    std::vector<std::pair<std::string, std::string>> edges;
    std::set<std::pair<std::string, std::string>> edge_set;
    void add_edge(const std::string& a, const std::string& b);
    [[nodiscard]] std::vector<std::string> neighbours(const std::string& full_id) const;

    // Run state.
    bool ran = false;
    bool stopped = false;
    std::int64_t until = 0;
    RunOptions run_options;
    std::optional<double> rt_factor;  // wall seconds per integer step
    std::chrono::steady_clock::time_point rt_start;
    double sim_progress = 0;
    std::exception_ptr failure;
    std::function<void(const StepRecord&)> observer;
    bool observer_inputs = false;  // the observer gets each step's inputs

    // Every change of the schedule re-checks what the waiting simulator processes wait for; after
    // a failure all of them wake (and end).
    detail::WakeList wake;
    void notify();
    /// Returns once `condition` holds; throws SimulationError if the run has failed meanwhile.
    asio::awaitable<void> wait_until(const detail::WakeList::Condition& condition);

    [[nodiscard]] detail::SimRunner& sim(const std::string& sid) const;
    /// Handles async request `method` of `caller` (remote_service.cpp).
    asio::awaitable<Json> handle_request(detail::SimRunner& caller, const std::string& method, const JsonArray& args,
                                         const JsonObject& kwargs);

    // Scheduler (scheduler.cpp).
    asio::awaitable<void> run(std::int64_t until, RunOptions options);
    asio::awaitable<void> sim_process(detail::SimRunner& sim);
    asio::awaitable<void> rt_tick(asio::steady_timer& timer);
    asio::awaitable<void> stop_all();
    void advance_progress(detail::SimRunner& sim);
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
    /// A pulled value from `cache` (the source's output for the step), or nullptr (warned).
    [[nodiscard]] const Json* pulled_value(const detail::SimRunner& sim, const detail::PullGroup& group,
                                           const detail::PullFlow& flow, const Outputs* cache, std::int64_t now) const;
    [[nodiscard]] std::int64_t max_advance(const detail::SimRunner& sim) const;
    asio::awaitable<void> step(detail::SimRunner& sim, StepRecord& record, const Json& inputs);
    /// Fetches and stores the outputs; returns them (valid until the cache is next pruned), or
    /// nullptr if nobody reads any.
    asio::awaitable<const Outputs*> get_outputs(detail::SimRunner& sim);
    /// `call`, failing with a SimulationError after options.step_timeout (which must be set).
    template <class T>
    asio::awaitable<T> within_step_timeout(const detail::SimRunner& sim, asio::awaitable<T> call, const char* method,
                                           std::optional<std::int64_t> time = std::nullopt);
    void notify_dependencies(detail::SimRunner& sim, const Outputs& outputs);
    void prune_cache();
    void check_cycles() const;
    void compile_pulls(detail::SimRunner& sim);
    std::vector<JsonObject*> pull_slots;  // input_data's destination entities, kept to reuse its memory
    void cache_triggering_ancestors();
};

}  // namespace mas::mosaik
