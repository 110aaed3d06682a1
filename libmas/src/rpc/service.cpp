#include "mas/rpc/service.hpp"

#include "core/demangle.hpp"

namespace mas::rpc::detail {

std::string short_type_name(const std::type_info& type) {
    const std::string name = mas::detail::demangle(type);
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
