// collector: records every value sent to it and writes a CSV table after the simulation, as a
// mosaik simulator. Its result, the summary line, goes to stdout.
// Under mosaik: sim_config = {"Collector": {"cmd": "<path>/collector %(addr)s"}} and
// world.start("Collector", csv_path="results.csv").
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "collector.hpp"
#include "mas/mosaik/run_simulator.hpp"

int main(int argc, char** argv) {
    return mas::mosaik::run_simulator(argc, argv, [] {
        return std::make_unique<mas::sims::Collector>([](const std::string& line) {
            fmt::print("{}\n", line);
            std::fflush(stdout);
        });
    });
}
