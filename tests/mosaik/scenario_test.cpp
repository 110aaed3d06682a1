// Scenario files: the shipped scenarios load, the format expresses every connection option of
// mosaik (the recorded conformance scenarios converted, and mosaik's own loop scenarios), entity
// selections pair as documented, and paths and variables resolve against the scenario directory.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "mas/core/json.hpp"
#include "mas/core/json_codec.hpp"
#include "mas/mosaik/orchestrator/scenario.hpp"
#include "support/test_pki.hpp"

using namespace mas;
using mosaik::Scenario;
using mosaik::ScenarioOptions;

namespace {

const std::filesystem::path scenarios_dir = MAS_SCENARIOS_DIR;
const std::filesystem::path test_data_dir = MAS_MOSAIK_TEST_DATA_DIR;
const std::filesystem::path recorded_dir = std::filesystem::path(MAS_CONFORMANCE_DIR) / "mosaik" / "scenarios";

std::string read_text(const std::filesystem::path& path) {
    std::ifstream file(path);
    return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

// The pairs of a connection as "src -> dest" labels.
std::vector<std::string> pair_labels(const Scenario::Connection& connection) {
    std::vector<std::string> labels;
    for (const auto& pair : connection.pairs()) labels.push_back(pair.src.label + " -> " + pair.dest.label);
    return labels;
}

std::vector<std::string> attr_labels(const Scenario::Connection& connection) {
    std::vector<std::string> labels;
    for (const auto& attr : connection.attrs) labels.push_back(attr.src + "->" + attr.dest);
    return labels;
}

const Scenario::Command& command_of(const Scenario& scenario, const std::string& name) {
    return std::get<Scenario::Command>(scenario.sim_config(name).starter);
}

// The neutral description of a recorded scenario (conformance README) in the scenario format:
// entity groups get names, entries name their simulator by "sim", world_options become "world".
Json convert_recorded(const Json& recorded) {
    JsonObject out;
    JsonObject sim_config = recorded["sim_config"].as_object();
    for (auto& [name, config] : sim_config) {
        if (config.contains("connect")) config["connect"] = Json("127.0.0.1:${port}");
    }
    out.insert_or_assign("sim_config", Json(std::move(sim_config)));
    out.insert_or_assign("world", recorded["world_options"]);
    out.insert_or_assign("sims", recorded["sims"]);
    JsonArray entities;
    for (const auto& group : recorded["entities"].as_array()) {
        entities.push_back(Json::object({{"name", "e" + std::to_string(entities.size())},
                                         {"sim", group["sim_id"]},
                                         {"model", group["model"]},
                                         {"num", group["num"]},
                                         {"params", group["params"]}}));
    }
    out.insert_or_assign("entities", Json(std::move(entities)));
    out.insert_or_assign("connections", recorded["connections"]);
    const auto rename_sim = [&](const char* key) {
        if (!recorded.contains(key)) return;
        JsonArray items = recorded[key].as_array();
        for (auto& item : items) {
            Json sim = item["sim_id"];  // copied first: inserting "sim" may move the members
            item.as_object().erase("sim_id");
            item["sim"] = std::move(sim);
        }
        out.insert_or_assign(key, Json(std::move(items)));
    };
    rename_sim("initial_events");
    rename_sim("extra_method_calls");
    out.insert_or_assign("until", recorded["until"]);
    return Json(std::move(out));
}

}  // namespace

TEST_CASE("tutorial-demo1.json is mosaik's demo_1: three models connected many-to-one to the monitor", "[mosaik]") {
    const auto scenario = Scenario::load(scenarios_dir / "tutorial-demo1.json");
    CHECK(scenario.until() == 10);
    REQUIRE(scenario.sims().size() == 2);
    CHECK(scenario.sims()[0].sim_id == "ExampleSim-0");
    CHECK(scenario.sims()[1].sim_id == "Collector-0");
    CHECK(std::get<Scenario::InProcess>(scenario.sim_config("ExampleSim").starter).name == "example-sim");
    const auto& collector = command_of(scenario, "Collector");
    CHECK(collector.cmd ==
          (scenarios_dir.lexically_normal() / "../build/simulators/collector/collector").string() + " %(addr)s");
    CHECK(collector.cwd == scenarios_dir.lexically_normal());
    REQUIRE(scenario.connections().size() == 2);
    CHECK(pair_labels(scenario.connections()[1]) ==
          std::vector<std::string>{"more_models[0] -> monitor[0]", "more_models[1] -> monitor[0]"});
    CHECK(attr_labels(scenario.connections()[1]) == std::vector<std::string>{"val->val", "delta->delta"});
}

TEST_CASE("tutorial-demo2.json puts models and agents in one group and feeds delta back weakly", "[mosaik]") {
    const auto scenario = Scenario::load(scenarios_dir / "tutorial-demo2.json");
    CHECK(scenario.sims()[0].group == std::vector<std::string>{"control"});
    CHECK(scenario.sims()[1].group == std::vector<std::string>{"control"});
    CHECK(scenario.sims()[2].group.empty());
    REQUIRE(scenario.connections().size() == 4);
    const auto& feedback = scenario.connections()[1];
    CHECK(feedback.weak);
    CHECK(pair_labels(feedback) ==
          std::vector<std::string>{"agents[0] -> model_a[0]", "agents[1] -> model_b[0]", "agents[2] -> model_c[0]"});
    CHECK(scenario.connections()[2].pair_count() == 3);
}

TEST_CASE("demo.json describes the neighbourhood and its battery controllers", "[mosaik]") {
    ScenarioOptions options;
    options.variables["out_dir"] = "/tmp/results";
    const auto scenario = Scenario::load(scenarios_dir / "demo.json", options);
    CHECK(scenario.until() == 86400);
    CHECK(scenario.sims()[0].params.at("profile") ==
          Json((scenarios_dir.lexically_normal() / "data/household_load.csv").string()));
    CHECK(scenario.sims()[4].params.at("path") == Json("/tmp/results/demo.csv"));
    options.variables["results_format"] = "hdf5";
    CHECK(Scenario::load(scenarios_dir / "demo.json", options).sims()[4].params.at("path") ==
          Json("/tmp/results/demo.hdf5"));
    const auto& controllers = scenario.entities()[3];
    CHECK(controllers.model == "BatteryController");
    CHECK(controllers.num == 2);
    const auto& connections = scenario.connections();
    REQUIRE(connections.size() == 7);
    CHECK(connections[0].pair_count() == 8);  // four houses to each of two controllers
    CHECK(connections[2].time_shifted == 1);
    CHECK(connections[2].initial_data.at("soc") == Json(0.2));
    CHECK(pair_labels(connections[3]) ==
          std::vector<std::string>{"controllers[0] -> batteries[0]", "controllers[1] -> batteries[1]"});
    CHECK(connections[4].pair_count() == 6);  // houses and pv plants to the monitor
}

TEST_CASE("every recorded mosaik scenario converts into the format with the same facts", "[mosaik]") {
    const JsonCodec codec;
    const auto name = GENERATE(as<std::string>(), "a_time_based", "b_event_hybrid", "c2_set_event_rt",
                               "c_async_requests", "d_extra_methods", "e_step_exception", "f_connect_mode");
    INFO(name);
    const Json recorded = codec.decode(read_text(recorded_dir / (name + ".json")));
    ScenarioOptions options;
    options.variables["port"] = "5678";
    const auto scenario =
        Scenario::parse(codec.encode(convert_recorded(recorded)), (recorded_dir / (name + ".json")).string(), options);

    CHECK(scenario.until() == recorded["until"].get<std::int64_t>());
    const auto& world = recorded["world_options"];
    CHECK(scenario.world().time_resolution == (world.contains("time_resolution") ? 0.5 : 1.0));
    CHECK(scenario.world().rt_factor.has_value() == world.contains("rt_factor"));
    for (const auto& config : scenario.sim_configs()) {
        if (const auto* command = std::get_if<Scenario::Command>(&config.starter)) {
            CHECK(command->cwd == recorded_dir.lexically_normal());
            CHECK(command->env.count("SIMCLASS") == 1);
        } else {
            CHECK(std::get<Scenario::Connect>(config.starter).addr == "127.0.0.1:5678");
        }
    }
    REQUIRE(scenario.sims().size() == recorded["sims"].size());
    for (std::size_t i = 0; i < scenario.sims().size(); ++i) {
        CHECK(scenario.sims()[i].sim_id == recorded["sims"][i]["sim_id"].as_string());
        CHECK(Json(scenario.sims()[i].params) == recorded["sims"][i]["params"]);
    }
    REQUIRE(scenario.entities().size() == recorded["entities"].size());
    for (std::size_t i = 0; i < scenario.entities().size(); ++i) {
        CHECK(scenario.entities()[i].num == recorded["entities"][i]["num"].get<std::int64_t>());
        CHECK(Json(scenario.entities()[i].params) == recorded["entities"][i]["params"]);
    }
    REQUIRE(scenario.connections().size() == recorded["connections"].size());
    for (std::size_t i = 0; i < scenario.connections().size(); ++i) {
        const auto& connection = scenario.connections()[i];
        const auto& original = recorded["connections"][i];
        REQUIRE(connection.pair_count() == 1);
        CHECK(connection.pair(0).src.sim + "." + connection.pair(0).src.eid == original["src"].as_string());
        CHECK(connection.pair(0).dest.sim + "." + connection.pair(0).dest.eid == original["dest"].as_string());
        CHECK(connection.attrs.size() == original["attrs"].size());
        CHECK(connection.async_requests == original["async_requests"].get<bool>());
        CHECK(connection.weak == original["weak"].get<bool>());
    }
    CHECK(scenario.initial_events().size() ==
          (recorded.contains("initial_events") ? recorded["initial_events"].size() : 0));
    if (recorded.contains("extra_method_calls")) {
        const auto& calls = scenario.extra_method_calls();
        REQUIRE(calls.size() == 2);
        CHECK(calls[0].after_entities == 0);
        CHECK(calls[1].after_entities == 1);
        CHECK(Json(calls[1].kwargs) == recorded["extra_method_calls"][1]["kwargs"]);
    }
}

TEST_CASE(
    "the format expresses groups, weak loops, time shifts with initial data, async requests, initial "
    "events and extra method calls",
    "[mosaik]") {
    const auto scenario = Scenario::load(test_data_dir / "mosaik_features.json");
    const auto& sims = scenario.sims();
    CHECK(sims[2].sim_id == "Inner-0");
    CHECK(sims[2].group == std::vector<std::string>{"loop", "inner"});
    CHECK(scenario.world().max_loop_iterations == 20);
    CHECK_FALSE(scenario.world().lazy_stepping);
    CHECK(scenario.world().rt_factor == 0.5);
    CHECK(scenario.world().rt_strict);

    const auto& connections = scenario.connections();
    CHECK(connections[1].weak);
    CHECK(connections[2].weak);  // from the nested group into its parent
    CHECK(connections[4].time_shifted == 1);
    CHECK(connections[4].initial_data.at("val_out") == Json(-1));
    CHECK(connections[5].time_shifted == 2);
    CHECK(connections[5].initial_data.at("aux").is_null());
    CHECK(connections[6].async_requests);
    CHECK(pair_labels(connections[6]) == std::vector<std::string>{"nodes[0] -> ctl[0]", "nodes[1] -> ctl[0]"});
    CHECK(connections[7].attrs.empty());
    CHECK(connections[7].pair(0).src.eid == "Node_0_c0");
    CHECK_FALSE(connections[7].pair(0).src.group.has_value());

    REQUIRE(scenario.initial_events().size() == 1);
    CHECK(scenario.initial_events()[0].sim == "Gen-0");
    const auto& calls = scenario.extra_method_calls();
    CHECK(calls[0].after_entities == 0);
    CHECK(calls[1].after_entities == 7);  // right after "nodes", the seventh group
    CHECK(calls[1].args == JsonArray{Json("pre")});
    CHECK(command_of(scenario, "Node").cwd == recorded_dir.lexically_normal());
}

TEST_CASE("entity selections pick by index and slice, and list and pair entities as documented", "[mosaik]") {
    const std::string text = R"({
      "sim_config": {"A": {"cpp": "a"}, "B": {"cpp": "b"}},
      "sims": [{"name": "A"}, {"name": "B"}],
      "entities": [{"name": "xs", "sim": "A-0", "model": "X", "num": 4},
                   {"name": "ys", "sim": "B-0", "model": "Y", "num": 2}],
      "connections": [
        {"src": "xs[1]", "dest": "ys[-1]", "attrs": ["v"]},
        {"src": "xs[2:]", "dest": "ys", "attrs": ["v"], "mode": "one_to_one"},
        {"src": "xs[:2]", "dest": "ys", "attrs": ["v"], "mode": "all_to_all"},
        {"src": ["xs[0]", "A-0.X_9"], "dest": "ys[0]", "attrs": [["v", "w"]]},
      ],
      "until": 3,
    })";
    const auto scenario = Scenario::parse(text, "inline.json");
    const auto& c = scenario.connections();
    CHECK(pair_labels(c[0]) == std::vector<std::string>{"xs[1] -> ys[1]"});
    CHECK(pair_labels(c[1]) == std::vector<std::string>{"xs[2] -> ys[0]", "xs[3] -> ys[1]"});
    CHECK(pair_labels(c[2]) ==
          std::vector<std::string>{"xs[0] -> ys[0]", "xs[0] -> ys[1]", "xs[1] -> ys[0]", "xs[1] -> ys[1]"});
    CHECK(pair_labels(c[3]) == std::vector<std::string>{"xs[0] -> ys[0]", "A-0.X_9 -> ys[0]"});
    CHECK(c[3].pair(1).src.sim == "A-0");
    CHECK(c[0].pair(0).dest.group == 1);
    CHECK(c[0].pair(0).dest.index == 1);
}

