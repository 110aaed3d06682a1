#include "py_json.hpp"

#include <cmath>
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas::python {
namespace {

std::string type_name(py::handle value) { return py::str(py::type::handle_of(value).attr("__name__")).cast<std::string>(); }

std::string str_of(py::handle value) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(value.ptr(), &size);
    if (!data) throw py::error_already_set();
    return std::string(data, static_cast<std::size_t>(size));
}

Json int_from_python(py::handle value, const std::string& what) {
    int overflow = 0;
    const long long i = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
    if (overflow == 0) {
        if (i == -1 && PyErr_Occurred()) throw py::error_already_set();
        return Json(static_cast<std::int64_t>(i));
    }
    if (overflow > 0) {
        const unsigned long long u = PyLong_AsUnsignedLongLong(value.ptr());
        if (!(u == static_cast<unsigned long long>(-1) && PyErr_Occurred())) return Json(static_cast<std::uint64_t>(u));
        PyErr_Clear();
    }
    throw TypeError(fmt::format("{}: the int {} does not fit in 64 bits", what, py::repr(value).cast<std::string>()));
}

// json.dumps' rules for dict keys.
std::string key_from_python(py::handle key, const std::string& what) {
    if (PyUnicode_Check(key.ptr())) return str_of(key);
    if (key.is_none()) return "null";
    if (PyBool_Check(key.ptr())) return key.ptr() == Py_True ? "true" : "false";
    if (PyLong_Check(key.ptr()) || PyFloat_Check(key.ptr())) return py::repr(key).cast<std::string>();
    throw TypeError(fmt::format("{}: keys must be str, int, float, bool or None, not {}", what, type_name(key)));
}

}  // namespace

py::object to_python(const Json& value) {
    switch (value.kind()) {
    case JsonKind::null: return py::none();
    case JsonKind::boolean: return py::bool_(value.get<bool>());
    case JsonKind::integer: return py::reinterpret_steal<py::object>(PyLong_FromLongLong(value.get<std::int64_t>()));
    case JsonKind::uinteger:
        return py::reinterpret_steal<py::object>(PyLong_FromUnsignedLongLong(value.get<std::uint64_t>()));
    case JsonKind::floating: return py::float_(value.get<double>());
    case JsonKind::string: {
        const auto& s = value.as_string();
        return py::reinterpret_steal<py::object>(PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace"));
    }
    case JsonKind::array: {
        const auto& items = value.as_array();
        py::list out(items.size());
        for (std::size_t i = 0; i < items.size(); ++i) out[i] = to_python(items[i]);
        return out;
    }
    case JsonKind::object: {
        py::dict out;
        for (const auto& [key, item] : value.as_object()) out[py::str(key)] = to_python(item);
        return out;
    }
    case JsonKind::custom: return to_python(*value.as_custom().repr);
    case JsonKind::bytes: return py::bytes(value.as_bytes());
    }
    return py::none();
}

Json from_python(py::handle value, const std::string& what) {
    PyObject* p = value.ptr();
    if (p == Py_None) return Json();
    if (PyBool_Check(p)) return Json(p == Py_True);
    if (PyLong_Check(p)) return int_from_python(value, what);
    if (PyFloat_Check(p)) return Json(PyFloat_AS_DOUBLE(p));
    if (PyUnicode_Check(p)) return Json(str_of(value));
    if (PyDict_Check(p)) return Json(object_from_python(value, what));
    if (PyList_Check(p) || PyTuple_Check(p)) {
        JsonArray out;
        const auto size = PySequence_Fast_GET_SIZE(p);
        out.reserve(static_cast<std::size_t>(size));
        for (Py_ssize_t i = 0; i < size; ++i) out.push_back(from_python(PySequence_Fast_GET_ITEM(p, i), what));
        return Json(std::move(out));
    }
    if (PyBytes_Check(p)) return Json(JsonBytes{py::cast<std::string>(value)});
    // numpy's and other numeric scalars: integers first, so that an int64 stays exact.
    if (PyIndex_Check(p)) {
        auto index = py::reinterpret_steal<py::object>(PyNumber_Index(p));
        if (!index) throw py::error_already_set();
        return int_from_python(index, what);
    }
    if (PyObject_HasAttrString(p, "__float__")) {
        const double d = PyFloat_AsDouble(p);
        if (d == -1.0 && PyErr_Occurred()) throw py::error_already_set();
        return Json(d);
    }
    throw TypeError(fmt::format("{}: Object of type {} is not JSON serializable", what, type_name(value)));
}

JsonObject object_from_python(py::handle dict, const std::string& what) {
    if (!PyDict_Check(dict.ptr())) throw TypeError(fmt::format("{}: expected a dict, not {}", what, type_name(dict)));
    JsonObject out;
    PyObject* key = nullptr;
    PyObject* item = nullptr;
    Py_ssize_t pos = 0;
    while (PyDict_Next(dict.ptr(), &pos, &key, &item)) {
        out.push_back(key_from_python(key, what), from_python(item, what));
    }
    return out;
}

}  // namespace mas::python
