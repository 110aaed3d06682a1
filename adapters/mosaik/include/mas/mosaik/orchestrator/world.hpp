#pragma once
/// \file
/// World: a mosaik scenario in C++ — start simulators, create entities, connect them, run until a
/// time with mosaik 3.3's scheduling rules (mosaik's scenario.World and scheduler).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <asio/awaitable.hpp>

#include "mas/core/error.hpp"
#include "mas/core/json.hpp"
#include "mas/mosaik/orchestrator/sim_proxy.hpp"
#include "mas/mosaik/orchestrator/tiered_time.hpp"

namespace mas::mosaik {

/// A dataflow cycle without a time shift or weak connection, which run() finds before the first
/// step. sids() is the cycle, its first simulator repeated at the end, so that a caller can point
/// at the connections that close it.
class CycleError : public ConfigError {
public:
    CycleError(const std::string& what, std::vector<std::string> sids) : ConfigError(what), sids_(std::move(sids)) {}
    [[nodiscard]] const std::vector<std::string>& sids() const noexcept { return sids_; }

private:
    std::vector<std::string> sids_;
};

/// A run ended early on request (World::interrupt, mas-run's SIGINT and SIGTERM). Every simulator
/// got `stop` first, so what they had written stays.
class Interrupted : public Error {
public:
    using Error::Error;
};

/// Options of a World (mosaik's World(...) arguments).
struct WorldOptions {
    WorldOptions() noexcept {}
    double time_resolution = 1.0;
    /// Sub-steps of a same-time loop before the run fails.
    std::int64_t max_loop_iterations = 100;
    /// Cache persistent outputs and pull them (mosaik's cache=True).
    bool cache = true;
    /// How long a simulator may take to answer init (mosaik's start_timeout).
    std::chrono::steady_clock::duration start_timeout = std::chrono::seconds(10);
    /// How long one `step` (with the simulator's async requests) or `get_data` may take before
    /// the run fails with a SimulationError; none waits forever, as mosaik does. The call is
    /// abandoned, so a simulator in another process is stopped and, if it does not exit, killed;
    /// an in-process simulator's step must await something that supports cancellation.
    std::optional<std::chrono::steady_clock::duration> step_timeout;
};

/// Options of World::run (mosaik's run(...) arguments other than until).
struct RunOptions {
    RunOptions() noexcept {}
    /// Wall seconds per simulated second; none runs as fast as possible.
    std::optional<double> rt_factor;
    /// With rt_factor: fail (instead of warn) when the run falls behind.
    bool rt_strict = false;
    /// Never run a simulator more than one step ahead of its successors.
    bool lazy_stepping = true;
};

/// Options of World::connect (mosaik's connect(...) keywords).
struct ConnectionOptions {
    ConnectionOptions() noexcept {}
    /// Delay the data by this many steps (mosaik's time_shifted=True is 1).
    std::int64_t time_shifted = 0;
    /// Data for the first steps of time-shifted or weak connections: `{src_attr: value}`.
    JsonObject initial_data;
    /// A same-time connection inside a group: one sub-step later.
    bool weak = false;
    /// The destination may make async requests (get_data, set_data) to the source.
    bool async_requests = false;
};

/// "sid.eid", in one allocation (sid + "." + eid takes two for an id past the inline size).
[[nodiscard]] inline std::string join_full_id(std::string_view sid, std::string_view eid) {
    std::string id;
    id.reserve(sid.size() + 1 + eid.size());
    id.append(sid).append(1, '.').append(eid);
    return id;
}

/// One created entity, as the scenario refers to it.
struct EntityRef {
    EntityRef(std::string sid, std::string eid, std::string type) : sid(std::move(sid)), eid(std::move(eid)), type(std::move(type)) {}
    std::string sid;
    std::string eid;
    std::string type;
    std::vector<EntityRef> children;
    /// "sid.eid"
    [[nodiscard]] std::string full_id() const { return join_full_id(sid, eid); }
};

/// What happened in one step, for progress displays and traces.
struct StepRecord {
    StepRecord() noexcept {}
    std::string sid;
    TieredTime time;
    Json inputs;
    std::int64_t max_advance = 0;
    std::optional<std::int64_t> next_step;
    std::chrono::steady_clock::time_point start;
    std::chrono::steady_clock::time_point end;
    /// The run's progress in percent after this step (as get_progress reports it).
    double progress = 0;
};

/// A scenario. Use it on one executor: add simulators, create and connect entities, then run once
/// and shut down (run does that itself at the end or on failure). Every operation that talks to a
/// simulator throws SimulationError when it fails; scenario mistakes are mas::ConfigError.
class World {
public:
    explicit World(WorldOptions options = {});
    ~World();
    World(const World&) = delete;
    World& operator=(const World&) = delete;

    /// Takes a started simulator into the world (in group `group`), sends `init` with the world's
    /// time_resolution and `sim_params`, and checks its meta. Throws mas::ConfigError for a
    /// duplicate id or a meta mosaik would reject.
    asio::awaitable<Json> add_simulator(std::unique_ptr<SimProxy> proxy, JsonObject sim_params = {},
                                        GroupPath group = {});
    /// Creates `num` entities of `model` (public, params declared) on simulator `sid`.
    asio::awaitable<std::vector<EntityRef>> create(const std::string& sid, std::int64_t num, const std::string& model,
                                                   JsonObject model_params = {});
    /// Connects `src`'s output attributes to `dest`'s inputs: pairs (src_attr, dest_attr). Throws
    /// mas::ConfigError listing every problem (unknown attributes, missing initial data, weak
    /// outside a group...).
    void connect(const EntityRef& src, const EntityRef& dest, const std::vector<std::pair<std::string, std::string>>& attrs,
                 const ConnectionOptions& options = {});
    /// Replaces the first steps of `sid` with `time` (to start event-based simulators).
    void set_initial_event(const std::string& sid, std::int64_t time = 0);
    /// Calls an extra method the simulator's meta declares.
    asio::awaitable<Json> call_extra(const std::string& sid, const std::string& method, JsonArray args = {},
                                     JsonObject kwargs = {});

    /// Sends setup_done to all, runs every simulator until `until` (exclusive), then stops all.
    /// Throws CycleError for dataflow cycles without a time shift or weak edge, and
    /// SimulationError if a simulator fails (all simulators are stopped first).
    asio::awaitable<void> run(std::int64_t until, RunOptions options = {});
    /// Sends stop to every simulator still running, one after another. Never throws.
    asio::awaitable<void> shutdown();
    /// Ends run() early, as a failing simulator would but blaming none: no new step starts, steps
    /// in flight finish (or end with their connection), every simulator gets `stop`, and run()
    /// throws Interrupted("<reason> at time <t>"), t being the time every simulator has
    /// completed. Before run(), run() throws it at once. Only the first call counts. Use it on the
    /// world's executor (a signal handler there, say).
    void interrupt(const std::string& reason);
    /// Whether interrupt() has been called.
    [[nodiscard]] bool interrupted() const noexcept;

    /// Called after every step (on the world's executor). Without `with_inputs` the record's
    /// inputs are null, which spares a copy of every step's inputs.
    void on_step(std::function<void(const StepRecord&)> observer, bool with_inputs = true);
    /// The simulation's progress in percent (mosaik's get_progress).
    [[nodiscard]] double progress() const;
    /// The entity graph as get_related_entities() without argument returns it.
    [[nodiscard]] Json entity_graph() const;
    /// Steps each simulator has performed, by sid, in start order.
    [[nodiscard]] std::vector<std::pair<std::string, std::int64_t>> step_counts() const;

    class Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace mas::mosaik
