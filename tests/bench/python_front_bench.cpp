#include "python_front_bench.hpp"

#include <array>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "mas/core/json_codec.hpp"
#include "measurement.hpp"
#include "report.hpp"

namespace mas::bench {
namespace {

// mosaik 3.3.3 on this kind of machine (issue 17): two in-process Python simulators, 20,000
// steps; a chain of ten of them with 100 entities each.
constexpr double mosaik_pair_steps_per_s = 12'500;
constexpr double mosaik_chain_steps_per_s = 703;

struct Case {
    const char* name;
    int steps;
    double mosaik_steps_per_s;
};

std::string quoted(const std::string& s) {
    std::string out = "'";
    for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// One child run: its JSON line.
Json run_child(const std::string& case_name, const std::string& mode, int steps) {
#ifdef MAS_PYTHON_EXECUTABLE
    const auto command = fmt::format("env PYTHONPATH={}:{} PYTHONDONTWRITEBYTECODE=1 {} {} {} {} {}",
                                     quoted(MAS_PYTHON_BUILD_DIR), quoted(MAS_BENCH_SOURCE_DIR),
                                     quoted(MAS_PYTHON_EXECUTABLE), quoted(MAS_BENCH_SOURCE_DIR "/python_bench.py"),
                                     case_name, mode, steps);
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) throw std::runtime_error("cannot start " + command);
    std::string output;
    std::array<char, 4096> buffer{};
    while (const auto n = std::fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    if (status != 0) throw std::runtime_error(fmt::format("{} failed (status {})", command, status));
    return JsonCodec().decode(output);
#else
    (void)case_name;
    (void)mode;
    (void)steps;
    throw std::runtime_error("mas-bench was built without the Python package (MAS_BUILD_PYTHON=OFF)");
#endif
}

}  // namespace

bool python_part_available() {
#ifdef MAS_PYTHON_EXECUTABLE
    return true;
#else
    return false;
#endif
}

void run_python_front(int rounds, Report& report) {
    const std::vector<Case> cases{{"pair", 20'000, mosaik_pair_steps_per_s}, {"chain10", 2'000, mosaik_chain_steps_per_s}};
    for (const auto& c : cases) {
        std::vector<double> mas_rate, floor_rate, setup;
        // Alternating, so that a machine that slows down for a while weighs on both alike.
        for (int round = 1; round <= rounds; ++round) {
            spdlog::info("python.{} round {}/{}: {} steps on mas.mosaik and as a plain loop", c.name, round, rounds,
                         c.steps);
            const auto mas = run_child(c.name, "mas", c.steps);
            mas_rate.push_back(mas["steps_per_s"].get<double>());
            setup.push_back(mas["setup_s"].get<double>());
            floor_rate.push_back(run_child(c.name, "floor", c.steps)["steps_per_s"].get<double>());
        }
        const auto name = fmt::format("python.{}", c.name);
        report.add_rounds(name + ".steps_per_s", mas_rate, "1/s");
        report.add_rounds(name + ".setup_s", setup, "s");
        report.add_rounds(name + ".floor_steps_per_s", floor_rate, "1/s");
        report.add_round_ratio(name + ".vs_floor", name + ".steps_per_s", name + ".floor_steps_per_s",
                               Goal{Goal::Kind::at_least, 0.7});
        report.add_ratio(name + ".vs_mosaik", median(mas_rate), c.mosaik_steps_per_s, Goal{Goal::Kind::at_least, 5});
    }
}

}  // namespace mas::bench
