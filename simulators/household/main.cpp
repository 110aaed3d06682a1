// household: households replaying a daily load profile, as a mosaik simulator.
// Under mosaik: sim_config = {"Household": {"cmd": "<path>/household %(addr)s"}}.
#include <memory>

#include "household_sim.hpp"
#include "mas/mosaik/run_simulator.hpp"

int main(int argc, char** argv) {
    return mas::mosaik::run_simulator(argc, argv, [] { return std::make_unique<mas::sims::HouseholdSim>(); });
}
