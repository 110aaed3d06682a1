#include "mas/rpc/service.hpp"

#include <cxxabi.h>

#include <cstdlib>

namespace mas::rpc::detail {

std::string short_type_name(const std::type_info& type) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(type.name(), nullptr, nullptr, &status),
                                                     std::free);
    std::string name = status == 0 && demangled ? demangled.get() : type.name();
    // Python's qualname has no module part; drop the namespaces (but not inside template
    // arguments) so that messages read "MathServer.add()".
    int depth = 0;
    std::size_t cut = 0;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '<') ++depth;
        if (name[i] == '>') --depth;
        if (depth == 0 && name.compare(i, 2, "::") == 0) cut = i + 2;
    }
    return name.substr(cut);
}

}  // namespace mas::rpc::detail
