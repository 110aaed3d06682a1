#pragma once
// A Python reference that C++ code may drop without holding the GIL: coroutine frames and proxies
// are destroyed wherever the orchestrator ends them, with or without the interpreter lock.

#include <utility>

#include <pybind11/pybind11.h>

namespace mas::python {

namespace py = pybind11;

class GilObject {
public:
    GilObject() = default;
    explicit GilObject(py::object o) : o_(std::move(o)) {}
    GilObject(const GilObject&) = delete;
    GilObject& operator=(const GilObject&) = delete;
    GilObject(GilObject&& other) noexcept : o_(std::move(other.o_)) {}
    GilObject& operator=(GilObject&& other) noexcept {
        if (this != &other) {
            reset();
            o_ = std::move(other.o_);
        }
        return *this;
    }
    ~GilObject() { reset(); }

    /// Needs the GIL, as any use of the object.
    [[nodiscard]] const py::object& get() const noexcept { return o_; }
    [[nodiscard]] explicit operator bool() const noexcept { return static_cast<bool>(o_); }

    void reset() noexcept {
        if (!o_) return;
        py::gil_scoped_acquire gil;
        o_ = py::object();
    }

private:
    py::object o_;
};

}  // namespace mas::python
