// The collector simulator: its class through a scripted mosaik over TCP, and the executable as a
// real process that writes its CSV after mosaik's stop.
#include "collector.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "integration/child_process.hpp"
#include "mas/core/json.hpp"
#include "mosaik/mosaik_peer.hpp"
#include "mosaik/sim_session.hpp"
#include "support/run.hpp"
#include "support/test_pki.hpp"

using namespace mas;
using test::SimCall;

namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

SimCall init(Json kwargs) { return {"init", Json::array({"Collector-0"}), std::move(kwargs)}; }
SimCall create_monitor() { return {"create", Json::array({1, "Monitor"})}; }
SimCall step(std::int64_t time, Json inputs) { return {"step", Json::array({time, std::move(inputs), 3600})}; }

// Inputs of the Monitor: {"Monitor": {attr: {source: value}}}.
Json monitor_inputs(Json attrs) { return Json::object({{"Monitor", std::move(attrs)}}); }

}  // namespace

TEST_CASE("The collector writes every input as CSV sorted by time, source and attribute", "[mosaik]") {
    test::TempDir dir;
    const auto csv = dir.path() / "results.csv";
    std::vector<std::string> summary;
    sims::Collector sim([&](const std::string& line) { summary.push_back(line); });
    auto first = monitor_inputs(Json::object({
        {"p_w", Json::object({{"PV-0.PV_0", 1250.5}, {"Household-0.House_1", 304}, {"Household-0.House_0", 152}})},
        {"mode", Json::object({{"Battery-0.Battery_0", "charge, \"fast\""}})},
    }));
    auto second = monitor_inputs(Json::object({
        {"soc", Json::object({{"Battery-0.Battery_0", 1.0}})},
        {"p_w", Json::object({{"Battery-0.Battery_0", -250.0}, {"Household-0.House_0", 150}})},
        {"on", Json::object({{"PV-0.PV_0", true}})},
        {"tiny", Json::object({{"PV-0.PV_0", 1e-7}})},
    }));
    // A second step at the same time replaces a value for the same key and adds new keys.
    auto again = monitor_inputs(Json::object({
        {"p_w", Json::object({{"Household-0.House_0", 151}})},
        {"list", Json::object({{"Household-0.House_0", Json::array({1, 2})}})},
    }));
    auto session = test::run_session(sim, {
        init(Json::object({{"time_resolution", 1.0}, {"csv_path", csv.string()}})),
        create_monitor(),
        {"setup_done", Json::array()},
        step(0, first),
        step(900, second),
        step(900, again),
        {"get_data", Json::array({Json::object({{"Monitor", Json::array()}})})},
    });
    const auto& meta = session.ok(0);
    CHECK(meta["type"] == Json("event-based"));
    CHECK(meta["models"]["Monitor"]["any_inputs"] == Json(true));
    CHECK(meta["models"]["Monitor"]["public"] == Json(true));
    CHECK(session.ok(1) == Json::array({Json::object({{"eid", "Monitor"}, {"type", "Monitor"}})}));
    CHECK(session.ok(3).is_null());  // no self-step
    CHECK(session.ok(4).is_null());
    CHECK(test::same_json(session.ok(6), Json::object({{"Monitor", Json::object()}})));
    REQUIRE(session.end == mosaik::ServeEnd::stopped);

    CHECK(read_file(csv) ==
          "time,source,attribute,value\n"
          "0,Battery-0.Battery_0,mode,\"charge, \"\"fast\"\"\"\n"
          "0,Household-0.House_0,p_w,152\n"
          "0,Household-0.House_1,p_w,304\n"
          "0,PV-0.PV_0,p_w,1250.5\n"
          "900,Battery-0.Battery_0,p_w,-250.0\n"
          "900,Battery-0.Battery_0,soc,1.0\n"
          "900,Household-0.House_0,list,\"[1, 2]\"\n"
          "900,Household-0.House_0,p_w,151\n"
          "900,PV-0.PV_0,on,true\n"
          "900,PV-0.PV_0,tiny,1e-07\n");
    REQUIRE(summary.size() == 1);
    CHECK(summary[0] == "Collector-0: 10 records from 4 sources, time 0 to 900; wrote " + csv.string());
}

