#pragma once
// Python objects <-> mas::Json, for what crosses between a scenario script or an in-process Python
// simulator and the C++ orchestrator. The GIL must be held.

#include <string>

#include <pybind11/pybind11.h>

#include "mas/core/json.hpp"

namespace mas::python {

namespace py = pybind11;

/// None, bool, int, float, str, list, dict; a JsonCustom becomes its repr.
py::object to_python(const Json& value);

/// None, bool, int (int64 or uint64), float, str, list, tuple, dict and anything with __index__ or
/// __float__ (numpy scalars); dict keys that are str, int, float, bool or None become strings as
/// json.dumps makes them. Throws mas::TypeError naming `what` and the value's type for anything
/// else, and for ints out of range.
Json from_python(py::handle value, const std::string& what = "value");

/// A dict's items as a JsonObject (keys as from_python makes them).
JsonObject object_from_python(py::handle dict, const std::string& what);

}  // namespace mas::python
