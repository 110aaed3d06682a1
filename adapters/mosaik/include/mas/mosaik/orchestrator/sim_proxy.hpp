#pragma once
/// \file
/// SimProxy: the orchestrator's handle on one simulator, in-process or remote, behind one
/// interface (mosaik's proxies.py).

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "mas/core/error.hpp"
#include "mas/core/json.hpp"
#include "mas/mosaik/entity.hpp"
#include "mas/mosaik/outputs.hpp"

namespace mas::mosaik {

/// A simulator failed or broke the protocol: it did not start or connect in time, crashed, closed
/// its connection, sent a failure reply, returned malformed data, or hung past a timeout. The
/// message names the simulator id and the reason; a failure reply's content is kept.
class SimulationError : public Error {
public:
    SimulationError(std::string sid, const std::string& what, Json remote_failure = Json())
        : Error(what), sid_(std::move(sid)), remote_failure_(std::move(remote_failure)) {}
    /// The simulator's id, e.g. "ExampleSim-0".
    [[nodiscard]] const std::string& sid() const noexcept { return sid_; }
    /// For a failure reply, its content `[type, message, traceback lines...]`; else null.
    [[nodiscard]] const Json& remote_failure() const noexcept { return remote_failure_; }

private:
    std::string sid_;
    Json remote_failure_;
};

/// Answers a simulator's async request (`get_progress`, `get_related_entities`, `get_data`,
/// `set_data`, `set_event`) made during its step: `(method, args, kwargs) -> result`. An exception
/// becomes the failure reply `[type_name, message, traceback...]` the simulator receives.
using AsyncRequestHandler =
    std::function<asio::awaitable<Json>(const std::string& method, const JsonArray& args, const JsonObject& kwargs)>;

/// One simulator as the orchestrator sees it. Calls are made one at a time (mosaik never has two
/// requests pending on one simulator) on the orchestrator's executor. Every call throws
/// SimulationError on failure; none hangs when the simulator goes away.
class SimProxy {
public:
    virtual ~SimProxy() = default;

    /// The simulator id given at start, e.g. "ExampleSim-0".
    [[nodiscard]] virtual const std::string& sid() const noexcept = 0;

    /// `init(sid, time_resolution=..., **sim_params)`; returns the meta as the simulator sent it.
    virtual asio::awaitable<Json> init(double time_resolution, JsonObject sim_params) = 0;
    /// `create(num, model, **model_params)`; returns the list of entity dicts.
    virtual asio::awaitable<Json> create(std::int64_t num, std::string model, JsonObject model_params) = 0;
    /// create() with the entities as Entity objects. This default reads create()'s JSON (a reply
    /// that is not a list, or an entry without string "eid" and "type", or whose "rel" or
    /// "children" is not a list of ids or entries, is a SimulationError); an in-process simulator
    /// hands over the entities it made.
    virtual asio::awaitable<std::vector<Entity>> create_entities(std::int64_t num, std::string model,
                                                                 JsonObject model_params);
    virtual asio::awaitable<void> setup_done() = 0;
    /// `step(time, inputs, max_advance)`; returns the next step time, or nullopt for `null`.
    /// Async requests the simulator makes meanwhile go to the handler set with
    /// set_request_handler(). A reply that is not an integer or null is a SimulationError.
    /// `inputs` must live until the call has finished (the World reuses them between steps).
    /// `same_shape` says that `inputs` is the object given to an earlier step, changed since in
    /// its values only: an in-process simulator then reads it without checking its shape again.
    virtual asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const Json& inputs,
                                                              std::int64_t max_advance, bool same_shape) = 0;
    /// step() of inputs made of pulled values only, handed over without copying them: `tree`
    /// has their keys (its values are stale) and `values` their values, one per source in the
    /// tree's order (nullptr: null); all must live until the call has finished. This default
    /// writes the values into the tree and calls step() with it, flagged same_shape (the World
    /// hands the same tree at every such step); an in-process simulator reads them in place.
    virtual asio::awaitable<std::optional<std::int64_t>> step_pulled(std::int64_t time, Json& tree,
                                                                     std::span<const Json* const> values,
                                                                     std::int64_t max_advance);
    /// `get_data(outputs)`; returns `{eid: {attr: value}}`, possibly with "time". `outputs` must
    /// live until the call has finished (the World asks for the same outputs at every step).
    virtual asio::awaitable<Json> get_data(const Json& outputs) = 0;
    /// The World's `get_data` at each step (`request` must live until the call has finished).
    /// This default calls get_data with the request's JSON, made once for a request asked for
    /// again, and reads the JSON reply (Outputs::from_json; a reply that is not a dict, or whose
    /// "time" is not an integer, is a SimulationError); an in-process simulator's Outputs come
    /// back as it made them.
    virtual asio::awaitable<Outputs> get_outputs(const OutputRequest& request);
    /// An extra method declared in the meta, with the scenario's arguments.
    virtual asio::awaitable<Json> call_extra(std::string method, JsonArray args, JsonObject kwargs) = 0;
    /// `stop`: a remote simulator gets `["stop", [], {}]`, is given a short time to close (mosaik
    /// waits 0.1 s), then its connection is closed and its process, if the orchestrator started
    /// one, is waited for and killed if it does not exit; an in-process one gets finalize().
    /// Idempotent; never throws (problems are logged).
    virtual asio::awaitable<void> stop() = 0;

    /// Sets who answers this simulator's async requests.
    virtual void set_request_handler(AsyncRequestHandler handler) = 0;

private:
    // get_outputs' JSON of the request asked for last: the World asks for the same at every step.
    const OutputRequest* json_of_ = nullptr;
    Json request_json_;
};

}  // namespace mas::mosaik
