#pragma once
// The adapter side of issue 14's scale goals: a C++ simulator (ExampleSim, served by
// mas::mosaik::run_simulator in a child process) with thousands of entities driven the way mosaik
// drives it over TCP: create, then time steps of step with a delta for every entity and get_data
// of val and delta of all of them. Its cost must grow linearly with the entities, as the
// orchestrator's does.

#include <string>

namespace mas::bench {

class Report;

/// Runs the served simulator with 1,000, 10,000 and 100,000 entities, `rounds` times each, and
/// adds scale.served.* (setup seconds, steps per second, growth exponents) to `report`.
void run_scale_served(const std::string& self, int rounds, Report& report);

}  // namespace mas::bench