TEST_CASE("Without csv_path the collector writes no file and still reports its summary", "[mosaik]") {
    test::TempDir dir;
    std::vector<std::string> summary;
    sims::Collector sim([&](const std::string& line) { summary.push_back(line); });
    auto inputs = monitor_inputs(Json::object({{"val", Json::object({{"ExampleSim-0.Model_0", 3}})}}));
    auto session = test::run_session(sim, {init(Json::object()), create_monitor(), step(5, inputs)});
    CHECK(session.end == mosaik::ServeEnd::stopped);
    REQUIRE(summary.size() == 1);
    CHECK(summary[0] == "Collector-0: 1 record from 1 source, time 5 to 5");
    CHECK(std::filesystem::is_empty(dir.path()));
}

TEST_CASE("A collector that received nothing writes just the header", "[mosaik]") {
    test::TempDir dir;
    const auto csv = dir.path() / "empty.csv";
    std::vector<std::string> summary;
    sims::Collector sim([&](const std::string& line) { summary.push_back(line); });
    auto session = test::run_session(sim, {init(Json::object({{"csv_path", csv.string()}})), create_monitor()});
    CHECK(read_file(csv) == "time,source,attribute,value\n");
    REQUIRE(summary.size() == 1);
    CHECK(summary[0] == "Collector-0: 0 records; wrote " + csv.string());
}

TEST_CASE("The collector rejects bad csv_path values and a second Monitor", "[mosaik]") {
    test::TempDir dir;
    sims::Collector sim([](const std::string&) {});
    auto session = test::run_session(sim, {
        init(Json::object({{"csv_path", (dir.path() / "missing" / "out.csv").string()}})),
        init(Json::object({{"csv_path", 42}})),
        init(Json::object({{"csv_path", ""}})),
        init(Json::object()),
        {"create", Json::array({2, "Monitor"})},
        create_monitor(),
        create_monitor(),
        {"get_data", Json::array({Json::object({{"Monitor", Json::array({"val"})}})})},
    });
    CHECK_THAT(session.failure(0), Catch::Contains("collector: param 'csv_path': the directory") &&
                                       Catch::Contains("does not exist"));
    CHECK_THAT(session.failure(1), Catch::Contains("param 'csv_path' must be a string, got int 42"));
    CHECK_THAT(session.failure(2), Catch::Contains("param 'csv_path' must not be empty"));
    session.ok(3);
    CHECK_THAT(session.failure(4), Catch::Contains("only one Monitor per simulator"));
    session.ok(5);
    CHECK_THAT(session.failure(6), Catch::Contains("only one Monitor per simulator"));
    CHECK_THAT(session.failure(7), Catch::Contains("Monitor has no attribute 'val'"));
    CHECK(session.end == mosaik::ServeEnd::stopped_after_failure);
}

TEST_CASE("The collector takes path with a format, or csv_path, and rejects mixtures", "[mosaik]") {
    test::TempDir dir;
    sims::Collector sim([](const std::string&) {});
    const auto csv = (dir.path() / "out.csv").string();
    auto session = test::run_session(sim, {
        init(Json::object({{"path", csv}, {"csv_path", csv}})),
        init(Json::object({{"format", "hdf5"}})),
        init(Json::object({{"path", csv}, {"format", "xml"}})),
        init(Json::object({{"path", (dir.path() / "missing" / "out.h5").string()}})),
        init(Json::object({{"path", csv}, {"format", "hdf5"}})),
    });
    CHECK_THAT(session.failure(0), Catch::Contains("give either 'path' or 'csv_path', not both"));
    CHECK_THAT(session.failure(1), Catch::Contains("param 'format' goes with 'path'"));
    CHECK_THAT(session.failure(2), Catch::Contains("param 'format': 'xml' is neither 'csv' nor 'hdf5'"));
    CHECK_THAT(session.failure(3), Catch::Contains("param 'path': the directory") && Catch::Contains("does not exist"));
    session.ok(4);
}

