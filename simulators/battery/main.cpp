// battery: batteries following a power set point within their limits, as a mosaik simulator.
// Under mosaik: sim_config = {"Battery": {"cmd": "<path>/battery %(addr)s"}}.
#include <memory>

#include "battery_sim.hpp"
#include "mas/mosaik/run_simulator.hpp"

int main(int argc, char** argv) {
    return mas::mosaik::run_simulator(argc, argv, [] { return std::make_unique<mas::sims::BatterySim>(); });
}
