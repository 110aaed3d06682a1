#pragma once
// The simulators of simulators/ that mas-run and the Python front end can run in their own
// process ({"cpp": "<name>"}), under the names of their executables.

#include "mas/mosaik/orchestrator/sim_registry.hpp"

namespace mas::sims {

mosaik::SimRegistry builtin_simulators();

}  // namespace mas::sims
