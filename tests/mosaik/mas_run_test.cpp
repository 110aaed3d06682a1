// mas-run as a user runs it: real processes, results on disk, exit codes and one-line reasons.
#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "integration/child_process.hpp"
#include "support/test_pki.hpp"

using namespace mas;

namespace {

const auto guard = std::chrono::seconds(120);

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

struct RunResult {
    test::ExitStatus status;
    std::string out;
    std::string err;
};

RunResult mas_run(const std::vector<std::string>& args) {
    test::ChildProcess child(MAS_RUN_EXE, args);
    RunResult result;
    result.status = child.wait(guard);
    result.out = child.output(test::Stream::out);
    result.err = child.output(test::Stream::err);
    return result;
}

bool no_children() { return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD; }

}  // namespace

TEST_CASE("mas-run runs tutorial-demo2 with every simulator as a process, as it does in process", "[mosaik][integration]") {
    test::TempDir dir;
    const auto in_process = dir.path() / "in-process";
    const auto processes = dir.path() / "processes";
    const std::string set_bin = "sim_bin=" MAS_SIMULATORS_DIR;
    auto a = mas_run({std::string(MAS_SCENARIOS_DIR) + "/tutorial-demo2.json", "--out", in_process.string(), "--set", set_bin});
    INFO(a.err);
    REQUIRE(a.status.success());
    auto b = mas_run({std::string(MAS_MOSAIK_TEST_DATA_DIR) + "/tutorial-demo2-processes.json", "--out", processes.string(),
                      "--set", set_bin, "--trace", (dir.path() / "trace.json").string()});
    INFO(b.err);
    REQUIRE(b.status.success());
    const auto series = read_file(processes / "tutorial-demo2.csv");
    CHECK(series == read_file(in_process / "tutorial-demo2.csv"));
    // By hand: Model_2 starts at 2, steps to 3 at (0, 0); its agent answers delta -1 through the
    // weak connection, so at (0, 1) every model steps again, Model_2 with delta -1.
    CHECK_THAT(series, Catch::StartsWith("time,source,attribute,value\n"
                                         "0,ExampleCtrl-0.Agent_2,delta,-1\n"
                                         "0,ExampleSim-0.Model_0,delta,1\n"
                                         "0,ExampleSim-0.Model_0,val,0\n"
                                         "0,ExampleSim-0.Model_1,delta,1\n"
                                         "0,ExampleSim-0.Model_1,val,2\n"
                                         "0,ExampleSim-0.Model_2,delta,-1\n"
                                         "0,ExampleSim-0.Model_2,val,2\n"));
    CHECK_THAT(b.out, Catch::Contains("ExampleSim-0                     20 steps"));
    CHECK_THAT(read_file(dir.path() / "trace.json"), Catch::Contains("\"name\": \"ExampleSim-0~0:1\""));
    CHECK(no_children());
}

TEST_CASE("mas-run stops with one line naming the simulator that failed, and leaves nothing running",
          "[mosaik][integration]") {
    test::TempDir dir;
    const auto scenario = dir.path() / "crash.json";
    std::ofstream(scenario) << R"({
      "sim_config": {"ExampleSim": {"cpp": "example-sim"}, "Broken": {"cmd": "/bin/sh -c 'exit 3' %(addr)s"}},
      "sims": [{"name": "ExampleSim"}, {"name": "Broken"}],
      "until": 5
    })";
    auto r = mas_run({scenario.string(), "--out", dir.path().string()});
    CHECK(r.status.exited);
    CHECK(r.status.code == 1);
    CHECK_THAT(r.err, Catch::Contains("mas-run: error:") && Catch::Contains("Broken-0"));
    CHECK(no_children());
}

TEST_CASE("mas-run reports a mistake in the scenario file with its place", "[mosaik][integration]") {
    test::TempDir dir;
    const auto scenario = dir.path() / "typo.json";
    std::ofstream(scenario) << "{\n  \"sim_config\": {},\n  \"sims\": [],\n  \"untill\": 5\n}\n";
    auto r = mas_run({scenario.string()});
    CHECK(r.status.code == 1);
    CHECK_THAT(r.err, Catch::Contains("mas-run: error: " + scenario.string() + ":4:"));
}

