#pragma once
// Readable C++ type names for messages sent to peers and users.

#include <string>
#include <typeinfo>

namespace mas::detail {

/// The demangled name of `type`, without libstdc++'s inline namespaces (`std::__cxx11::`) and
/// without `(anonymous namespace)::`, which mean nothing to a reader on the other side.
std::string demangle(const std::type_info& type);

}  // namespace mas::detail
