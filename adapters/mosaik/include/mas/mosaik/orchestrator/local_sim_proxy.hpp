#pragma once
/// \file
/// LocalSimProxy: a C++ simulator run in the orchestrator's own process (mosaik's LocalProxy).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <asio/awaitable.hpp>

#include "mas/core/json.hpp"
#include "mas/mosaik/orchestrator/sim_proxy.hpp"
#include "mas/mosaik/simulator.hpp"

namespace mas::mosaik {

/// A Simulator called directly, without encoding anything, with the checks serve() makes for a
/// remote one: the meta is completed with the exposed extra methods and validated
/// (Meta::validate), create checks the model and its params, step rejects a time before the
/// previous one. The simulator's requests through Simulator::mosaik() go straight to the
/// AsyncRequestHandler; its exceptions reach the simulator as MosaikError with the failure
/// content `[type_name, message, traceback...]`. Every call runs on the caller's executor and
/// turns an exception (of the simulator or of a check) into SimulationError named like a remote
/// one: `Simulator "<sid>" failed in <method>: <type>: <message>`, with that failure content.
class LocalSimProxy final : public SimProxy {
public:
    /// Takes over `sim` (not null) as simulator `sid`.
    LocalSimProxy(std::string sid, std::unique_ptr<Simulator> sim);
    /// Detaches the simulator from mosaik and destroys it; finalize() is only called by stop().
    ~LocalSimProxy() override;
    LocalSimProxy(const LocalSimProxy&) = delete;
    LocalSimProxy& operator=(const LocalSimProxy&) = delete;

    [[nodiscard]] const std::string& sid() const noexcept override;
    /// Awaits the simulator's prepare() before its first init, then init.
    asio::awaitable<Json> init(double time_resolution, JsonObject sim_params) override;
    asio::awaitable<Json> create(std::int64_t num, std::string model, JsonObject model_params) override;
    asio::awaitable<std::vector<Entity>> create_entities(std::int64_t num, std::string model,
                                                         JsonObject model_params) override;
    asio::awaitable<void> setup_done() override;
    /// Inputs that do not have mosaik's shape are a SimulationError. They are read in place;
    /// with `same_shape`, inputs read at an earlier step are not checked and indexed again.
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const Json& inputs, std::int64_t max_advance,
                                                      bool same_shape) override;
    /// Reads the values in place: the simulator's Inputs are Inputs::pulled, same_shape() at
    /// every step after the first with the same tree.
    asio::awaitable<std::optional<std::int64_t>> step_pulled(std::int64_t time, Json& tree,
                                                             std::span<const Json* const> values,
                                                             std::int64_t max_advance) override;
    asio::awaitable<Json> get_data(const Json& outputs) override;
    /// The simulator's Outputs as it made them (laid out by `request` if it used it), with no
    /// JSON in between.
    asio::awaitable<Outputs> get_outputs(const OutputRequest& request) override;
    /// An extra method the simulator exposed; another name is a SimulationError (KeyError).
    asio::awaitable<Json> call_extra(std::string method, JsonArray args, JsonObject kwargs) override;
    /// Calls finalize() once (an exception is logged). Idempotent; never throws.
    asio::awaitable<void> stop() override;
    void set_request_handler(AsyncRequestHandler handler) override;

    /// The simulator itself.
    [[nodiscard]] Simulator& simulator() noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace mas::mosaik
