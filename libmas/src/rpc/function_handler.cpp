#include "mas/rpc/function_handler.hpp"

#include <fmt/format.h>

namespace mas::rpc::detail {
namespace {

// Python's way of listing names: 'a', 'a' and 'b', 'a', 'b', and 'c'.
std::string name_list(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += names.size() == 2 ? " and " : (i + 1 == names.size() ? ", and " : ", ");
        out += "'" + names[i] + "'";
    }
    return out;
}

}  // namespace

void Signature::check(const JsonArray& args, const JsonObject& kwargs) const {
    if (args.size() > arity) {
        throw ArgumentError(fmt::format("{}() takes {} positional argument{} but {} {} given", display_name, arity,
                                        arity == 1 ? "" : "s", args.size(), args.size() == 1 ? "was" : "were"));
    }
    for (const auto& [key, value] : kwargs) {
        std::size_t index = 0;
        while (index < params.size() && params[index] != key) ++index;
        if (index == params.size()) {
            throw ArgumentError(fmt::format("{}() got an unexpected keyword argument '{}'", display_name, key));
        }
        if (index < args.size()) {
            throw ArgumentError(fmt::format("{}() got multiple values for argument '{}'", display_name, key));
        }
    }
    std::vector<std::string> missing;
    for (std::size_t i = args.size(); i < arity; ++i) {
        if (optional[i]) continue;
        if (i < params.size() && kwargs.contains(params[i])) continue;
        missing.push_back(i < params.size() ? params[i] : fmt::format("#{}", i + 1));
    }
    if (!missing.empty()) {
        throw ArgumentError(fmt::format("{}() missing {} required positional argument{}: {}", display_name,
                                        missing.size(), missing.size() == 1 ? "" : "s", name_list(missing)));
    }
}

const Json* Signature::find(std::size_t i, const JsonArray& args, const JsonObject& kwargs) const {
    if (i < args.size()) return &args[i];
    if (i < params.size()) return kwargs.find(params[i]);
    return nullptr;
}

void Signature::conversion_failed(std::size_t i, const std::exception& error) const {
    const auto name = i < params.size() ? fmt::format("'{}'", params[i]) : fmt::format("#{}", i + 1);
    throw ArgumentError(fmt::format("{}() argument {}: {}", display_name, name, error.what()));
}

}  // namespace mas::rpc::detail
