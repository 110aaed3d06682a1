// The orchestrator's fault matrix: mas-run with a simulator process that misbehaves in each way a
// real one can (tests/mosaik/data/faulty_sim.py), next to the C++ ExampleSim and the collector.
// Whatever the fault, mas-run exits with status 1 and one line naming the simulator, the call
// and (in the run) the simulated time; no simulator process is left; the collector's results up
// to the last completed step are on disk; and the trace asked for is written and valid JSON.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include "integration/child_process.hpp"
#include "mas/core/json_codec.hpp"
#include "mosaik/mas_run_support.hpp"
#include "support/test_pki.hpp"

using namespace mas;

namespace {

struct Fault {
    std::string name;                 // faulty_sim.py's FAULT
    std::vector<std::string> line;    // what the error line must contain, besides the sid
    bool in_run = true;               // after setup: the collector has results to keep
};

std::string scenario_with(const std::filesystem::path& dir, const std::string& faulty_config) {
    const auto scenario = dir / "faulty.json";
    std::ofstream(scenario) << R"({
      "sim_config": {"ExampleSim": {"cpp": "example-sim"}, "Faulty": )" << faulty_config << R"(,
                     "Collector": {"cmd": ")" << MAS_SIMULATORS_DIR << R"(/collector/collector %(addr)s"}},
      "world": {"start_timeout": 2},
      "sims": [{"name": "ExampleSim"}, {"name": "Faulty"},
               {"name": "Collector", "params": {"csv_path": ")" << (dir / "results.csv").string() << R"("}}],
      "entities": [{"name": "e", "sim": "ExampleSim-0", "model": "ExampleModel", "params": {"init_val": 0}},
                   {"name": "f", "sim": "Faulty-0", "model": "Node", "num": 2},
                   {"name": "monitor", "sim": "Collector-0", "model": "Monitor"}],
      "connections": [{"src": "e", "dest": "monitor", "attrs": ["val"]},
                      {"src": "f", "dest": "monitor", "attrs": ["val"]}],
      "until": 6
    })";
    return scenario.string();
}

std::vector<std::string> error_lines(const std::string& err) {
    std::vector<std::string> lines;
    for (const auto& line : test::split_lines(err)) {
        if (line.starts_with("mas-run: error:")) lines.push_back(line);
    }
    return lines;
}

void check_trace(const std::filesystem::path& trace) {
    const auto text = test::read_file(trace);
    REQUIRE_FALSE(text.empty());
    const auto json = JsonCodec().decode(text);
    CHECK((json.is_object() || json.is_array()));
}

}  // namespace

TEST_CASE("A simulator that misbehaves ends the run with one line, no process left and the results kept",
          "[mosaik][integration]") {
    const auto fault = GENERATE(
        Fault{"crash", {"closed its connection (during step)", "simulated time 3"}},
        Fault{"step_string", {"invalid reply to step", "got string \"soon\"", "simulated time 3"}},
        Fault{"get_data_list", {"invalid reply to get_data", "got array", "simulated time 3"}},
        Fault{"broken_frame", {"broke the protocol during step", "simulated time 3"}},
        Fault{"huge_frame", {"broke the protocol during step", "4000000000", "simulated time 3"}},
        Fault{"close_mid_frame", {"during step", "simulated time 3"}},
        Fault{"create_short", {"create(2, \"Node\") returned array of 1 elements instead of 2"}, false},
        Fault{"never_connect", {"did not connect"}, false});
    CAPTURE(fault.name);
    test::TempDir dir;
    const auto pid_file = dir.path() / "faulty.pid";
    const auto trace = dir.path() / "trace.json";
    const auto scenario = scenario_with(
        dir.path(), R"({"cmd": "%(python)s )" MAS_MOSAIK_TEST_DATA_DIR R"(/faulty_sim.py %(addr)s )" + fault.name +
                        " " + pid_file.string() + R"("})");
    auto r = test::mas_run({scenario, "--out", dir.path().string(), "--trace", trace.string()});
    INFO(r.err);
    CHECK(r.status.exited);
    CHECK(r.status.code == 1);
    const auto lines = error_lines(r.err);
    REQUIRE(lines.size() == 1);
    CHECK_THAT(lines[0], Catch::Contains("Faulty-0"));
    for (const auto& part : fault.line) CHECK_THAT(lines[0], Catch::Contains(part));
    CHECK(test::gone(pid_file));
    CHECK(test::no_children());
    check_trace(trace);
    if (fault.in_run) {
        // Time 2 is the last step every simulator completed: the collector wrote it on stop.
        const auto results = test::read_file(dir.path() / "results.csv");
        CHECK_THAT(results, Catch::Contains("\n2,ExampleSim-0.Model_0,val,3\n"));
        CHECK_THAT(results, Catch::Contains("\n2,Faulty-0.n0,val,2\n"));
    }
}

TEST_CASE("A connect simulator that is not there fails the start with one line naming it", "[mosaik][integration]") {
    test::TempDir dir;
    std::uint16_t port = 0;
    {
        asio::io_context io;
        asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
        port = probe.local_endpoint().port();
    }
    const auto trace = dir.path() / "trace.json";
    const auto scenario = scenario_with(dir.path(), R"({"connect": "127.0.0.1:)" + std::to_string(port) + R"("})");
    auto r = test::mas_run({scenario, "--out", dir.path().string(), "--trace", trace.string()});
    INFO(r.err);
    CHECK(r.status.code == 1);
    const auto lines = error_lines(r.err);
    REQUIRE(lines.size() == 1);
    CHECK_THAT(lines[0], Catch::Contains("Faulty-0"));
    CHECK_THAT(lines[0], Catch::Contains("127.0.0.1:" + std::to_string(port)));
    CHECK(test::no_children());
    check_trace(trace);
}
