#include "scale_served.hpp"

#include <chrono>
#include <cmath>
#include <cstddef>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "measurement.hpp"
#include "mosaik_bench.hpp"
#include "report.hpp"

namespace mas::bench {
namespace {

struct Size {
    std::size_t entities;
    std::size_t steps;
    const char* label;  // as in the growth figures' names
};

struct Rounds {
    std::vector<double> setup_s, steps_per_s;
};

// Starting the child, init, create and setup_done; then the timed steps.
void measure(const std::string& self, const Size& size, Rounds& out) {
    const auto start = Clock::now();
    MosaikBench bench(self, size.entities);
    out.setup_s.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    out.steps_per_s.push_back(bench.run(1, size.steps).per_s);
    bench.stop();
}

}  // namespace

void run_scale_served(const std::string& self, int rounds, Report& report) {
    const std::vector<Size> sizes{{1'000, 200, "1k"}, {10'000, 40, "10k"}, {100'000, 8, "100k"}};
    const double linear = std::log10(12.0);  // 10x the entities may cost at most 12x
    std::vector<Rounds> measured(sizes.size());
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        const auto name = fmt::format("scale.served.N{}", sizes[i].entities);
        for (int round = 1; round <= rounds; ++round) {
            spdlog::info("{} round {}/{}: {} time steps", name, round, rounds, sizes[i].steps);
            measure(self, sizes[i], measured[i]);
        }
        report.add_rounds(name + ".setup_s", measured[i].setup_s, "s");
        report.add_rounds(name + ".steps_per_s", measured[i].steps_per_s, "1/s");
    }
    for (std::size_t i = 1; i < sizes.size(); ++i) {
        const auto pair = fmt::format("{}_{}", sizes[i - 1].label, sizes[i].label);
        const double ratio = static_cast<double>(sizes[i].entities) / static_cast<double>(sizes[i - 1].entities);
        const auto exponent = [&](double small_cost, double big_cost) { return std::log(big_cost / small_cost) / std::log(ratio); };
        report.add("scale.served.growth_" + pair,
                   exponent(1 / median(measured[i - 1].steps_per_s), 1 / median(measured[i].steps_per_s)), "",
                   Goal{Goal::Kind::at_most, linear});
        report.add("scale.served.setup_growth_" + pair,
                   exponent(median(measured[i - 1].setup_s), median(measured[i].setup_s)), "",
                   Goal{Goal::Kind::at_most, linear});
    }
}

}  // namespace mas::bench
