#pragma once
// The simulators of simulators/ that mas-run can run in its own process ({"cpp": "<name>"}),
// under the names of their executables.

#include "mas/mosaik/orchestrator/sim_registry.hpp"

namespace mas::runner {

mosaik::SimRegistry builtin_simulators();

}  // namespace mas::runner
