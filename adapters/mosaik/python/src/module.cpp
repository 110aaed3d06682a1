// mas._mas: the native part of the Python package (see mas/mosaik/scenario.py for its use).

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "engine.hpp"
#include "mas/core/error.hpp"
#include "mas/mosaik/meta.hpp"
#include "mas/mosaik/orchestrator/model_attrs.hpp"
#include "py_json.hpp"

namespace py = pybind11;
using mas::python::Engine;
using mas::python::EngineOptions;

namespace {

py::tuple attr_set(const mas::mosaik::AttrSet& set) {
    py::list names;
    for (const auto& name : set.names()) names.append(name);
    return py::make_tuple(set.is_complement(), names);
}

// A model's attribute classes as mosaik infers them from the meta: each a pair (complement,
// names), where complement means "every name except these" (any_inputs).
py::dict model_attrs(const std::string& model, const py::dict& description, const std::string& type) {
    mas::mosaik::SimType sim_type = mas::mosaik::SimType::time_based;
    if (type == "event-based") sim_type = mas::mosaik::SimType::event_based;
    else if (type == "hybrid") sim_type = mas::mosaik::SimType::hybrid;
    else if (type != "time-based") throw py::value_error("unknown simulator type " + type);
    mas::mosaik::ModelAttrs attrs;
    try {
        attrs = mas::mosaik::parse_model_attrs(model, mas::Json(mas::python::object_from_python(description, model)), sim_type);
    } catch (const mas::Error& e) {
        throw py::value_error(e.what());
    }
    py::dict out;
    out["non_trigger"] = attr_set(attrs.non_trigger);
    out["trigger"] = attr_set(attrs.trigger);
    out["persistent"] = attr_set(attrs.persistent);
    out["non_persistent"] = attr_set(attrs.non_persistent);
    return out;
}

}  // namespace

PYBIND11_MODULE(_mas, m) {
    m.doc() = "The C++ orchestrator of libmas behind mas.mosaik.World";

    // A script's stdout is its own (and its collector's); libmas' log lines go to stderr, and
    // only warnings and errors: mas.mosaik logs what mosaik logs, through Python's logging.
    spdlog::set_default_logger(spdlog::stderr_color_mt("mas"));
    spdlog::set_level(spdlog::level::warn);

    py::class_<Engine>(m, "Engine")
        .def(py::init([](double time_resolution, std::int64_t max_loop_iterations, bool cache, double start_timeout,
                         std::string host, std::string python) {
                 EngineOptions options;
                 options.time_resolution = time_resolution;
                 options.max_loop_iterations = max_loop_iterations;
                 options.cache = cache;
                 options.start_timeout_s = start_timeout;
                 options.host = std::move(host);
                 options.python = std::move(python);
                 return std::make_unique<Engine>(std::move(options));
             }),
             py::arg("time_resolution"), py::arg("max_loop_iterations"), py::arg("cache"), py::arg("start_timeout"),
             py::arg("host"), py::arg("python"))
        .def("start", &Engine::start, py::arg("sid"), py::arg("name"), py::arg("config"), py::arg("params"),
             py::arg("group"))
        .def("add_python", &Engine::add_python, py::arg("sid"), py::arg("sim"), py::arg("params"), py::arg("group"))
        .def("create", &Engine::create, py::arg("sid"), py::arg("num"), py::arg("model"), py::arg("params"))
        .def("connect", &Engine::connect, py::arg("src"), py::arg("dest"), py::arg("pairs"), py::arg("time_shifted"),
             py::arg("initial_data"), py::arg("weak"), py::arg("async_requests"))
        .def("set_initial_event", &Engine::set_initial_event, py::arg("sid"), py::arg("time"))
        .def("call_extra", &Engine::call_extra, py::arg("sid"), py::arg("method"), py::arg("args"), py::arg("kwargs"))
        .def("run", &Engine::run, py::arg("until"), py::arg("rt_factor"), py::arg("rt_strict"), py::arg("lazy_stepping"),
             py::arg("print_progress"))
        .def("shutdown", &Engine::shutdown)
        .def("progress", &Engine::progress)
        .def("step_counts", &Engine::step_counts);

    m.def("model_attrs", &model_attrs, py::arg("model"), py::arg("description"), py::arg("type"));
    m.def(
        "set_log_level",
        [](const std::string& level) { spdlog::set_level(spdlog::level::from_str(level)); },
        py::arg("level"), "The level of libmas' own log lines on stderr (trace, debug, info, warn, error, off)");
}
