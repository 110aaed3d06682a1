#pragma once
// An in-process Python simulator (mosaik's `python: "module:Class"` start mode, mosaik's
// LocalProxy): the scheduler calls the object's methods directly, with no socket and no JSON
// text in between, holding the interpreter lock only while Python code runs.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <pybind11/pybind11.h>

#include "gil_object.hpp"
#include "mas/mosaik/orchestrator/sim_proxy.hpp"
#include "python_error.hpp"

namespace mas::python {

namespace py = pybind11;

/// Calls `init`, `create`, `setup_done`, `step`, `get_data`, extra methods and `finalize` of a
/// Python simulator object. A method that is a generator function makes async requests as under
/// mosaik: each value it yields is a request of its `mosaik` proxy (mas.mosaik.proxies), answered
/// by the orchestrator and sent back into the generator; what it returns is the call's result.
/// A Python exception ends the call with SimulationError `Simulator "<sid>" failed in <method>:
/// <type>: <message>` (with the Python traceback as the failure content), and the exception itself
/// goes into `errors` for the script.
class PythonSimProxy final : public mosaik::SimProxy {
public:
    /// `sim` is the simulator object; call with the GIL held.
    PythonSimProxy(std::string sid, py::object sim, std::shared_ptr<PythonErrorSlot> errors);
    ~PythonSimProxy() override;

    [[nodiscard]] const std::string& sid() const noexcept override { return sid_; }
    /// `init(sid, time_resolution=..., **sim_params)`; a time_resolution in sim_params wins (as
    /// mosaik's start(..., time_resolution=x)), and a simulator whose init takes neither
    /// time_resolution nor **kwargs gets none (mosaik's API-compliance rule).
    asio::awaitable<Json> init(double time_resolution, JsonObject sim_params) override;
    asio::awaitable<Json> create(std::int64_t num, std::string model, JsonObject model_params) override;
    asio::awaitable<void> setup_done() override;
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const Json& inputs, std::int64_t max_advance,
                                                      bool same_shape) override;
    /// Builds the inputs dict straight from the pulled values, with the key objects of the
    /// tree made once (the World hands the same tree at every such step).
    asio::awaitable<std::optional<std::int64_t>> step_pulled(std::int64_t time, Json& tree,
                                                             std::span<const Json* const> values,
                                                             std::int64_t max_advance) override;
    asio::awaitable<Json> get_data(const Json& outputs) override;
    /// Asks with the same dict at every step, as mosaik does (made once per request), and reads
    /// the reply's values into outputs laid out by the request, looking each up by its key.
    asio::awaitable<mosaik::Outputs> get_outputs(const mosaik::OutputRequest& request) override;
    asio::awaitable<Json> call_extra(std::string method, JsonArray args, JsonObject kwargs) override;
    /// `finalize()`, once; an exception is logged.
    asio::awaitable<void> stop() override;
    void set_request_handler(mosaik::AsyncRequestHandler handler) override;

private:
    struct Arguments {
        py::tuple args;
        py::dict kwargs;
    };
    // Calls `method` with what `make` returns and hands the result to `take`, both run with the
    // GIL held, in the same hold as the call when the method is not a generator function (a
    // generator function is driven through its requests).
    asio::awaitable<void> call(const char* method, const std::function<Arguments()>& make,
                               const std::function<void(py::handle)>& take);
    // call() whose result is converted to Json; one that is not JSON data is a SimulationError.
    asio::awaitable<Json> call_json(const char* method, const std::function<Arguments()>& make);
    struct Method {
        GilObject name;                  // interned
        std::optional<bool> generator;  // whether it is a generator function, once looked at
    };
    struct NameHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view name) const noexcept { return std::hash<std::string_view>{}(name); }
    };
    // The method's name object and kind (GIL held).
    Method& method_info(const char* method);
    // Calls it with the GIL held; a Python exception comes out as py::error_already_set.
    py::object invoke(const Method& method, const Arguments& arguments);
    [[nodiscard]] std::optional<std::int64_t> next_step(const Json& next) const;
    [[nodiscard]] mosaik::SimulationError failed(const std::string& method, py::error_already_set& error) const;

    std::string sid_;
    GilObject sim_;
    std::shared_ptr<PythonErrorSlot> errors_;
    std::shared_ptr<mosaik::AsyncRequestHandler> handler_ = std::make_shared<mosaik::AsyncRequestHandler>();
    bool stopped_ = false;
    std::unordered_map<std::string, Method, NameHash, std::equal_to<>> methods_;

    // The key objects of the last pulled-input tree, in its order: per entity its eid and
    // attribute count, per attribute its name and source count, per source its full id.
    struct PulledKeys {
        const Json* tree = nullptr;
        std::size_t values = 0;
        std::vector<GilObject> keys;
        std::vector<std::size_t> counts;
    } pulled_;
    // The last output request: per entity its eid, per pair its attribute, and the dict the
    // simulator is asked with.
    struct RequestKeys {
        std::uint64_t id = 0;
        std::vector<GilObject> eids;
        std::vector<GilObject> attrs;
        GilObject time;
        GilObject wanted;
    } request_keys_;
};

}  // namespace mas::python
