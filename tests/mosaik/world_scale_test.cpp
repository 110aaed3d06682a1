// A scenario of energy-research size through the path of a user's file (Scenario -> run_scenario
// -> World -> in-process simulators): 10,000 entities per simulator, connected one to one in an
// order that differs from their ids' byte order, and all of them collected by one Monitor, whose
// CSV must hold exactly the values the tutorial's ExampleModel computes.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "collector.hpp"
#include "example_sim.hpp"
#include "mas/core/block_on.hpp"
#include "mas/core/json_codec.hpp"
#include "mas/mosaik/orchestrator/run_scenario.hpp"
#include "mas/mosaik/orchestrator/scenario.hpp"
#include "mas/mosaik/orchestrator/sim_starter.hpp"
#include "support/test_pki.hpp"

using namespace mas;

namespace {

constexpr std::int64_t blocks = 1000;      // entity groups of the first simulator, init_val = block
constexpr std::int64_t block_size = 10;    // so 10,000 entities each
constexpr std::int64_t entities = blocks * block_size;
constexpr std::int64_t until = 4;

// A-0 has `blocks` groups "a<k>" of `block_size` entities with init_val k; B-0 one group "b" of
// all its entities with init_val 10. B's entity j gets its delta from A's block (blocks-1 - j /
// block_size), so the connection runs against both the creation order and the ids' byte order.
// All of B goes to the collector.
Json scenario(const std::filesystem::path& csv) {
    JsonArray groups;
    JsonArray sources;
    for (std::int64_t k = 0; k < blocks; ++k) {
        groups.push_back(Json::object({{"name", fmt::format("a{}", k)}, {"sim", "A-0"}, {"model", "ExampleModel"},
                                       {"num", block_size}, {"params", Json::object({{"init_val", k}})}}));
        sources.push_back(Json(fmt::format("a{}", blocks - 1 - k)));
    }
    groups.push_back(Json::object({{"name", "b"}, {"sim", "B-0"}, {"model", "ExampleModel"}, {"num", entities},
                                   {"params", Json::object({{"init_val", 10}})}}));
    groups.push_back(Json::object({{"name", "monitor"}, {"sim", "Collector-0"}, {"model", "Monitor"}}));
    const auto example = [](const char* sid) {
        return Json::object({{"name", "ExampleSim"}, {"sim_id", sid}, {"params", Json::object({{"eid_prefix", "M"}})}});
    };
    return Json::object({
        {"sim_config", Json::object({{"ExampleSim", Json::object({{"cpp", "example-sim"}})},
                                     {"Collector", Json::object({{"cpp", "collector"}})}})},
        {"sims", Json::array({example("A-0"), example("B-0"),
                              Json::object({{"name", "Collector"}, {"params", Json::object({{"csv_path", csv.string()}})}})})},
        {"entities", Json(std::move(groups))},
        {"connections", Json::array({Json::object({{"src", Json(std::move(sources))}, {"dest", "b"},
                                                   {"attrs", Json::array({Json::array({"val", "delta"})})},
                                                   {"mode", "one_to_one"}}),
                                     Json::object({{"src", "b"}, {"dest", "monitor"}, {"attrs", Json::array({"val", "delta"})}})})},
        {"until", until},
    });
}

// The CSV's rows as {(time, source, attribute): value}.
std::map<std::tuple<std::int64_t, std::string, std::string>, std::string> read_rows(const std::filesystem::path& csv) {
    std::ifstream in(csv);
    std::string line;
    std::getline(in, line);
    REQUIRE(line == "time,source,attribute,value");
    std::map<std::tuple<std::int64_t, std::string, std::string>, std::string> rows;
    while (std::getline(in, line)) {
        const auto a = line.find(',');
        const auto b = line.find(',', a + 1);
        const auto c = line.find(',', b + 1);
        rows.emplace(std::tuple(std::stoll(line.substr(0, a)), line.substr(a + 1, b - a - 1), line.substr(b + 1, c - b - 1)),
                     line.substr(c + 1));
    }
    return rows;
}

}  // namespace

TEST_CASE("A scenario with 10,000 entities per simulator delivers and collects every value exactly", "[mosaik][integration]") {
    test::TempDir dir;
    const auto csv = dir.path() / "scale.csv";
    const auto file = dir.path() / "scale.json";
    std::ofstream(file) << JsonCodec().encode(scenario(csv));

    mosaik::SimRegistry registry;
    registry.add("example-sim", [] { return std::make_unique<sims::ExampleSim>(); });
    registry.add("collector", [] { return std::make_unique<sims::Collector>([](const std::string&) {}); });
    mosaik::SimStarter starter(std::move(registry));
    asio::io_context io;
    const auto summary = block_on(io, mosaik::run_scenario(mosaik::Scenario::load(file), starter));
    CHECK(summary.steps == std::vector<std::pair<std::string, std::int64_t>>{{"A-0", until}, {"B-0", until}, {"Collector-0", until}});

    const auto rows = read_rows(csv);
    CHECK(rows.size() == static_cast<std::size_t>(until * entities * 2));
    std::size_t wrong = 0;
    for (std::int64_t j = 0; j < entities; ++j) {
        const std::int64_t g = blocks - 1 - j / block_size;  // the init_val of B's source
        const auto source = fmt::format("B-0.M{}", j);
        for (std::int64_t t = 0; t < until; ++t) {
            // A's val after its step t is g + t + 1; B adds it as delta at every step from 10 on.
            const std::int64_t delta = g + t + 1;
            const std::int64_t val = 10 + (t + 1) * g + (t + 1) * (t + 2) / 2;
            const auto d = rows.find(std::tuple(t, source, std::string("delta")));
            const auto v = rows.find(std::tuple(t, source, std::string("val")));
            const bool right = d != rows.end() && d->second == std::to_string(delta) && v != rows.end() &&
                               v->second == std::to_string(val);
            if (!right && wrong++ < 5) {
                UNSCOPED_INFO(fmt::format("{} at {}: delta {} (want {}), val {} (want {})", source, t,
                                          d == rows.end() ? "missing" : d->second, delta,
                                          v == rows.end() ? "missing" : v->second, val));
            }
        }
    }
    CHECK(wrong == 0);
}