TEST_CASE("sim ids are counted per sim_config name as mosaik does, skipping given ids", "[mosaik]") {
    const auto scenario = Scenario::parse(R"({"sim_config": {"A": {"cpp": "a"}, "B": {"cpp": "b"}},
      "sims": [{"name": "A"}, {"name": "B"}, {"name": "A", "sim_id": "special"}, {"name": "A"}],
      "until": 1})",
                                          "ids.json");
    std::vector<std::string> ids;
    for (const auto& sim : scenario.sims()) ids.push_back(sim.sim_id);
    CHECK(ids == std::vector<std::string>{"A-0", "B-0", "special", "A-1"});
}

TEST_CASE("relative paths and ${scenario_dir} resolve against the scenario's directory", "[mosaik]") {
    const test::TempDir dir;
    std::filesystem::create_directories(dir.path() / "nested");
    const auto path = dir.path() / "nested" / "s.json";
    std::ofstream(path) << R"({
      "variables": {"bin": "${scenario_dir}/bin", "cost": "$${not_a_variable} costs $5"},
      "sim_config": {
        "Here": {"cmd": "./sim %(addr)s"},
        "Sub": {"cmd": "${bin}/sim %(addr)s", "cwd": "work/..//run", "env": {"DATA": "${scenario_dir}/data"}},
        "Abs": {"cmd": "sim %(addr)s", "cwd": "/opt"}
      },
      "sims": [{"name": "Here", "params": {"profile": "${scenario_dir}/p.csv", "note": "${cost}",
                                           "list": ["${out_dir}/x.csv", 3]}}],
      "until": 1
    })";
    ScenarioOptions options;
    options.variables["out_dir"] = "/results";
    const auto scenario = Scenario::load(path, options);
    const auto base = (dir.path() / "nested").lexically_normal();
    CHECK(scenario.directory() == base);
    CHECK(command_of(scenario, "Here").cwd == base);
    CHECK(command_of(scenario, "Sub").cwd == base / "run");
    CHECK(command_of(scenario, "Sub").cmd == (base / "bin/sim").string() + " %(addr)s");
    CHECK(command_of(scenario, "Sub").env.at("DATA") == (base / "data").string());
    CHECK(command_of(scenario, "Abs").cwd == "/opt");
    const auto& params = scenario.sims()[0].params;
    CHECK(params.at("profile") == Json((base / "p.csv").string()));
    CHECK(params.at("note") == Json("${not_a_variable} costs $5"));
    CHECK(params.at("list") == Json::array({"/results/x.csv", 3}));
}

