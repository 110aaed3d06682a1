// mas-run as a user runs it: real processes, results on disk, exit codes and one-line reasons.
#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "integration/child_process.hpp"
#include "mosaik/mas_run_support.hpp"
#include "support/test_pki.hpp"

using namespace mas;

namespace {

using test::guard;
using test::mas_run;
using test::no_children;
using test::read_file;

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
    CHECK_THAT(b.out, Catch::Contains("ExampleSim-0                     20\n"));
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

TEST_CASE("mas-run reports a cycle without a delay at the connection that closes it", "[mosaik][integration]") {
    test::TempDir dir;
    const auto scenario = dir.path() / "cycle.json";
    std::ofstream(scenario) << R"({
  "sim_config": {"ExampleSim": {"cpp": "example-sim"}},
  "sims": [{"name": "ExampleSim"}, {"name": "ExampleSim"}],
  "entities": [{"name": "a", "sim": "ExampleSim-0", "model": "ExampleModel", "params": {"init_val": 0}},
               {"name": "b", "sim": "ExampleSim-1", "model": "ExampleModel", "params": {"init_val": 0}}],
  "connections": [
    {"src": "a", "dest": "b", "attrs": [["val", "delta"]]},
    {"src": "b", "dest": "a", "attrs": [["val", "delta"]]}
  ],
  "until": 5
})";
    auto r = mas_run({scenario.string(), "--out", dir.path().string()});
    CHECK(r.status.code == 1);
    // It was reported at "until", as if the end time were the mistake.
    CHECK_THAT(r.err, Catch::Contains("mas-run: error: " + scenario.string() +
                                      ":8:5: connections[1]: the scenario has a cycle without a time shift or weak "
                                      "connection: ExampleSim-0 -> ExampleSim-1 -> ExampleSim-0"));
    CHECK(no_children());
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

TEST_CASE("mas-run takes timeouts and real-time factors at the ends of their ranges without overflowing",
          "[mosaik][integration]") {
    test::TempDir dir;
    const std::string set_bin = "sim_bin=" MAS_SIMULATORS_DIR;
    const std::string demo = std::string(MAS_SCENARIOS_DIR) + "/tutorial-demo1.json";
    SECTION("a step timeout of 1e10 s is no limit, not a negative one") {
        // It failed every step "within the step timeout (-9223372036854 ms)".
        auto r = mas_run({demo, "--out", dir.path().string(), "--set", set_bin, "--step-timeout", "1e10"});
        INFO(r.err);
        CHECK(r.status.success());
    }
    SECTION("a start timeout of 1e10 s in the file is no limit") {
        std::string text = read_file(demo);
        const auto until = text.find("\"until\"");
        REQUIRE(until != std::string::npos);
        text.insert(until, R"("world": {"start_timeout": 1e10, "step_timeout": 1e300}, )");
        const auto scenario = dir.path() / "timeouts.json";
        std::ofstream(scenario) << text;
        auto r = mas_run({scenario.string(), "--out", dir.path().string(), "--set",
                          "sim_bin=" MAS_SIMULATORS_DIR});
        INFO(r.err);
        CHECK(r.status.success());
    }
    SECTION("a real-time factor of 1e-300 runs as fast as it can, and says it is behind once a second at most") {
        const auto started = std::chrono::steady_clock::now();
        auto r = mas_run({demo, "--out", dir.path().string(), "--set", set_bin, "--rt-factor", "1e-300"});
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        INFO(r.err);
        REQUIRE(r.status.success());
        CHECK_THAT(read_file(dir.path() / "tutorial-demo1.csv"), Catch::Contains("\n9,ExampleSim-0.Model_0,val,12\n"));
        std::size_t warnings = 0;
        for (const auto& line : test::split_lines(r.err)) {
            if (line.find("behind real time") != std::string::npos) ++warnings;
        }
        // It was one warning per step, each a few milliseconds behind.
        CHECK(warnings <= static_cast<std::size_t>(wall) + 1);
    }
    SECTION("a real-time factor or until of 0 is refused on the command line, naming the option") {
        for (const auto& option : {"--rt-factor", "--until"}) {
            auto r = mas_run({demo, "--out", dir.path().string(), "--set", set_bin, option, "0"});
            CHECK(r.status.exited);
            CHECK(r.status.code != 0);
            CHECK_THAT(r.err, Catch::Contains(option));
            CHECK_THAT(r.err, !Catch::Contains(".json:"));  // not an error in the file
        }
    }
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
    CHECK_THAT(r.out, Catch::Contains("simulated time: 0 to 4 in time units of 1 s (4 s); wall time: "));
    // ExampleSim and the collector step at 0, 1, 2 and 3.
    CHECK_THAT(r.out, Catch::Contains("simulator steps: 8 in all\n"));
    const auto series = read_file(dir.path() / "tutorial-demo1.csv");
    CHECK_THAT(series, Catch::Contains("\n3,ExampleSim-0.Model_0,val,6\n"));
    CHECK_THAT(series, !Catch::Contains("\n4,"));  // until is exclusive
    const auto at = r.out.find("wall time: ");
    REQUIRE(at != std::string::npos);
    const double wall = std::stod(r.out.substr(at + std::string("wall time: ").size()));
    CHECK(wall >= 0.6);  // a lower bound only: real time cannot run faster
    CHECK(no_children());
}