TEST_CASE("An HDF5 file the collector cannot put in place fails the run and leaves nothing behind", "[mosaik]") {
    test::TempDir dir;
    std::vector<std::string> summary;
    sims::Collector sim([&](const std::string& line) { summary.push_back(line); });
    // The path is a directory: the file is written under a temporary name, and renaming it fails.
    const auto target = dir.path() / "results.h5";
    std::filesystem::create_directory(target);
    std::filesystem::create_directory(target / "inside");
    auto session = test::run_session(sim, {init(Json::object({{"path", target.string()}})), create_monitor(),
                                           step(0, monitor_inputs(Json::object({{"p", Json::object({{"A-0.a", 1.5}})}})))});
    CHECK(session.end == mosaik::ServeEnd::stopped_after_failure);
    CHECK(summary.empty());
    std::vector<std::string> left;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) left.push_back(entry.path().filename().string());
    CHECK(left == std::vector<std::string>{"results.h5"});
}

TEST_CASE("A CSV the collector cannot write makes the run end as failed", "[mosaik]") {
    test::TempDir dir;
    std::vector<std::string> summary;
    sims::Collector sim([&](const std::string& line) { summary.push_back(line); });
    // The path names a directory, so opening it for writing fails after stop.
    auto session = test::run_session(sim, {init(Json::object({{"csv_path", dir.path().string()}})), create_monitor()});
    CHECK(session.end == mosaik::ServeEnd::stopped_after_failure);
    CHECK(summary.empty());
}

TEST_CASE("collector as a process writes its CSV after mosaik's stop, prints the summary and exits 0",
          "[mosaik][integration]") {
    test::TempDir dir;
    const auto csv = dir.path() / "collected.csv";
    asio::io_context io;
    test::RawListener listener(io.get_executor());
    test::ChildProcess child(MAS_COLLECTOR_EXE, {"127.0.0.1:" + std::to_string(listener.endpoint().port)});
    test::run(io, [&]() -> asio::awaitable<void> {
        auto peer = co_await listener.accept();
        auto kwargs = Json::object({{"time_resolution", 1.0}, {"csv_path", csv.string()}});
        auto request_1 = test::request(0, "init", Json::array({"Collector-0"}), kwargs);
        auto meta = co_await test::call(peer, std::move(request_1));
        CHECK(meta[2]["type"] == Json("event-based"));
        auto request_2 = test::request(1, "create", Json::array({1, "Monitor"}), Json::object());
        co_await test::call(peer, std::move(request_2));
        auto inputs = monitor_inputs(Json::object({{"val", Json::object({{"ExampleSim-0.Model_0", 3}})}}));
        auto request_3 = test::request(2, "step", Json::array({0, inputs, 10}), Json::object());
        auto stepped = co_await test::call(peer, std::move(request_3));
        CHECK(stepped == Json::array({1, 2, nullptr}));
        // Nothing is written before stop.
        CHECK_FALSE(std::filesystem::exists(csv));
        auto stop = test::request(3, "stop", Json::array(), Json::object());
        co_await test::send_frame(peer, stop);
        co_await peer.read_until_closed();
    }());
    auto status = child.wait(test::hang_guard);
    CAPTURE(child.output(test::Stream::err));
    CHECK(status.success());
    CHECK(read_file(csv) == "time,source,attribute,value\n0,ExampleSim-0.Model_0,val,3\n");
    const auto summary = "Collector-0: 1 record from 1 source, time 0 to 0; wrote " + csv.string() + "\n";
    CHECK(child.output(test::Stream::out) == summary);
}
