#pragma once
// SimulatorCalls: the mosaik API calls on one Simulator with the checks mosaik_api_v3 makes,
// shared by serve() (requests decoded from a channel) and LocalSimProxy (called in-process).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include <asio/awaitable.hpp>

#include "mas/core/error.hpp"
#include "mas/core/json.hpp"
#include "mas/mosaik/meta.hpp"
#include "mas/mosaik/simulator.hpp"

namespace mas::mosaik::detail {

/// A failed call, reported to mosaik under a Python exception type name.
class CallFailure : public Error {
public:
    CallFailure(std::string type, const std::string& message) : Error(message), type_(std::move(type)) {}
    [[nodiscard]] const std::string& type() const noexcept { return type_; }

private:
    std::string type_;
};

/// The Python type name and the message for the exception being handled: a CallFailure's own
/// type, else libmas' name of the C++ type. Call it only inside a catch block.
std::pair<std::string, std::string> describe_current_exception();

/// One session's calls on `sim`: what init declared and the last step time. Each call throws
/// CallFailure for a violated rule and lets the simulator's own exceptions through.
class SimulatorCalls {
public:
    explicit SimulatorCalls(Simulator& sim) : sim_(sim) {}

    /// sim.init(); adds the exposed extra methods the meta does not list, validates it (a
    /// ConfigError passes through) and returns mosaik's meta dict.
    Json init(const std::string& sid, double time_resolution, const JsonObject& sim_params);
    /// Checks num, that the model is known and public and that every param is declared by it;
    /// returns the entity dicts.
    Json create(std::int64_t num, const std::string& model, const JsonObject& params);
    /// create() with the entities as the simulator made them.
    std::vector<Entity> create_entities(std::int64_t num, const std::string& model, const JsonObject& params);
    void setup_done();
    /// Rejects a time before the previous step's (at once, by throwing); returns the simulator's
    /// step itself, which gives the next step time or nullopt.
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const Inputs& inputs, std::int64_t max_advance);
    /// Returns the `get_data` reply.
    Json get_data(const OutputRequest& request);
    /// The same as the simulator made it.
    Outputs get_outputs(const OutputRequest& request);
    /// Calls an exposed extra method; a name that is not exposed is mosaik_api_v3's KeyError.
    Json call_extra(const std::string& method, const JsonArray& args, const JsonObject& kwargs);

    /// Throws CallFailure("RuntimeError", ...) if init has not succeeded yet.
    void require_init(const std::string& method) const;

    /// Inputs from mosaik's JSON; a wrong shape is a CallFailure("TypeError").
    static Inputs inputs_from(Json raw);
    /// The same, reading `raw` in place (Inputs::view).
    static Inputs inputs_view(const Json& raw);
    /// The same for Inputs::pulled.
    static Inputs inputs_pulled(Json& tree, std::span<const Json* const> values);
    /// An OutputRequest from mosaik's JSON; a wrong shape is a CallFailure("TypeError").
    static OutputRequest output_request_from(const Json& raw);

private:
    Simulator& sim_;
    std::optional<Meta> meta_;
    std::optional<std::int64_t> last_step_;
};

}  // namespace mas::mosaik::detail
