// example-sim: mosaik's tutorial ExampleSim as a C++ executable.
// Under mosaik: sim_config = {"ExampleSim": {"cmd": "<path>/example-sim %(addr)s"}}.
#include <memory>

#include "example_sim.hpp"
#include "mas/mosaik/run_simulator.hpp"

int main(int argc, char** argv) {
    return mas::mosaik::run_simulator(argc, argv, [] { return std::make_unique<mas::sims::ExampleSim>(); });
}
