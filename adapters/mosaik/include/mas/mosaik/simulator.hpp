#pragma once
/// \file
/// Simulator: the base class of a C++ simulator taking part in a mosaik 3 co-simulation.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "mas/core/json.hpp"
#include "mas/mosaik/entity.hpp"
#include "mas/mosaik/inputs.hpp"
#include "mas/mosaik/meta.hpp"
#include "mas/mosaik/mosaik_remote.hpp"
#include "mas/mosaik/outputs.hpp"

namespace mas::mosaik {

/// An extra method: called with the scenario's positional and keyword arguments, returns the
/// value the scenario receives.
using ExtraMethod = std::function<Json(const JsonArray& args, const JsonObject& kwargs)>;

/// Derive from it and override the mosaik API 3 calls; serve() calls them, one at a time, on the
/// channel's executor. An exception thrown by any of them becomes mosaik_api_v3's failure reply
/// `[type_name, message, traceback lines...]`, and mosaik then aborts the simulation.
class Simulator {
public:
    Simulator() = default;
    virtual ~Simulator() = default;
    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;

    /// Called once by serve(), on the channel's executor, before the first request: asynchronous
    /// set-up such as starting a container. An exception ends serve() with it. Default: nothing.
    virtual asio::awaitable<void> prepare() { co_return; }
    /// mosaik's `init(sid, time_resolution=..., **sim_params)`: returns the meta. serve()
    /// validates it (Meta::validate) and adds the exposed extra methods it does not list.
    virtual Meta init(const std::string& sid, double time_resolution, const JsonObject& sim_params) = 0;
    /// `create(num, model, **model_params)`: returns `num` entities. serve() has checked that the
    /// model exists and is public and that every param is declared by the model.
    virtual std::vector<Entity> create(std::int64_t num, const std::string& model,
                                       const JsonObject& model_params) = 0;
    /// `setup_done()`: all entities are created and connected.
    virtual void setup_done() {}
    /// `step(time, inputs, max_advance)`: advance to `time` and return the next self-step time,
    /// or nullopt for none. May await requests to mosaik through mosaik().
    virtual asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const Inputs& inputs,
                                                              std::int64_t max_advance) = 0;
    /// `get_data(outputs)`: the requested attributes (and, if wanted, the output time).
    virtual Outputs get_data(const OutputRequest& request) = 0;
    /// Called once after mosaik's `stop`, before the connection closes.
    virtual void finalize() {}

    /// Makes `method` callable by name from a scenario; it is added to the meta's
    /// extra_methods. Throws mas::ConfigError for a name of the mosaik API.
    void expose_extra(std::string name, ExtraMethod method);
    /// The extra method called `name`, or nullptr.
    [[nodiscard]] const ExtraMethod* find_extra(const std::string& name) const;
    /// The exposed extra method names, in order of exposure.
    [[nodiscard]] std::vector<std::string> extra_names() const;

    /// mosaik, for requests during step(). Throws mas::Error outside serve().
    [[nodiscard]] MosaikRemote& mosaik();
    /// Used by serve(): sets (or, with nullopt, clears) the connection to mosaik.
    void attach(std::optional<MosaikRemote> remote) { remote_ = std::move(remote); }

private:
    std::vector<std::pair<std::string, ExtraMethod>> extras_;
    std::optional<MosaikRemote> remote_;
};

}  // namespace mas::mosaik
