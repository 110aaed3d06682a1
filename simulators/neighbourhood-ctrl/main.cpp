// neighbourhood-ctrl: battery agents that charge from the neighbourhood's PV surplus and discharge
// under load. Under mosaik: sim_config = {"Controller": {"cmd": "<path>/neighbourhood-ctrl %(addr)s"}}.
#include <memory>

#include "mas/mosaik/run_simulator.hpp"
#include "neighbourhood_ctrl.hpp"

int main(int argc, char** argv) {
    return mas::mosaik::run_simulator(argc, argv, [] { return std::make_unique<mas::sims::NeighbourhoodCtrl>(); });
}
