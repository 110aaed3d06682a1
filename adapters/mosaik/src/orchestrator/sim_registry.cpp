#include "mas/mosaik/orchestrator/sim_registry.hpp"

#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas::mosaik {

void SimRegistry::add(std::string name, SimulatorFactory factory) {
    if (name.empty()) throw ConfigError("a simulator needs a name to be registered");
    if (!factory) throw ConfigError(fmt::format("simulator \"{}\" is registered without a factory", name));
    if (factories_.contains(name)) throw ConfigError(fmt::format("simulator \"{}\" is registered twice", name));
    factories_.emplace(std::move(name), std::move(factory));
}

const SimulatorFactory* SimRegistry::find(std::string_view name) const {
    const auto it = factories_.find(name);
    return it == factories_.end() ? nullptr : &it->second;
}

std::vector<std::string> SimRegistry::names() const {
    std::vector<std::string> out;
    for (const auto& item : factories_) out.push_back(item.first);
    return out;
}

}  // namespace mas::mosaik
