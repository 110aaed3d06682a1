#include "scale_bench.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <asio/io_context.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "collector.hpp"
#include "example_sim.hpp"
#include "mas/core/block_on.hpp"
#include "mas/core/json_codec.hpp"
#include "mas/core/process.hpp"
#include "mas/mosaik/orchestrator/run_scenario.hpp"
#include "mas/mosaik/orchestrator/scenario.hpp"
#include "mas/mosaik/orchestrator/sim_starter.hpp"
#include "measurement.hpp"
#include "report.hpp"
#include "scale_served.hpp"

namespace mas::bench {
namespace {

using Clock = std::chrono::steady_clock;

Json entities(const std::string& name, std::size_t sim, std::size_t count, std::size_t init_val) {
    return Json::object({{"name", name}, {"sim", fmt::format("ExampleSim-{}", sim)}, {"model", "ExampleModel"},
                         {"num", count}, {"params", Json::object({{"init_val", init_val}})}});
}

Json connection(const std::string& src, const std::string& dest, Json attrs, const char* mode) {
    auto out = Json::object({{"src", src}, {"dest", dest}, {"attrs", std::move(attrs)}});
    if (mode) out["mode"] = mode;
    return out;
}

// The scenario as a user would write it for mas-run (docs/scenarios.md).
Json scenario_of(const ScaleCase& scale) {
    const auto val_to_delta = Json::array({Json::array({"val", "delta"})});
    JsonArray sims;
    JsonArray groups;
    JsonArray connections;
    auto config = Json::object({{"ExampleSim", Json::object({{"cpp", "example-sim"}})}});
    const auto example_sim = Json::object({{"name", "ExampleSim"}, {"params", Json::object({{"eid_prefix", "Model_"}})}});
    switch (scale.shape) {
    case ScaleCase::Shape::chain:
        for (std::size_t i = 0; i < scale.sims; ++i) {
            sims.push_back(example_sim);
            groups.push_back(entities(fmt::format("m{}", i), i, scale.entities, i));
            if (i > 0) connections.push_back(connection(fmt::format("m{}", i - 1), fmt::format("m{}", i), val_to_delta, "one_to_one"));
        }
        break;
    case ScaleCase::Shape::fan_in:
        config["Collector"] = Json::object({{"cpp", "collector"}});
        sims.push_back(example_sim);
        sims.push_back(Json::object({{"name", "Collector"}}));
        groups.push_back(entities("models", 0, scale.entities, 0));
        groups.push_back(Json::object({{"name", "monitor"}, {"sim", "Collector-0"}, {"model", "Monitor"}}));
        connections.push_back(connection("models", "monitor", Json::array({"val", "delta"}), nullptr));
        break;
    case ScaleCase::Shape::all_to_all:
        sims.push_back(example_sim);
        sims.push_back(example_sim);
        groups.push_back(entities("a", 0, scale.entities, 0));
        groups.push_back(entities("b", 1, scale.entities, 1));
        connections.push_back(connection("a", "b", val_to_delta, "all_to_all"));
        break;
    }
    return Json::object({{"sim_config", std::move(config)}, {"sims", Json(std::move(sims))},
                         {"entities", Json(std::move(groups))}, {"connections", Json(std::move(connections))},
                         {"until", scale.until}});
}

std::size_t entity_count(const ScaleCase& scale) {
    switch (scale.shape) {
    case ScaleCase::Shape::chain: return scale.sims * scale.entities;
    case ScaleCase::Shape::fan_in: return scale.entities + 1;
    case ScaleCase::Shape::all_to_all: return 2 * scale.entities;
    }
    return 0;
}

// A line "<name>: <n> kB" of /proc/self/status, in KiB.
double status_kib(const std::string& name) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with(name + ":")) return std::strtod(line.c_str() + name.size() + 1, nullptr);
    }
    throw std::runtime_error("no " + name + " in /proc/self/status");
}

mosaik::SimRegistry scale_simulators() {
    mosaik::SimRegistry registry;
    registry.add("example-sim", [] { return std::make_unique<sims::ExampleSim>(); });
    registry.add("collector", [] { return std::make_unique<sims::Collector>([](const std::string&) {}); });
    return registry;
}

