#include "builtin_simulators.hpp"

#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "battery_sim.hpp"
#include "collector.hpp"
#include "example_ctrl.hpp"
#include "example_sim.hpp"
#include "household_sim.hpp"
#include "neighbourhood_ctrl.hpp"
#include "pv_sim.hpp"

namespace mas::sims {

mosaik::SimRegistry builtin_simulators(LineOutput collector_output) {
    if (!collector_output) {
        collector_output = [](const std::string& line) {
            fmt::print("{}\n", line);
            std::fflush(stdout);
        };
    }
    mosaik::SimRegistry registry;
    registry.add("example-sim", [] { return std::make_unique<sims::ExampleSim>(); });
    registry.add("example-ctrl", [] { return std::make_unique<sims::ExampleCtrl>(); });
    registry.add("neighbourhood-ctrl", [] { return std::make_unique<sims::NeighbourhoodCtrl>(); });
    registry.add("household", [] { return std::make_unique<sims::HouseholdSim>(); });
    registry.add("pv", [] { return std::make_unique<sims::PvSim>(); });
    registry.add("battery", [] { return std::make_unique<sims::BatterySim>(); });
    registry.add("collector", [collector_output] { return std::make_unique<sims::Collector>(collector_output); });
    return registry;
}

}  // namespace mas::sims
