#include "engine.hpp"

#include <chrono>
#include <cstdio>
#include <functional>
#include <string_view>

#include <asio/experimental/as_tuple.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "builtin_simulators.hpp"
#include "mas/core/block_on.hpp"
#include "mas/mosaik/orchestrator/sim_config.hpp"
#include "progress_bar.hpp"
#include "py_json.hpp"
#include "python_sim_proxy.hpp"

namespace mas::python {
namespace {

mosaik::StarterOptions starter_options(const EngineOptions& options) {
    mosaik::StarterOptions out;
    out.host = options.host;
    out.python = options.python;
    // As under mosaik, a simulator process prints to the script's stdout.
    out.child_stdout_to_stderr = false;
    out.start_timeout = std::chrono::duration_cast<mosaik::StarterOptions::Duration>(
        std::chrono::duration<double>(options.start_timeout_s));
    return out;
}

mosaik::WorldOptions world_options(const EngineOptions& options) {
    mosaik::WorldOptions out;
    out.time_resolution = options.time_resolution;
    out.max_loop_iterations = options.max_loop_iterations;
    out.cache = options.cache;
    out.start_timeout = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(options.start_timeout_s));
    return out;
}

py::list entities_to_python(const std::vector<mosaik::EntityRef>& entities) {
    py::list out;
    for (const auto& e : entities) out.append(py::make_tuple(e.eid, e.type, entities_to_python(e.children)));
    return out;
}

mosaik::EntityRef entity_ref(const py::tuple& t) {
    return {t[0].cast<std::string>(), t[1].cast<std::string>(), t[2].cast<std::string>()};
}

[[noreturn]] void raise(const char* type_name, const std::string& message) {
    const auto type = py::module_::import("mas.mosaik.exceptions").attr(type_name);
    PyErr_SetString(type.ptr(), message.c_str());
    throw py::error_already_set();
}

// While the orchestrator runs without the GIL, Python cannot run its SIGINT handler: this looks
// every 100 ms, and turns a KeyboardInterrupt into World::interrupt (every simulator is stopped).
struct SignalWatch {
    SignalWatch(asio::io_context& io, mosaik::World& world, std::shared_ptr<PythonErrorSlot> errors)
        : timer(std::make_shared<asio::steady_timer>(io)) {
        asio::co_spawn(io, watch(timer, world, std::move(errors)), asio::detached);
    }
    ~SignalWatch() { timer->cancel(); }
    SignalWatch(const SignalWatch&) = delete;
    SignalWatch& operator=(const SignalWatch&) = delete;

    static asio::awaitable<void> watch(std::shared_ptr<asio::steady_timer> timer, mosaik::World& world,
                                       std::shared_ptr<PythonErrorSlot> errors) {
        for (;;) {
            timer->expires_after(std::chrono::milliseconds(100));
            const auto [ec] = co_await timer->async_wait(asio::experimental::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            bool interrupted = false;
            {
                py::gil_scoped_acquire gil;
                if (PyErr_CheckSignals() != 0) {
                    py::error_already_set error;
                    interrupted = error.matches(PyExc_KeyboardInterrupt);
                    errors->keep(error);
                }
            }
            if (interrupted) {
                world.interrupt("KeyboardInterrupt");
                co_return;
            }
        }
    }

    std::shared_ptr<asio::steady_timer> timer;
};

}  // namespace

Engine::Engine(EngineOptions options)
    : starter_(sims::builtin_simulators(), starter_options(options)), world_(world_options(options)) {}

Engine::~Engine() {
    if (shut_down_) return;
    try {
        py::gil_scoped_release release;
        block_on(io_, world_.shutdown());
    } catch (...) {
        // shutdown() never throws; block_on only if the io_context is gone, which it is not.
    }
}

void Engine::wait_any(const std::function<void()>& body) {
    std::exception_ptr failure;
    {
        py::gil_scoped_release release;
        SignalWatch watch(io_, world_, errors_);
        try {
            body();
        } catch (...) {
            failure = std::current_exception();
        }
    }
    if (failure || !errors_->empty()) raise_python(failure);
}

template <class T>
T Engine::wait(asio::awaitable<T> op) {
    std::optional<T> result;
    wait_any([&] { result.emplace(block_on(io_, std::move(op))); });
    return std::move(*result);
}

void Engine::wait(asio::awaitable<void> op) {
    wait_any([&] { block_on(io_, std::move(op)); });
}

void Engine::raise_python(std::exception_ptr failure) {
    std::string message;
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            message = e.what();
        } catch (...) {
            message = "unknown error";
        }
    }
    if (auto kept = errors_->take()) {
        // The simulator's own exception (or KeyboardInterrupt), as mosaik lets it through, with a
        // note of where it happened.
        if (!message.empty() && py::hasattr(kept->value(), "add_note")) kept->value().attr("add_note")(message);
        kept->restore();
        throw py::error_already_set();
    }
    try {
        std::rethrow_exception(failure);
    } catch (const mosaik::CycleError& e) {
        std::string cycle;
        for (const auto& sid : e.sids()) cycle += fmt::format("{}<SimRunner sid='{}'>", cycle.empty() ? "" : ", ", sid);
        raise("ScenarioError", fmt::format("Your scenario contains cycles, for example: [{}].", cycle));
    } catch (const ConfigError& e) {
        raise("ScenarioError", e.what());
    } catch (const mosaik::SimulationError& e) {
        raise("SimulationError", e.what());
    } catch (const mosaik::Interrupted& e) {
        raise("SimulationError", e.what());
    } catch (const py::error_already_set&) {
        throw;
    } catch (const std::exception& e) {
        raise("SimulationError", e.what());
    }
    raise("SimulationError", "unknown error");
}