// Runs the scenario as mas-run does; returns the result as the child reports it.
Json measure(const std::string& path, std::size_t entity_total) {
    const double base_kib = status_kib("VmRSS");
    const auto start = Clock::now();
    const auto scenario = mosaik::Scenario::load(path);
    std::optional<Clock::time_point> first_step;
    Clock::time_point last_step_end;
    mosaik::ScenarioRunOptions options;
    options.step_inputs = false;
    options.on_step = [&](const mosaik::StepRecord& record) {
        if (!first_step) first_step = record.start;
        last_step_end = record.end;
    };
    mosaik::SimStarter starter(scale_simulators());
    asio::io_context io;
    const auto summary = block_on(io, mosaik::run_scenario(scenario, starter, options));
    const auto end = Clock::now();
    for (const auto& [sid, steps] : summary.steps) {
        if (steps != summary.until) {
            throw std::runtime_error(fmt::format("{} stepped {} times, not {}", sid, steps, summary.until));
        }
    }
    const double peak_kib = status_kib("VmHWM");
    const auto seconds = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
    return Json::object({{"setup_s", seconds(*first_step - start)},
                         {"run_s", seconds(last_step_end - *first_step)},
                         {"total_s", seconds(end - start)},
                         {"peak_mib", peak_kib / 1024},
                         {"bytes_per_entity", (peak_kib - base_kib) * 1024 / static_cast<double>(entity_total)}});
}

}  // namespace

int run_scale_child(int argc, char** argv) {
    if (argc != 4) {
        fmt::print(stderr, "mas-bench {}: expects SCENARIO ENTITIES RESULT_FILE\n", scale_child_flag);
        return 2;
    }
    try {
        spdlog::set_level(spdlog::level::warn);
        const auto result = measure(argv[1], std::stoul(argv[2]));
        std::ofstream(argv[3]) << JsonCodec().encode(result);
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "mas-bench {}: error: {}\n", scale_child_flag, e.what());
        return 1;
    }
}