namespace {

using test::gone;
using test::wait_for_line;

std::string hang_scenario(const std::filesystem::path& dir, const std::filesystem::path& pid_file) {
    const auto scenario = dir / "hang.json";
    std::ofstream(scenario) << R"({
      "sim_config": {"ExampleSim": {"cpp": "example-sim"}, "Hang": {"cmd": ")"
                            << MAS_HANG_SIM_EXE << R"( %(addr)s"},
                     "Collector": {"cmd": ")" << MAS_SIMULATORS_DIR << R"(/collector/collector %(addr)s"}},
      "sims": [{"name": "ExampleSim"}, {"name": "Hang", "params": {"hang_at": 3, "pid_file": ")"
                            << pid_file.string() << R"("}},
               {"name": "Collector", "params": {"csv_path": ")" << (dir / "results.csv").string() << R"("}}],
      "entities": [{"name": "e", "sim": "ExampleSim-0", "model": "ExampleModel", "params": {"init_val": 0}},
                   {"name": "h", "sim": "Hang-0", "model": "Node"},
                   {"name": "monitor", "sim": "Collector-0", "model": "Monitor"}],
      "connections": [{"src": "e", "dest": "monitor", "attrs": ["val"]}],
      "until": 10
    })";
    return scenario.string();
}

}  // namespace

TEST_CASE("SIGINT or SIGTERM in mid-run stops every simulator, keeps the results and exits 128 + signal",
          "[mosaik][integration]") {
    const int number = GENERATE(SIGINT, SIGTERM);
    test::TempDir dir;
    const std::string set_bin = "sim_bin=" MAS_SIMULATORS_DIR;
    // 500 steps at 20 ms each: 10 s, unless interrupted.
    test::ChildProcess run(MAS_RUN_EXE, {std::string(MAS_SCENARIOS_DIR) + "/tutorial-demo1.json", "--out",
                                         dir.path().string(), "--set", set_bin, "--until", "500", "--rt-factor",
                                         "0.02"});
    wait_for_line(run, "progress: 10%");
    run.signal(number);
    const auto status = run.wait(guard);
    const auto err = run.output(test::Stream::err);
    INFO(err);
    CHECK(status.exited);
    CHECK(status.code == 128 + number);
    const std::string name = number == SIGINT ? "SIGINT" : "SIGTERM";
    CHECK_THAT(err, Catch::Contains("mas-run: interrupted by " + name + " at time "));
    CHECK_THAT(run.output(test::Stream::out), !Catch::Contains("simulated time:"));
    // Before, the collector never got stop and its CSV was never written.
    const auto series = read_file(dir.path() / "tutorial-demo1.csv");
    CHECK_THAT(series, Catch::Contains("\n40,ExampleSim-0.Model_0,val,43\n"));
    CHECK(series.ends_with("\n"));
    CHECK_THAT(series, !Catch::Contains("\n499,"));
    CHECK(no_children());
}

TEST_CASE("SIGINT while a simulator hangs in a step stops it too, and keeps the results", "[mosaik][integration]") {
    test::TempDir dir;
    const auto pid_file = dir.path() / "hang.pid";
    test::ChildProcess run(MAS_RUN_EXE, {hang_scenario(dir.path(), pid_file), "--out", dir.path().string()});
    wait_for_line(run, "hang-sim: hanging in step 3");
    run.signal(SIGINT);
    const auto status = run.wait(guard);
    INFO(run.output(test::Stream::err));
    CHECK(status.exited);
    CHECK(status.code == 130);
    CHECK_THAT(run.output(test::Stream::err), Catch::Contains("mas-run: interrupted by SIGINT at time "));
    CHECK(gone(pid_file));
    CHECK_THAT(read_file(dir.path() / "results.csv"), Catch::Contains("\n2,ExampleSim-0.Model_0,val,"));
    CHECK(no_children());
}

TEST_CASE("A second SIGINT ends mas-run at once and kills the simulator processes", "[mosaik][integration]") {
    test::TempDir dir;
    const auto pid_file = dir.path() / "hang.pid";
    test::ChildProcess run(MAS_RUN_EXE, {hang_scenario(dir.path(), pid_file), "--out", dir.path().string()});
    wait_for_line(run, "hang-sim: hanging in step 3");
    run.signal(SIGINT);
    // Stopping the hung simulator takes its exit grace (2 s); the second signal does not wait.
    wait_for_line(run, "SIGINT: stopping the simulators");
    run.signal(SIGINT);
    const auto status = run.wait(guard);
    INFO(run.output(test::Stream::err));
    CHECK(status.exited);
    CHECK(status.code == 130);
    CHECK_THAT(run.output(test::Stream::err), Catch::Contains("mas-run: interrupted twice: stopped at once"));
    CHECK(gone(pid_file));
    CHECK(no_children());
}

TEST_CASE("On a terminal, mas-run's progress bar ends its line before the collector's line and the summary",
          "[mosaik][integration]") {
    test::TempDir dir;
    // script(1) runs mas-run on a pseudo-terminal, where the bar is drawn in place.
    const std::string command = std::string("'") + MAS_RUN_EXE + "' '" + MAS_SCENARIOS_DIR + "/tutorial-demo2.json' --out '" +
                                dir.path().string() + "' --log-level warn --set sim_bin=" MAS_SIMULATORS_DIR;
    test::ChildProcess child("/usr/bin/script", {"-qefc", command, "/dev/null"});
    REQUIRE(child.wait(mas::test::guard).success());
    const auto out = child.output(test::Stream::out);
    INFO(out);
    REQUIRE_THAT(out, Catch::Contains("100.0% of 10"));
    for (const char* line : {"Collector-0: ", "simulated time: "}) {
        const auto at = out.find(line);
        REQUIRE(at != std::string::npos);
        REQUIRE(at > 0);
        CHECK(out[at - 1] == '\n');
    }
    CHECK(no_children());
}
