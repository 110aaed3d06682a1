// pv: photovoltaic systems driven by a daily irradiance profile, as a mosaik simulator.
// Under mosaik: sim_config = {"PV": {"cmd": "<path>/pv %(addr)s"}}.
#include <memory>

#include "mas/mosaik/run_simulator.hpp"
#include "pv_sim.hpp"

int main(int argc, char** argv) {
    return mas::mosaik::run_simulator(argc, argv, [] { return std::make_unique<mas::sims::PvSim>(); });
}