py::object Engine::start(const std::string& sid, const std::string& name, const py::dict& config, const py::dict& params,
                         const std::vector<std::size_t>& group) {
    mosaik::SimConfig sim_config;
    JsonObject sim_params;
    try {
        sim_config = mosaik::SimConfig::from_json(name, Json(object_from_python(config, "sim_config")));
        sim_params = object_from_python(params, "sim_params");
    } catch (const Error& e) {
        raise("ScenarioError", e.what());
    }
    auto op = [](Engine& self, std::string sid, mosaik::SimConfig config, JsonObject params,
                 mosaik::GroupPath group) -> asio::awaitable<Json> {
        const bool command = config.kind == mosaik::SimConfig::Kind::cmd;
        std::unique_ptr<mosaik::SimProxy> proxy;
        std::optional<std::string> not_started;
        try {
            proxy = co_await self.starter_.start(sid, std::move(config));
        } catch (const mosaik::SimulationError& e) {
            // A program that cannot be run is a mistake in the scenario, for mosaik a ScenarioError.
            if (!command || std::string_view(e.what()).find("could not be started") == std::string_view::npos) throw;
            not_started = e.what();
        }
        if (not_started) throw ConfigError(*not_started);
        co_return co_await self.world_.add_simulator(std::move(proxy), std::move(params), std::move(group));
    };
    const auto meta = wait(op(*this, sid, std::move(sim_config), std::move(sim_params), group));
    return to_python(meta);
}

py::object Engine::add_python(const std::string& sid, py::object sim, const py::dict& params,
                              const std::vector<std::size_t>& group) {
    JsonObject sim_params;
    try {
        sim_params = object_from_python(params, "sim_params");
    } catch (const Error& e) {
        raise("ScenarioError", e.what());
    }
    auto proxy = std::make_unique<PythonSimProxy>(sid, std::move(sim), errors_);
    const auto meta = wait(world_.add_simulator(std::move(proxy), std::move(sim_params), group));
    return to_python(meta);
}

py::list Engine::create(const std::string& sid, std::int64_t num, const std::string& model, const py::dict& params) {
    JsonObject model_params;
    try {
        model_params = object_from_python(params, "model params");
    } catch (const Error& e) {
        raise("ScenarioError", e.what());
    }
    const auto entities = wait(world_.create(sid, num, model, std::move(model_params)));
    return entities_to_python(entities);
}

void Engine::connect(const py::tuple& src, const py::tuple& dest,
                     const std::vector<std::pair<std::string, std::string>>& pairs, std::int64_t time_shifted,
                     const py::dict& initial_data, bool weak, bool async_requests) {
    mosaik::ConnectionOptions options;
    options.time_shifted = time_shifted;
    options.weak = weak;
    options.async_requests = async_requests;
    try {
        options.initial_data = object_from_python(initial_data, "initial_data");
        world_.connect(entity_ref(src), entity_ref(dest), pairs, options);
    } catch (const Error& e) {
        raise("ScenarioError", e.what());
    }
}

void Engine::set_initial_event(const std::string& sid, std::int64_t time) {
    try {
        world_.set_initial_event(sid, time);
    } catch (const Error& e) {
        raise("ScenarioError", e.what());
    }
}

py::object Engine::call_extra(const std::string& sid, const std::string& method, const py::list& args,
                              const py::dict& kwargs) {
    JsonArray json_args;
    JsonObject json_kwargs;
    try {
        json_args = from_python(args, method).as_array();
        json_kwargs = object_from_python(kwargs, method);
    } catch (const Error& e) {
        raise("ScenarioError", e.what());
    }
    return to_python(wait(world_.call_extra(sid, method, std::move(json_args), std::move(json_kwargs))));
}

void Engine::run(std::int64_t until, std::optional<double> rt_factor, bool rt_strict, bool lazy_stepping,
                 bool print_progress) {
    mosaik::RunOptions options;
    options.rt_factor = rt_factor;
    options.rt_strict = rt_strict;
    options.lazy_stepping = lazy_stepping;
    std::optional<ProgressBar> bar;
    if (print_progress) {
        bar.emplace(until, stderr);
        world_.on_step([&bar](const mosaik::StepRecord& record) { bar->update(record.progress); }, false);
    }
    const auto end_bar = [&] {
        if (!bar) return;
        bar->finish();
        world_.on_step(nullptr, false);
    };
    try {
        wait(world_.run(until, options));
    } catch (...) {
        end_bar();
        shut_down_ = true;  // run() stops every simulator, also when it fails
        throw;
    }
    end_bar();
    shut_down_ = true;
}

void Engine::shutdown() {
    if (shut_down_) return;
    shut_down_ = true;
    wait(world_.shutdown());
}

}  // namespace mas::python
