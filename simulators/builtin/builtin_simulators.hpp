#pragma once
// The simulators of simulators/ that mas-run and the Python front end can run in their own
// process ({"cpp": "<name>"}), under the names of their executables.

#include <functional>
#include <string>

#include "mas/mosaik/orchestrator/sim_registry.hpp"

namespace mas::sims {

/// Where the collector's lines go; by default to stdout, flushed line by line.
using LineOutput = std::function<void(const std::string& line)>;

mosaik::SimRegistry builtin_simulators(LineOutput collector_output = {});

}  // namespace mas::sims
