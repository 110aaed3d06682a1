#pragma once
/// \file
/// SimRegistry: the C++ simulators an orchestrator can run in its own process, by name.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mas/mosaik/run_simulator.hpp"

namespace mas::mosaik {

/// Maps the names used in `{"cpp": "Name"}` sim_config entries to factories of simulators.
class SimRegistry {
public:
    /// Registers `factory` under `name`. Throws mas::ConfigError for an empty name, a name
    /// already registered, or an empty factory.
    void add(std::string name, SimulatorFactory factory);
    /// The factory registered under `name`, or nullptr.
    [[nodiscard]] const SimulatorFactory* find(std::string_view name) const;
    /// The registered names, sorted.
    [[nodiscard]] std::vector<std::string> names() const;

private:
    std::map<std::string, SimulatorFactory, std::less<>> factories_;
};

}  // namespace mas::mosaik
