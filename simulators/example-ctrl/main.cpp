// example-ctrl: mosaik's tutorial demo controller as a container of C++ agents.
// Under mosaik: sim_config = {"ExampleCtrl": {"cmd": "<path>/example-ctrl %(addr)s"}}.
#include <memory>

#include "example_ctrl.hpp"
#include "mas/mosaik/run_simulator.hpp"

int main(int argc, char** argv) {
    return mas::mosaik::run_simulator(argc, argv, [] { return std::make_unique<mas::sims::ExampleCtrl>(); });
}
