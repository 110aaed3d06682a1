#include "python_sim_proxy.hpp"

#include <array>
#include <utility>

#include <fmt/format.h>

#include "mas/core/log.hpp"
#include "orchestrator/sim_failure.hpp"
#include "py_json.hpp"

namespace mas::python {
namespace {

// Python's name of what a simulator returned, as mosaik's messages show it ("<class 'float'>").
std::string python_class_of(const Json& value) {
    switch (value.kind()) {
    case JsonKind::null: return "<class 'NoneType'>";
    case JsonKind::boolean: return "<class 'bool'>";
    case JsonKind::integer:
    case JsonKind::uinteger: return "<class 'int'>";
    case JsonKind::floating: return "<class 'float'>";
    case JsonKind::string: return "<class 'str'>";
    case JsonKind::array: return "<class 'list'>";
    case JsonKind::object: return "<class 'dict'>";
    case JsonKind::custom:
    case JsonKind::bytes: break;
    }
    return "<class 'object'>";
}

bool is_generator_function(const py::object& function) {
    static const auto* inspect = new py::object(py::module_::import("inspect").attr("isgeneratorfunction"));
    return (*inspect)(function).cast<bool>();
}

bool accepts_keyword(const py::object& function, const char* name) {
    static const auto* signature = new py::object(py::module_::import("inspect").attr("signature"));
    py::object parameters;
    try {
        parameters = (*signature)(function).attr("parameters");
    } catch (const py::error_already_set&) {
        return true;  // a builtin without a signature: give it what mosaik gives a compliant one
    }
    if (parameters.contains(name)) return true;
    for (const auto& parameter : parameters.attr("values")()) {
        if (py::str(parameter.attr("kind").attr("name")).cast<std::string>() == "VAR_KEYWORD") return true;
    }
    return false;
}

}  // namespace

PythonSimProxy::PythonSimProxy(std::string sid, py::object sim, std::shared_ptr<PythonErrorSlot> errors)
    : sid_(std::move(sid)), sim_(std::move(sim)), errors_(std::move(errors)) {}

PythonSimProxy::~PythonSimProxy() = default;

void PythonSimProxy::set_request_handler(mosaik::AsyncRequestHandler handler) { *handler_ = std::move(handler); }

mosaik::SimulationError PythonSimProxy::failed(const std::string& method, py::error_already_set& error) const {
    // The failure content a remote simulator sends: [type, message, traceback lines...].
    JsonArray content;
    std::string type = "Exception";
    std::string message;
    try {
        type = py::str(error.type().attr("__name__")).cast<std::string>();
        message = py::str(error.value()).cast<std::string>();
        content.push_back(type);
        content.push_back(message);
        const auto format = py::module_::import("traceback").attr("format_exception");
        for (const auto& line : format(error.type(), error.value(), error.trace())) {
            content.push_back(py::str(line).cast<std::string>());
        }
    } catch (const py::error_already_set&) {
        content = JsonArray{type, message};
    }
    errors_->keep(error);
    return mosaik::detail::call_failed(sid_, method, Json(std::move(content)));
}

PythonSimProxy::Method& PythonSimProxy::method_info(const char* method) {
    auto it = methods_.find(std::string_view(method));
    if (it == methods_.end()) {
        Method info;
        info.name = GilObject(py::reinterpret_steal<py::object>(PyUnicode_InternFromString(method)));
        if (!info.name) throw py::error_already_set();
        it = methods_.emplace(method, std::move(info)).first;
    }
    auto& info = it->second;
    if (!info.generator) {
        // Asked once per method: inspect is slow next to a step of a small model.
        info.generator = is_generator_function(sim_.get().attr(info.name.get()));
    }
    return info;
}

py::object PythonSimProxy::invoke(const Method& method, const Arguments& arguments) {
    PyObject* self = sim_.get().ptr();
    const auto count = PyTuple_GET_SIZE(arguments.args.ptr());
    PyObject* result = nullptr;
    if (PyDict_GET_SIZE(arguments.kwargs.ptr()) == 0 && count <= 4) {
        // A method call without a bound method object or an argument tuple in between.
        std::array<PyObject*, 6> argv{nullptr, self};
        for (Py_ssize_t i = 0; i < count; ++i) argv[static_cast<std::size_t>(i) + 2] = PyTuple_GET_ITEM(arguments.args.ptr(), i);
        result = PyObject_VectorcallMethod(method.name.get().ptr(), argv.data() + 1,
                                           static_cast<std::size_t>(count + 1) | PY_VECTORCALL_ARGUMENTS_OFFSET, nullptr);
    } else {
        const auto function = sim_.get().attr(method.name.get());
        result = PyObject_Call(function.ptr(), arguments.args.ptr(), arguments.kwargs.ptr());
    }
    if (!result) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(result);
}

asio::awaitable<void> PythonSimProxy::call(const char* method, const std::function<Arguments()>& make,
                                           const std::function<void(py::handle)>& take) {
    GilObject generator;
    {
        py::gil_scoped_acquire gil;
        try {
            const auto arguments = make();
            const auto& info = method_info(method);
            auto result = invoke(info, arguments);
            if (!*info.generator) {
                take(result);
                co_return;
            }
            generator = GilObject(std::move(result));
        } catch (py::error_already_set& e) {
            throw failed(method, e);
        }
    }
    // Each yielded request is answered by the orchestrator and its result sent back in; what the
    // generator returns is the call's result. A failing request ends the call, as in mosaik.
    GilObject reply{};
    for (;;) {
        std::string request_method;
        JsonArray request_args;
        JsonObject request_kwargs;
        {
            py::gil_scoped_acquire gil;
            py::object yielded;
            try {
                yielded = generator.get().attr("send")(reply ? reply.get() : py::none());
            } catch (py::error_already_set& e) {
                if (!e.matches(PyExc_StopIteration)) throw failed(method, e);
                take(e.value().attr("value"));
                co_return;
            }
            if (!py::hasattr(yielded, "_mas_request")) {
                throw mosaik::SimulationError(
                    sid_, fmt::format("Simulator \"{}\" yielded {} in {}: a generator method may yield only the requests "
                                      "of its mosaik proxy (self.mosaik.get_data(...) and the like)",
                                      sid_, py::repr(yielded).cast<std::string>(), method));
            }
            request_method = yielded.attr("method").cast<std::string>();
            request_args = from_python(yielded.attr("args"), request_method).as_array();
            request_kwargs = object_from_python(yielded.attr("kwargs"), request_method);
        }
        if (!*handler_) throw mosaik::SimulationError(sid_, "no handler for the requests of simulator " + sid_);
        auto handler = handler_;  // the proxy may be stopped while the request runs
        const auto answer = co_await (*handler)(request_method, request_args, request_kwargs);
        py::gil_scoped_acquire gil;
        reply = GilObject(to_python(answer));
    }
}

asio::awaitable<Json> PythonSimProxy::call_json(const char* method, const std::function<Arguments()>& make) {
    Json out;
    co_await call(method, make, [&](py::handle result) {
        // A step's next time, the most frequent result, without building an error context.
        if (result.is_none()) return;
        if (PyLong_CheckExact(result.ptr())) {
            int overflow = 0;
            const long long next = PyLong_AsLongLongAndOverflow(result.ptr(), &overflow);
            if (overflow == 0) {
                out = Json(static_cast<std::int64_t>(next));
                return;
            }
        }
        try {
            out = from_python(result, fmt::format("{}() of {} returned", method, sid_));
        } catch (const Error& e) {
            throw mosaik::detail::call_failed(sid_, method, Json(e.what()));
        }
    });
    co_return out;
}

std::optional<std::int64_t> PythonSimProxy::next_step(const Json& next) const {
    if (next.is_null()) return std::nullopt;
    if (next.kind() == JsonKind::integer) return next.get<std::int64_t>();
    throw mosaik::SimulationError(sid_, fmt::format("the next step time returned by the step method must be of type int, "
                                                    "but is of type {} for simulator \"{}\"",
                                                    python_class_of(next), sid_));
}

asio::awaitable<Json> PythonSimProxy::init(double time_resolution, JsonObject sim_params) {
    co_return co_await call_json("init", [&] {
        py::dict params;
        if (accepts_keyword(sim_.get().attr("init"), "time_resolution")) params["time_resolution"] = time_resolution;
        for (const auto& [key, value] : sim_params) params[py::str(key)] = to_python(value);
        return Arguments{py::make_tuple(sid_), std::move(params)};
    });
}

asio::awaitable<Json> PythonSimProxy::create(std::int64_t num, std::string model, JsonObject model_params) {
    co_return co_await call_json("create", [&] {
        py::dict params;
        for (const auto& [key, value] : model_params) params[py::str(key)] = to_python(value);
        return Arguments{py::make_tuple(num, model), std::move(params)};
    });
}

asio::awaitable<void> PythonSimProxy::setup_done() {
    {
        py::gil_scoped_acquire gil;
        if (!py::hasattr(sim_.get(), "setup_done")) co_return;
    }
    co_await call_json("setup_done", [] { return Arguments{py::tuple(), py::dict()}; });
}

asio::awaitable<std::optional<std::int64_t>> PythonSimProxy::step(std::int64_t time, const Json& inputs,
                                                                  std::int64_t max_advance, bool /*same_shape*/) {
    const auto next = co_await call_json(
        "step", [&] { return Arguments{py::make_tuple(time, to_python(inputs), max_advance), py::dict()}; });
    co_return next_step(next);
}

asio::awaitable<std::optional<std::int64_t>> PythonSimProxy::step_pulled(std::int64_t time, Json& tree,
                                                                         std::span<const Json* const> values,
                                                                         std::int64_t max_advance) {
    const auto make = [&] {
        auto& keys = pulled_;
        if (keys.tree != &tree || keys.values != values.size()) {
            keys = PulledKeys{&tree, values.size(), {}, {}};
            for (const auto& [eid, attrs] : tree.as_object()) {
                keys.keys.emplace_back(py::str(eid));
                keys.counts.push_back(attrs.size());
                for (const auto& [attr, sources] : attrs.as_object()) {
                    keys.keys.emplace_back(py::str(attr));
                    keys.counts.push_back(sources.size());
                    for (const auto& [source, value] : sources.as_object()) keys.keys.emplace_back(py::str(source));
                }
            }
        }
        // {eid: {attr: {source: value}}}, a fresh dict at every step as mosaik gives.
        py::dict inputs;
        std::size_t key = 0;
        std::size_t count = 0;
        std::size_t value = 0;
        const auto none = py::none();
        for (std::size_t e = 0; e < tree.as_object().size(); ++e) {
            py::dict attrs;
            const auto& eid = keys.keys[key++].get();
            const auto attr_count = keys.counts[count++];
            for (std::size_t a = 0; a < attr_count; ++a) {
                py::dict sources;
                const auto& attr = keys.keys[key++].get();
                const auto source_count = keys.counts[count++];
                for (std::size_t k = 0; k < source_count; ++k) {
                    const Json* given = values[value++];
                    const auto& source = keys.keys[key++].get();
                    if (PyDict_SetItem(sources.ptr(), source.ptr(), given ? to_python(*given).ptr() : none.ptr()) != 0) {
                        throw py::error_already_set();
                    }
                }
                if (PyDict_SetItem(attrs.ptr(), attr.ptr(), sources.ptr()) != 0) throw py::error_already_set();
            }
            if (PyDict_SetItem(inputs.ptr(), eid.ptr(), attrs.ptr()) != 0) throw py::error_already_set();
        }
        return Arguments{py::make_tuple(time, std::move(inputs), max_advance), py::dict()};
    };
    const auto next = co_await call_json("step", make);
    co_return next_step(next);
}

asio::awaitable<Json> PythonSimProxy::get_data(const Json& outputs) {
    co_return co_await call_json("get_data", [&] { return Arguments{py::make_tuple(to_python(outputs)), py::dict()}; });
}

asio::awaitable<mosaik::Outputs> PythonSimProxy::get_outputs(const mosaik::OutputRequest& request) {
    mosaik::Outputs out(request);
    const auto make = [&] {
        auto& keys = request_keys_;
        if (keys.id != request.id()) {
            keys = RequestKeys{request.id(), {}, {}, GilObject(py::str("time")), GilObject()};
            // {eid: [attr, ...]}, made once: mosaik too hands a simulator the same request
            // object at every step.
            py::dict wanted;
            for (std::size_t e = 0; e < request.size(); ++e) {
                const auto& [eid, attrs] = request[e];
                keys.eids.emplace_back(py::str(eid));
                py::list names(attrs.size());
                for (std::size_t a = 0; a < attrs.size(); ++a) {
                    keys.attrs.emplace_back(py::str(attrs[a]));
                    names[a] = keys.attrs.back().get();
                }
                if (PyDict_SetItem(wanted.ptr(), keys.eids.back().get().ptr(), names.ptr()) != 0) {
                    throw py::error_already_set();
                }
            }
            keys.wanted = GilObject(std::move(wanted));
        }
        return Arguments{py::make_tuple(keys.wanted.get()), py::dict()};
    };
    const auto take = [&](py::handle reply) {
        // Only a reply that is not a plain number needs it: formatted at every step, it was a
        // tenth of an in-process call's own cost.
        std::string context;
        const auto what = [&]() -> const std::string& {
            if (context.empty()) context = fmt::format("get_data() of {} returned", sid_);
            return context;
        };
        try {
            if (!PyDict_Check(reply.ptr())) {
                throw TypeError(fmt::format("{} {}, not a dict", what(), py::repr(reply).cast<std::string>()));
            }
            const auto& keys = request_keys_;
            if (PyObject* time = PyDict_GetItemWithError(reply.ptr(), keys.time.get().ptr())) {
                const auto t = from_python(time, what());
                if (t.kind() != JsonKind::integer) throw TypeError(fmt::format("{} a \"time\" that is not an int", what()));
                out.time(t.get<std::int64_t>());
            } else if (PyErr_Occurred()) {
                throw py::error_already_set();
            }
            // Entities and attributes that were not asked for are left out, as the scheduler
            // would not read them.
            for (std::size_t e = 0; e < request.size(); ++e) {
                PyObject* entity = PyDict_GetItemWithError(reply.ptr(), keys.eids[e].get().ptr());
                if (!entity) {
                    if (PyErr_Occurred()) throw py::error_already_set();
                    continue;
                }
                if (!PyDict_Check(entity)) {
                    throw TypeError(fmt::format("{} {} for entity {}, not a dict", what(),
                                                py::repr(entity).cast<std::string>(), request[e].first));
                }
                out.entity_at(e);
                const auto first = request.first_pair(e);
                const auto count = request.first_pair(e + 1) - first;
                for (std::size_t a = 0; a < count; ++a) {
                    PyObject* value = PyDict_GetItemWithError(entity, keys.attrs[first + a].get().ptr());
                    if (!value) {
                        if (PyErr_Occurred()) throw py::error_already_set();
                        continue;
                    }
                    // The usual values, without a Json in between.
                    if (PyFloat_CheckExact(value)) {
                        out.set_at(e, a, PyFloat_AS_DOUBLE(value));
                        continue;
                    }
                    if (PyLong_CheckExact(value)) {
                        int overflow = 0;
                        const long long i = PyLong_AsLongLongAndOverflow(value, &overflow);
                        if (overflow == 0 && !(i == -1 && PyErr_Occurred())) {
                            out.set_at(e, a, static_cast<std::int64_t>(i));
                            continue;
                        }
                        PyErr_Clear();  // from_python says what is wrong with it
                    }
                    auto json = from_python(value, what());
                    if (json.is_number() || json.is_bool() || json.is_null()) {
                        switch (json.kind()) {
                        case JsonKind::integer: out.set_at(e, a, json.get<std::int64_t>()); break;
                        case JsonKind::floating: out.set_at(e, a, json.get<double>()); break;
                        case JsonKind::boolean: out.set_at(e, a, json.get<bool>()); break;
                        default: out.set_at(e, a, std::move(json)); break;
                        }
                    } else {
                        out.set_at(e, a, std::move(json));
                    }
                }
            }
        } catch (const Error& e) {
            throw mosaik::detail::call_failed(sid_, "get_data", Json(e.what()));
        }
    };
    co_await call("get_data", make, take);
    co_return out;
}

asio::awaitable<Json> PythonSimProxy::call_extra(std::string method, JsonArray args, JsonObject kwargs) {
    co_return co_await call_json(method.c_str(), [&] {
        py::dict params;
        for (const auto& [key, value] : kwargs) params[py::str(key)] = to_python(value);
        return Arguments{py::tuple(to_python(Json(std::move(args)))), std::move(params)};
    });
}

asio::awaitable<void> PythonSimProxy::stop() {
    if (stopped_) co_return;
    stopped_ = true;
    *handler_ = nullptr;
    py::gil_scoped_acquire gil;
    try {
        if (py::hasattr(sim_.get(), "finalize")) sim_.get().attr("finalize")();
    } catch (py::error_already_set& e) {
        log("mas.mosaik")->error("finalize() of simulator {} failed: {}", sid_, e.what());
    }
    co_return;
}

}  // namespace mas::python
