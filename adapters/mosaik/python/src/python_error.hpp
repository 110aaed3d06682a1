#pragma once
// The Python exception that ended a run: the orchestrator reports failures as C++ exceptions, and
// the script gets the simulator's own exception back (with its traceback), as under mosaik.

#include <memory>
#include <optional>
#include <string>

#include <pybind11/pybind11.h>

namespace mas::python {

namespace py = pybind11;

/// The first Python exception a simulator raised (or KeyboardInterrupt), kept for the script.
/// Shared by an engine and its proxies; used with the GIL held.
class PythonErrorSlot {
public:
    /// Keeps `error` unless one is kept already.
    void keep(py::error_already_set& error) {
        if (!error_) error_ = std::make_unique<py::error_already_set>(std::move(error));
    }
    [[nodiscard]] bool empty() const noexcept { return !error_; }
    /// Hands the kept exception over (empty afterwards).
    std::unique_ptr<py::error_already_set> take() noexcept { return std::move(error_); }
    /// Whether the kept exception is a KeyboardInterrupt.
    [[nodiscard]] bool is_keyboard_interrupt() const { return error_ && error_->matches(PyExc_KeyboardInterrupt); }

private:
    std::unique_ptr<py::error_already_set> error_;
};

}  // namespace mas::python
