#pragma once
// The native side of mas.mosaik.World: one C++ World with its io_context, driven from Python one
// blocking call at a time. Every call releases the interpreter lock while the orchestrator works,
// so that in-process Python simulators (and signal handlers) can take it.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <asio/io_context.hpp>
#include <pybind11/pybind11.h>

#include "mas/mosaik/orchestrator/sim_starter.hpp"
#include "mas/mosaik/orchestrator/world.hpp"
#include "python_error.hpp"

namespace mas::python {

namespace py = pybind11;

struct EngineOptions {
    double time_resolution = 1.0;
    std::int64_t max_loop_iterations = 100;
    bool cache = true;
    double start_timeout_s = 10;
    /// Where the connect-back server of `cmd` simulators listens.
    std::string host = "127.0.0.1";
    /// What %(python)s becomes (the script's interpreter).
    std::string python;
};

class Engine {
public:
    explicit Engine(EngineOptions options);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    /// Starts a `cpp`, `cmd` or `connect` simulator (its sim_config entry as mosaik reads it),
    /// sends init and returns the meta.
    py::object start(const std::string& sid, const std::string& name, const py::dict& config, const py::dict& params,
                     const std::vector<std::size_t>& group);
    /// Takes an in-process Python simulator object, sends init and returns the meta.
    py::object add_python(const std::string& sid, py::object sim, const py::dict& params,
                          const std::vector<std::size_t>& group);
    /// The created entities as tuples (eid, type, children).
    py::list create(const std::string& sid, std::int64_t num, const std::string& model, const py::dict& params);
    /// `src` and `dest` are (sid, eid, type).
    void connect(const py::tuple& src, const py::tuple& dest, const std::vector<std::pair<std::string, std::string>>& pairs,
                 std::int64_t time_shifted, const py::dict& initial_data, bool weak, bool async_requests);
    void set_initial_event(const std::string& sid, std::int64_t time);
    py::object call_extra(const std::string& sid, const std::string& method, const py::list& args, const py::dict& kwargs);
    /// Runs until `until`; Ctrl-C (SIGINT) stops every simulator and raises KeyboardInterrupt.
    void run(std::int64_t until, std::optional<double> rt_factor, bool rt_strict, bool lazy_stepping, bool print_progress);
    void shutdown();
    [[nodiscard]] double progress() const { return world_.progress(); }
    /// Steps per simulator, in start order.
    [[nodiscard]] std::vector<std::pair<std::string, std::int64_t>> step_counts() const { return world_.step_counts(); }

private:
    // Runs `op` on the io_context with the GIL released, watching for signals; a failure comes
    // out as the Python exception a mosaik script expects.
    template <class T>
    T wait(asio::awaitable<T> op);
    void wait(asio::awaitable<void> op);
    void wait_any(const std::function<void()>& body);
    [[noreturn]] void raise_python(std::exception_ptr failure);

    asio::io_context io_;
    std::shared_ptr<PythonErrorSlot> errors_ = std::make_shared<PythonErrorSlot>();
    mosaik::SimStarter starter_;
    mosaik::World world_;
    bool shut_down_ = false;
};

}  // namespace mas::python
