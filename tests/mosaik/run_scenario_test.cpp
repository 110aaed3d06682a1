// run_scenario's account of a run (run_scenario.hpp): the simulators' connections, one per pair of
// simulators and options with every attribute pair, and the entities' types when asked; what
// mas-run's report draws its scenario graph and groups its plots from.
#include "mas/mosaik/orchestrator/run_scenario.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "collector.hpp"
#include "example_sim.hpp"
#include "mas/core/block_on.hpp"
#include "mas/core/json_codec.hpp"
#include "mas/mosaik/orchestrator/scenario.hpp"
#include "mas/mosaik/orchestrator/sim_starter.hpp"
#include "support/test_pki.hpp"

using namespace mas;

namespace {

// A and B of three ExampleModels each, connected both ways (B back to A a step later), two
// entries from A to B with the same options, and both into one Monitor.
Json scenario() {
    const auto group = [](const char* name, const char* sim, std::int64_t num) {
        return Json::object({{"name", name}, {"sim", sim}, {"model", "ExampleModel"}, {"num", num},
                             {"params", Json::object({{"init_val", 1}})}});
    };
    const auto link = [](const char* src, const char* dest, Json attrs) {
        return Json::object({{"src", src}, {"dest", dest}, {"attrs", std::move(attrs)}, {"mode", "one_to_one"}});
    };
    auto back = link("b", "a", Json::array({Json::array({"val", "delta"})}));
    back["time_shifted"] = true;
    back["initial_data"] = Json::object({{"val", 0}});
    auto to_monitor = Json::object({{"src", Json::array({"a", "b"})}, {"dest", "monitor"}, {"attrs", Json::array({"val"})}});
    return Json::object({
        {"sim_config", Json::object({{"ExampleSim", Json::object({{"cpp", "example-sim"}})},
                                     {"Collector", Json::object({{"cpp", "collector"}})}})},
        {"sims", Json::array({Json::object({{"name", "ExampleSim"}, {"sim_id", "A"}}),
                              Json::object({{"name", "ExampleSim"}, {"sim_id", "B"}}),
                              Json::object({{"name", "Collector"}})})},
        {"entities", Json::array({group("a", "A", 3), group("b", "B", 3),
                                  Json::object({{"name", "monitor"}, {"sim", "Collector-0"}, {"model", "Monitor"}})})},
        {"connections", Json::array({link("a", "b", Json::array({Json::array({"val", "delta"})})),
                                     link("a", "b", Json::array({"delta"})), std::move(back), std::move(to_monitor)})},
        {"until", 3},
    });
}

mosaik::ScenarioSummary run(bool entity_types) {
    test::TempDir dir;
    const auto file = dir.path() / "links.json";
    std::ofstream(file) << JsonCodec().encode(scenario());
    mosaik::SimRegistry registry;
    registry.add("example-sim", [] { return std::make_unique<sims::ExampleSim>(); });
    registry.add("collector", [] { return std::make_unique<sims::Collector>([](const std::string&) {}); });
    mosaik::SimStarter starter(std::move(registry));
    asio::io_context io;
    mosaik::ScenarioRunOptions options;
    options.entity_types = entity_types;
    return block_on(io, mosaik::run_scenario(mosaik::Scenario::load(file), starter, options));
}

}  // namespace

TEST_CASE("A run's summary has a connection per pair of simulators and options, with every attribute pair",
          "[mosaik][integration]") {
    const auto summary = run(false);
    using Attrs = std::vector<std::pair<std::string, std::string>>;
    REQUIRE(summary.links.size() == 4);
    CHECK(summary.links[0].src == "A");
    CHECK(summary.links[0].dest == "B");
    CHECK(summary.links[0].attrs == Attrs{{"val", "delta"}, {"delta", "delta"}});
    CHECK(summary.links[0].time_shifted == 0);
    CHECK_FALSE(summary.links[0].weak);
    CHECK(summary.links[1].src == "B");
    CHECK(summary.links[1].dest == "A");
    CHECK(summary.links[1].attrs == Attrs{{"val", "delta"}});
    CHECK(summary.links[1].time_shifted == 1);
    CHECK(summary.links[2].src == "A");
    CHECK(summary.links[2].dest == "Collector-0");
    CHECK(summary.links[2].attrs == Attrs{{"val", "val"}});
    CHECK(summary.links[3].src == "B");
    CHECK(summary.links[3].dest == "Collector-0");
    CHECK(summary.entity_types.empty());  // not asked for
}

TEST_CASE("A run's summary lists every created entity's type when asked", "[mosaik][integration]") {
    const auto summary = run(true);
    using Types = std::vector<std::pair<std::string, std::string>>;
    CHECK(summary.entity_types == Types{{"A.Model_0", "ExampleModel"}, {"A.Model_1", "ExampleModel"},
                                        {"A.Model_2", "ExampleModel"}, {"B.Model_0", "ExampleModel"},
                                        {"B.Model_1", "ExampleModel"}, {"B.Model_2", "ExampleModel"},
                                        {"Collector-0.Monitor", "Monitor"}});
}