TEST_CASE("mas-run fails a simulator process that hangs in a step after --step-timeout, and kills it",
          "[mosaik][integration]") {
    test::TempDir dir;
    const auto scenario = dir.path() / "hang.json";
    const auto pid_file = dir.path() / "hang.pid";
    std::ofstream(scenario) << R"({
      "sim_config": {"ExampleSim": {"cpp": "example-sim"}, "Hang": {"cmd": ")"
                            << MAS_HANG_SIM_EXE << R"( %(addr)s"}},
      "sims": [{"name": "ExampleSim"}, {"name": "Hang", "params": {"hang_at": 3, "pid_file": ")"
                            << pid_file.string() << R"("}}],
      "entities": [{"name": "e", "sim": "ExampleSim-0", "model": "ExampleModel", "params": {"init_val": 0}},
                   {"name": "h", "sim": "Hang-0", "model": "Node"}],
      "until": 10
    })";
    auto r = mas_run({scenario.string(), "--out", dir.path().string(), "--step-timeout", "0.3"});
    CHECK(r.status.exited);
    CHECK(r.status.code == 1);
    CHECK_THAT(r.err, Catch::Contains("mas-run: error: Simulator \"Hang-0\" did not finish step 3 within the step "
                                      "timeout (300 ms)"));
    // The hung process was killed and reaped by mas-run, not left behind.
    pid_t pid = 0;
    std::ifstream(pid_file) >> pid;
    REQUIRE(pid > 0);
    CHECK(::kill(pid, 0) == -1);
    CHECK(errno == ESRCH);
}

TEST_CASE("mas-run runs a Python simulator started through %(python)s as it runs the C++ one", "[mosaik][integration]") {
    // tests/mosaik/data/example_sim.py speaks mosaik's protocol with Python's json module, the
    // way a mosaik_api_v3 simulator does on the wire.
    test::TempDir dir;
    const std::string set_bin = "sim_bin=" MAS_SIMULATORS_DIR;
    auto cpp = mas_run({std::string(MAS_SCENARIOS_DIR) + "/tutorial-demo1.json", "--out", (dir.path() / "cpp").string(),
                        "--set", set_bin});
    INFO(cpp.err);
    REQUIRE(cpp.status.success());
    auto python = mas_run({std::string(MAS_MOSAIK_TEST_DATA_DIR) + "/tutorial-demo1-python.json", "--out",
                           (dir.path() / "python").string(), "--set", set_bin});
    INFO(python.err);
    REQUIRE(python.status.success());
    const auto series = read_file(dir.path() / "python" / "tutorial-demo1.csv");
    CHECK(series == read_file(dir.path() / "cpp" / "tutorial-demo1.csv"));
    // Model_0 starts at 2 and adds its delta 1 at every step.
    CHECK_THAT(series, Catch::Contains("0,ExampleSim-0.Model_0,val,3\n") && Catch::Contains("9,ExampleSim-0.Model_0,val,12\n"));
    CHECK(no_children());
}

TEST_CASE("mas-run with a real-time factor far below a step's own time finishes and writes its results",
          "[mosaik][integration]") {
    // The real-time ticker then fires all the time, also while the run ends: it crashed here once.
    test::TempDir dir;
    const std::string set_bin = "sim_bin=" MAS_SIMULATORS_DIR;
    auto r = mas_run({std::string(MAS_SCENARIOS_DIR) + "/tutorial-demo1.json", "--out", dir.path().string(), "--set",
                      set_bin, "--rt-factor", "1e-6", "--log-level", "error"});
    INFO(r.err);
    REQUIRE(r.status.success());
    CHECK_THAT(read_file(dir.path() / "tutorial-demo1.csv"), Catch::Contains("\n9,ExampleSim-0.Model_0,val,"));
    CHECK(no_children());
}

TEST_CASE("mas-run's --until ends the run early and --rt-factor paces it in real time", "[mosaik][integration]") {
    test::TempDir dir;
    const std::string set_bin = "sim_bin=" MAS_SIMULATORS_DIR;
    // tutorial-demo1 runs until 10; at 0.2 wall seconds per step, step 3 cannot start before 0.6 s.
    auto r = mas_run({std::string(MAS_SCENARIOS_DIR) + "/tutorial-demo1.json", "--out", dir.path().string(), "--set",
                      set_bin, "--until", "4", "--rt-factor", "0.2", "--log-level", "error"});
    INFO(r.err);
    REQUIRE(r.status.success());
    CHECK_THAT(r.out, Catch::Contains("simulated time: 4 steps"));
    const auto series = read_file(dir.path() / "tutorial-demo1.csv");
    CHECK_THAT(series, Catch::Contains("\n3,ExampleSim-0.Model_0,val,6\n"));
    CHECK_THAT(series, !Catch::Contains("\n4,"));  // until is exclusive
    const auto at = r.out.find("wall time: ");
    REQUIRE(at != std::string::npos);
    const double wall = std::stod(r.out.substr(at + std::string("wall time: ").size()));
    CHECK(wall >= 0.6);  // a lower bound only: real time cannot run faster
    CHECK(no_children());
}
