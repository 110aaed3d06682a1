#pragma once
/// \file
/// RemoteSimProxy: a simulator in another process, spoken to over a Channel in mosaik's protocol.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <asio/awaitable.hpp>

#include "mas/channel/channel.hpp"
#include "mas/core/json.hpp"
#include "mas/mosaik/orchestrator/sim_process.hpp"
#include "mas/mosaik/orchestrator/sim_proxy.hpp"

namespace mas::mosaik {

/// Options of a RemoteSimProxy.
struct RemoteSimOptions {
    using Duration = std::chrono::steady_clock::duration;
    RemoteSimOptions() noexcept {}
    /// How long stop() waits for a reply to `stop` (which mosaik_api_v3 never sends) or for the
    /// simulator to close the connection, before closing it itself. mosaik waits 0.1 s.
    Duration stop_reply_wait = std::chrono::milliseconds(100);
    /// How long stop() gives a process the orchestrator started to exit after the connection is
    /// closed, before killing it.
    Duration exit_grace = std::chrono::seconds(2);
};

/// A simulator behind a Channel (mosaik's RemoteProxy). Requests go out exactly as mosaik sends
/// them, `[method, args, kwargs]`: `init` as `[sid]` with `{time_resolution, **sim_params}`,
/// `create` as `[num, model]` with the params, `setup_done` as `[]`, `step` as
/// `[time, inputs, max_advance]`, `get_data` as `[outputs]`, extra methods with the scenario's
/// arguments, and `["stop", [], {}]`. For as long as the channel is open, the simulator's own
/// requests on it are answered one by one with the AsyncRequestHandler (without one, with a
/// failure); the handler's exceptions become failure replies `[type_name, message, traceback...]`.
/// All calls run on the channel's executor and throw SimulationError: for a failure reply (its
/// content kept), for a closed connection, for a reply of the wrong kind, for a value that
/// cannot be encoded. Cancelling a call abandons it; a late reply is dropped.
class RemoteSimProxy final : public SimProxy {
public:
    /// Takes over `channel`, connected to simulator `sid`, and the process the simulator runs in
    /// if the orchestrator started it (else null). Starts answering the simulator's requests.
    /// Call it on the channel's executor.
    RemoteSimProxy(std::string sid, Channel channel, std::unique_ptr<SimProcess> process = nullptr,
                   RemoteSimOptions options = {});
    /// Closes the channel and kills (SIGKILL) and reaps a process that has not exited. Never throws.
    ~RemoteSimProxy() override;
    RemoteSimProxy(const RemoteSimProxy&) = delete;
    RemoteSimProxy& operator=(const RemoteSimProxy&) = delete;

    [[nodiscard]] const std::string& sid() const noexcept override;
    /// The meta; a reply that is not an object is a SimulationError.
    asio::awaitable<Json> init(double time_resolution, JsonObject sim_params) override;
    /// The entity list; a reply that is not a list is a SimulationError.
    asio::awaitable<Json> create(std::int64_t num, std::string model, JsonObject model_params) override;
    asio::awaitable<void> setup_done() override;
    /// Sends the inputs whole at every step (`same_shape` does not matter here).
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const Json& inputs, std::int64_t max_advance,
                                                      bool same_shape) override;
    /// The data; a reply that is not an object is a SimulationError.
    asio::awaitable<Json> get_data(const Json& outputs) override;
    asio::awaitable<Json> call_extra(std::string method, JsonArray args, JsonObject kwargs) override;
    /// Sends `["stop", [], {}]`, waits up to `stop_reply_wait` for a reply or for the simulator
    /// to close, closes the channel, then waits up to `exit_grace` for a started process to exit
    /// and kills it otherwise; the process is reaped in any case. Idempotent; never throws.
    asio::awaitable<void> stop() override;
    void set_request_handler(AsyncRequestHandler handler) override;

    /// The channel to the simulator.
    [[nodiscard]] const Channel& channel() const noexcept;
    /// The simulator's process if the orchestrator started it, else nullptr.
    [[nodiscard]] const SimProcess* process() const noexcept { return process_.get(); }

    struct State;

private:
    asio::awaitable<Json> call(std::string method, JsonArray args, JsonObject kwargs);

    std::shared_ptr<State> state_;
    std::unique_ptr<SimProcess> process_;
    RemoteSimOptions options_;
    bool stopped_ = false;
};

}  // namespace mas::mosaik
