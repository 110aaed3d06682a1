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
    const std::vector<Size> sizes{{1'000, 1000, "1k"}, {10'000, 100, "10k"}, {100'000, 10, "100k"}};
    const double linear = std::log10(12.0);  // 10x the entities may cost at most 12x
    std::vector<Rounds> measured(sizes.size());
    // Round by round through all sizes: a machine that slows down for a while weighs on every
    // size alike.
    for (int round = 1; round <= rounds; ++round) {
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            spdlog::info("scale.served.N{} round {}/{}: {} time steps", sizes[i].entities, round, rounds, sizes[i].steps);
            measure(self, sizes[i], measured[i]);
        }
    }
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        const auto name = fmt::format("scale.served.N{}", sizes[i].entities);
        report.add_rounds(name + ".setup_s", measured[i].setup_s, "s");
        report.add_rounds(name + ".steps_per_s", measured[i].steps_per_s, "1/s");
        std::vector<double> step_ms;
        for (const auto rate : measured[i].steps_per_s) step_ms.push_back(rate > 0 ? 1000 / rate : 0);
        report.add_rounds(name + ".step_ms", std::move(step_ms), "ms");
    }
    for (std::size_t i = 1; i < sizes.size(); ++i) {
        const auto pair = fmt::format("{}_{}", sizes[i - 1].label, sizes[i].label);
        const double ratio = static_cast<double>(sizes[i].entities) / static_cast<double>(sizes[i - 1].entities);
        const auto small = fmt::format("scale.served.N{}", sizes[i - 1].entities);
        const auto big = fmt::format("scale.served.N{}", sizes[i].entities);
        const Goal goal{Goal::Kind::at_most, linear};
        report.add_round_growth("scale.served.growth_" + pair, small + ".step_ms", big + ".step_ms", ratio, goal);
        report.add_round_growth("scale.served.setup_growth_" + pair, small + ".setup_s", big + ".setup_s", ratio, goal);
    }
    // Over the whole range, per 10x: the ends against each other, whatever cache one decade crosses.
    const auto& first = sizes.front();
    const auto& last = sizes.back();
    const double ratio = static_cast<double>(last.entities) / static_cast<double>(first.entities);
    const auto small = fmt::format("scale.served.N{}", first.entities);
    const auto big = fmt::format("scale.served.N{}", last.entities);
    const auto pair = fmt::format("{}_{}", first.label, last.label);
    report.add_round_growth("scale.served.growth_" + pair, small + ".step_ms", big + ".step_ms", ratio, std::nullopt);
    report.add_round_growth("scale.served.setup_growth_" + pair, small + ".setup_s", big + ".setup_s", ratio,
                            std::nullopt);
}

}  // namespace mas::bench
