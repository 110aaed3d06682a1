#include "core/demangle.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <string_view>

namespace mas::detail {

std::string demangle(const std::type_info& type) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(type.name(), nullptr, nullptr, &status),
                                                     std::free);
    std::string name = status == 0 && demangled ? demangled.get() : type.name();
    const auto replace_all = [&name](std::string_view noise, std::string_view with) {
        for (auto pos = name.find(noise); pos != std::string::npos; pos = name.find(noise, pos + with.size())) {
            name.replace(pos, noise.size(), with);
        }
    };
    replace_all("(anonymous namespace)::", "");
    replace_all("std::__cxx11::", "std::");
    replace_all("std::__1::", "std::");
    return name;
}

}  // namespace mas::detail