namespace {

// mosaik 3.3.3 with the tutorial's ExampleSim on the same kind of machine (issue 14's table).
constexpr double mosaik_chain_10x10k_steps_per_s = 20 / 9.33;
constexpr double mosaik_fan_in_10k_steps_per_s = 20 / 1.08;
// 10x the entities may cost at most 12x: a growth exponent of log10(12).
const double linear_growth = std::log10(12.0);

struct Sized {
    struct Case {
        ScaleCase scale;
        std::int64_t longer_until;  // the run the marginal step is measured against
    };
    std::string label;  // e.g. "N10000"
    Case run;
};

struct Series {
    std::string prefix;        // e.g. "scale.chain.S10"
    std::vector<Sized> sizes;  // growing by 10x
    std::vector<std::string> growth_goals;  // "<from>_<to>" pairs checked against linear_growth
};

std::vector<Series> scale_series() {
    using Shape = ScaleCase::Shape;
    // `until` is the run every figure but the marginal step comes from (mosaik's own runs for the
    // goals that compare); `longer` is the run the marginal step is taken against, long enough
    // (0.3-1.5 s) that the difference between the two stands well above a run's noise.
    const auto chain = [](std::size_t sims, std::size_t n, std::int64_t until, std::int64_t longer) {
        return Sized::Case{ScaleCase{Shape::chain, sims, n, until}, longer};
    };
    const auto fan_in = [](std::size_t n, std::int64_t until, std::int64_t longer) {
        return Sized::Case{ScaleCase{Shape::fan_in, 1, n, until}, longer};
    };
    return {
        {"scale.chain.S10",
         {{"N100", chain(10, 100, 2000, 20'000)}, {"N1000", chain(10, 1000, 200, 2000)},
          {"N10000", chain(10, 10'000, 20, 200)}, {"N100000", chain(10, 100'000, 10, 40)}},
         {"1k_10k", "10k_100k"}},
        {"scale.chain.N100",
         {{"S10", chain(10, 100, 2000, 20'000)}, {"S100", chain(100, 100, 200, 2000)},
          {"S1000", chain(1000, 100, 20, 200)}},
         {"S10_S100", "S100_S1000"}},
        {"scale.fanin",
         {{"N1000", fan_in(1000, 500, 10'000)}, {"N10000", fan_in(10'000, 100, 1000)},
          {"N100000", fan_in(100'000, 20, 200)}},
         {"1k_10k", "10k_100k"}},
        {"scale.all_to_all", {{"300x300", {ScaleCase{Shape::all_to_all, 2, 300, 100}, 1000}}}, {}},
    };
}

std::string size_name(const std::string& label) {
    // "N10000" -> "10k", "S100" stays "S100": the growth figures' names of the issue.
    if (!label.starts_with("N")) return label;
    const auto n = std::stoul(label.substr(1));
    return n >= 1000 ? fmt::format("{}k", n / 1000) : std::to_string(n);
}

struct Measured {
    std::vector<double> setup_s, steps_per_s, total_s, peak_mib, bytes_per_entity;
    // (run of longer_until - run of until) / (longer_until - until): a step's cost without the
    // one-off work of the first steps, which a run of `until` steps shares out over them.
    std::vector<double> marginal_step_s;
    std::size_t entities = 0;
};

// One round of a case: a run of `until` steps for every figure, and a longer one for the
// marginal step.
void measure_round(const std::string& self, const std::string& dir, const std::string& name,
                   const Sized::Case& sized, int round, int rounds, Measured& m) {
    const auto& scale = sized.scale;
    spdlog::info("{} round {}/{}: {} and {} time steps", name, round, rounds, scale.until, sized.longer_until);
    const auto r = run_scale_case(self, dir, scale);
    auto longer_case = scale;
    longer_case.until = sized.longer_until;
    const auto longer = run_scale_case(self, dir, longer_case);
    m.entities = r.entities;
    m.setup_s.push_back(r.setup_s);
    m.steps_per_s.push_back(static_cast<double>(scale.until) / r.run_s);
    m.marginal_step_s.push_back((longer.run_s - r.run_s) / static_cast<double>(sized.longer_until - scale.until));
    m.total_s.push_back(r.total_s);
    m.peak_mib.push_back(r.peak_mib);
    m.bytes_per_entity.push_back(r.bytes_per_entity);
}

// The goals of issue 14 that name one case.
std::optional<Goal> case_goal(const std::string& name) {
    if (name == "scale.chain.S10.N10000.setup_s") return Goal{Goal::Kind::at_most, 0.15};
    if (name == "scale.chain.S10.N100000.total_s") return Goal{Goal::Kind::below, 10};
    if (name == "scale.chain.S10.N100000.peak_mib") return Goal{Goal::Kind::below, 2048};
    return std::nullopt;
}

void report_case(Report& report, const std::string& name, const Measured& m) {
    report.add_rounds(name + ".setup_s", m.setup_s, "s", case_goal(name + ".setup_s"));
    report.add_rounds(name + ".steps_per_s", m.steps_per_s, "1/s");
    std::vector<double> marginal_ms;
    for (const auto s : m.marginal_step_s) marginal_ms.push_back(s * 1000);
    report.add_rounds(name + ".marginal_step_ms", marginal_ms, "ms");
    report.add_rounds(name + ".total_s", m.total_s, "s", case_goal(name + ".total_s"));
    report.add_rounds(name + ".peak_mib", m.peak_mib, "MiB", case_goal(name + ".peak_mib"));
    report.add(name + ".bytes_per_entity", median(m.bytes_per_entity), "B");
    if (name == "scale.chain.S10.N10000") {
        report.add_ratio(name + ".vs_mosaik", median(m.steps_per_s), mosaik_chain_10x10k_steps_per_s,
                         Goal{Goal::Kind::at_least, 20});
    }
    if (name == "scale.fanin.N100000") {
        report.add_ratio(name + ".vs_mosaik_10k", median(m.steps_per_s), mosaik_fan_in_10k_steps_per_s,
                         Goal{Goal::Kind::at_least, 10});
    }
}

}  // namespace

void run_scale(const std::string& self, int rounds, Report& report) {
    const auto dir = std::filesystem::temp_directory_path() / fmt::format("mas-bench-scale-{}", ::getpid());
    std::filesystem::create_directories(dir);
    for (const auto& series : scale_series()) {
        // Round by round through all sizes, so that a machine that slows down for a while
        // weighs on every size alike, not on the growth between two of them.
        std::vector<Measured> measured(series.sizes.size());
        for (int round = 1; round <= rounds; ++round) {
            for (std::size_t i = 0; i < series.sizes.size(); ++i) {
                const auto& sized = series.sizes[i];
                measure_round(self, dir.string(), series.prefix + "." + sized.label, sized.run, round, rounds,
                              measured[i]);
            }
        }
        for (std::size_t i = 0; i < series.sizes.size(); ++i) {
            report_case(report, series.prefix + "." + series.sizes[i].label, measured[i]);
        }
        for (std::size_t i = 1; i < measured.size(); ++i) {
            const auto pair = size_name(series.sizes[i - 1].label) + "_" + size_name(series.sizes[i].label);
            const bool goal = std::find(series.growth_goals.begin(), series.growth_goals.end(), pair) !=
                              series.growth_goals.end();
            const auto limit = goal ? std::optional(Goal{Goal::Kind::at_most, linear_growth}) : std::nullopt;
            const auto small = series.prefix + "." + series.sizes[i - 1].label;
            const auto big = series.prefix + "." + series.sizes[i].label;
            const auto size_ratio =
                static_cast<double>(measured[i].entities) / static_cast<double>(measured[i - 1].entities);
            report.add_round_growth(series.prefix + ".growth_" + pair, small + ".marginal_step_ms",
                                    big + ".marginal_step_ms", size_ratio, limit);
            report.add_round_growth(series.prefix + ".setup_growth_" + pair, small + ".setup_s", big + ".setup_s",
                                    size_ratio, limit);
        }
        // The exponent over the whole range of the goal (per 10x, averaged over the decades):
        // one decade may cross a cache size the next does not, and this says where the ends
        // stand against each other.
        if (series.growth_goals.size() > 1) {
            const auto first = series.growth_goals.front().substr(0, series.growth_goals.front().find('_'));
            const auto last = series.growth_goals.back().substr(series.growth_goals.back().find('_') + 1);
            const auto at = [&](const std::string& name) {
                return std::find_if(series.sizes.begin(), series.sizes.end(),
                                    [&](const Sized& s) { return size_name(s.label) == name; }) -
                       series.sizes.begin();
            };
            const auto i = static_cast<std::size_t>(at(first));
            const auto j = static_cast<std::size_t>(at(last));
            if (i < j && j < measured.size()) {
                const auto small = series.prefix + "." + series.sizes[i].label;
                const auto big = series.prefix + "." + series.sizes[j].label;
                const auto size_ratio =
                    static_cast<double>(measured[j].entities) / static_cast<double>(measured[i].entities);
                const auto pair = first + "_" + last;
                report.add_round_growth(series.prefix + ".growth_" + pair, small + ".marginal_step_ms",
                                        big + ".marginal_step_ms", size_ratio, std::nullopt);
                report.add_round_growth(series.prefix + ".setup_growth_" + pair, small + ".setup_s",
                                        big + ".setup_s", size_ratio, std::nullopt);
            }
        }
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    run_scale_served(self, rounds, report);
}

ScaleResult run_scale_case(const std::string& self, const std::string& dir, const ScaleCase& scale) {
    const auto scenario_path = (std::filesystem::path(dir) / "scale.json").string();
    const auto result_path = (std::filesystem::path(dir) / "result.json").string();
    std::filesystem::remove(result_path);
    std::ofstream(scenario_path) << JsonCodec().encode(scenario_of(scale));
    const auto total = entity_count(scale);
    ProcessOptions options;
    options.executable = self;
    options.argv = {self, std::string(scale_child_flag), scenario_path, std::to_string(total), result_path};
    asio::io_context io;
    Process child(io.get_executor(), options);
    const auto status = block_on(io, child.wait());
    if (!status.success()) throw std::runtime_error(fmt::format("the scale child ended with {}", status.to_string()));
    std::ifstream in(result_path);
    std::stringstream text;
    text << in.rdbuf();
    const auto reply = JsonCodec().decode(text.str());
    ScaleResult out;
    out.setup_s = reply["setup_s"].get<double>();
    out.run_s = reply["run_s"].get<double>();
    out.total_s = reply["total_s"].get<double>();
    out.peak_mib = reply["peak_mib"].get<double>();
    out.bytes_per_entity = reply["bytes_per_entity"].get<double>();
    out.entities = total;
    return out;
}

}  // namespace mas::bench