TEST_CASE("the caller's variables override the scenario's own", "[mosaik]") {
    const std::string text = R"({"variables": {"bin": "/default/bin"},
      "sim_config": {"S": {"cmd": "${bin}/s %(addr)s"}}, "sims": [{"name": "S"}], "until": 1})";
    CHECK(command_of(Scenario::parse(text, "v.json"), "S").cmd == "/default/bin/s %(addr)s");
    ScenarioOptions options;
    options.variables["bin"] = "/elsewhere";
    CHECK(command_of(Scenario::parse(text, "v.json", options), "S").cmd == "/elsewhere/s %(addr)s");
}

TEST_CASE("a step timeout is given in seconds", "[mosaik]") {
    const auto scenario = Scenario::parse(
        R"({"sim_config": {"S": {"connect": "localhost:5555"}}, "sims": [{"name": "S"}], "until": 1,
            "world": {"step_timeout": 2.5}})",
        "w.json");
    REQUIRE(scenario.world().step_timeout);
    CHECK(scenario.world().step_timeout->count() == 2.5);
}

TEST_CASE("world options default to mosaik's", "[mosaik]") {
    const auto scenario = Scenario::parse(
        R"({"sim_config": {"S": {"connect": "localhost:5555"}}, "sims": [{"name": "S"}], "until": 1})", "w.json");
    const auto& world = scenario.world();
    CHECK(world.time_resolution == 1.0);
    CHECK(world.max_loop_iterations == 100);
    CHECK(world.cache);
    CHECK(world.lazy_stepping);
    CHECK_FALSE(world.rt_factor);
    CHECK_FALSE(world.rt_strict);
    CHECK(world.start_timeout.count() == 10.0);
    CHECK_FALSE(world.step_timeout);
    CHECK(std::get<Scenario::Connect>(scenario.sim_config("S").starter).addr == "localhost:5555");
}
