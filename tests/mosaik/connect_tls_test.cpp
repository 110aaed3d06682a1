// `connect` simulators over mutual TLS: example-sim --remote with --tls-* files, reached by the
// SimStarter with a "tls" sim_config entry; clients without the CA's certificate are refused and
// the simulator keeps waiting for the right one.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "integration/child_process.hpp"
#include "mas/core/error.hpp"
#include "mas/core/json_codec.hpp"
#include "mas/mosaik/orchestrator/scenario.hpp"
#include "mas/mosaik/orchestrator/sim_config.hpp"
#include "mas/mosaik/orchestrator/sim_proxy.hpp"
#include "mas/mosaik/orchestrator/sim_starter.hpp"
#include "mosaik/mas_run_support.hpp"
#include "support/run.hpp"
#include "support/test_pki.hpp"

using namespace mas;
using mosaik::SimConfig;

namespace {

constexpr auto guard = std::chrono::seconds(60);

// example-sim's arguments to listen on a free loopback port over mutual TLS with `files`.
std::vector<std::string> remote_tls_args(const TlsFiles& files) {
    return {"--remote", "127.0.0.1:0", "-t", "60", "--tls-ca", files.ca_file.string(), "--tls-cert",
            files.cert_file.string(), "--tls-key", files.key_file.string()};
}

// The port example-sim --remote listens on, from its "waiting for mosaik to connect to" line.
std::string listening_port(test::ChildProcess& child) {
    std::optional<std::string> line;
    while ((line = child.read_line(test::Stream::err, guard)) && line->find("waiting for mosaik") == std::string::npos) {
    }
    REQUIRE(line);
    CHECK_THAT(*line, Catch::Contains("(mutual TLS)"));
    const auto after_colon = line->substr(line->rfind(':') + 1);
    return std::to_string(std::stoi(after_colon));
}

SimConfig connect_config(const std::string& port, std::optional<TlsFiles> tls) {
    SimConfig config(SimConfig::Kind::connect, "127.0.0.1:" + port);
    config.tls = std::move(tls);
    return config;
}

}  // namespace

TEST_CASE("A connect simulator over mutual TLS serves the orchestrator that shows the CA's certificate, and only it",
          "[mosaik][integration][tls]") {
    test::TempDir dir;
    const auto pki = test::make_test_pki(dir.path());
    test::ChildProcess child(MAS_EXAMPLE_SIM_EXE, remote_tls_args(pki.server));
    const auto port = listening_port(child);
    asio::io_context io;
    mosaik::SimStarter starter{mosaik::SimRegistry()};

    // A certificate of another CA, and plain TCP: refused. With TLS 1.3 the client learns that
    // its certificate was refused only when it reads, so the refusal may come with the first call.
    const auto refused = [&](const SimConfig& config) {
        try {
            auto proxy = test::run(io, starter.start("ExampleSim-0", config));
            test::run(io, proxy->init(1.0, JsonObject{{"eid_prefix", "Model_"}}));
        } catch (const Error& e) {
            UNSCOPED_INFO(e.what());
            return true;
        }
        return false;
    };
    CHECK(refused(connect_config(port, pki.foreign_client)));
    CHECK(refused(connect_config(port, std::nullopt)));

    // The simulator is still waiting, and serves the orchestrator with the right certificate.
    auto proxy = test::run(io, starter.start("ExampleSim-0", connect_config(port, pki.client)));
    test::run(io, [&]() -> asio::awaitable<void> {
        auto params = JsonObject{{"eid_prefix", "Model_"}};
        auto meta = co_await proxy->init(1.0, std::move(params));
        CHECK(meta["type"] == Json("hybrid"));
        auto model_params = JsonObject{{"init_val", 2}};
        std::string model = "ExampleModel";
        auto created = co_await proxy->create(1, std::move(model), std::move(model_params));
        CHECK(created == Json::array({Json::object({{"eid", "Model_0"}, {"type", "ExampleModel"}})}));
        co_await proxy->setup_done();
        co_await proxy->stop();
    }());
    const auto status = child.wait(guard);
    CAPTURE(child.output(test::Stream::err));
    CHECK(status.success());
}

TEST_CASE("The orchestrator refuses a TLS simulator whose certificate does not carry its host", "[mosaik][integration][tls]") {
    test::TempDir dir;
    const auto pki = test::make_test_pki(dir.path());
    test::ChildProcess child(MAS_EXAMPLE_SIM_EXE, remote_tls_args(pki.wrong_host_server));
    const auto port = listening_port(child);
    asio::io_context io;
    mosaik::SimStarter starter{mosaik::SimRegistry()};
    CHECK_THROWS_WITH(test::run(io, starter.start("ExampleSim-0", connect_config(port, pki.client))),
                      Catch::Contains("could not be reached"));
    // Told the name the certificate carries, it goes ahead.
    auto named = connect_config(port, pki.client);
    named.tls_server_name = "wrong.example";
    auto proxy = test::run(io, starter.start("ExampleSim-0", named));
    test::run(io, [&]() -> asio::awaitable<void> {
        auto params = JsonObject{{"eid_prefix", "Model_"}};
        co_await proxy->init(1.0, std::move(params));
        co_await proxy->stop();
    }());
    CHECK(child.wait(guard).success());
}

TEST_CASE("A connect entry's tls files that cannot be read are a ConfigError naming the simulator and the file",
          "[mosaik][tls]") {
    asio::io_context io;
    mosaik::SimStarter starter{mosaik::SimRegistry()};
    const auto config = connect_config("1", TlsFiles{"/nonexistent/ca.pem", "/nonexistent/c.pem", "/nonexistent/k.pem"});
    CHECK_THROWS_WITH(test::run(io, starter.start("Sim-0", config)),
                      Catch::Contains("simulator Sim-0") && Catch::Contains("/nonexistent/"));
}

TEST_CASE("example-sim takes the TLS files all together and with --remote only", "[mosaik][integration][tls]") {
    const auto run = [](std::vector<std::string> args) {
        test::ChildProcess child(MAS_EXAMPLE_SIM_EXE, args);
        const auto status = child.wait(guard);
        return std::pair(status, child.output(test::Stream::err));
    };
    auto [partial, partial_err] = run({"--remote", "127.0.0.1:0", "--tls-ca", "ca.pem"});
    CHECK(partial.exited);
    CHECK(partial.code == 2);
    CHECK_THAT(partial_err, Catch::Contains("TLS needs all of --tls-ca, --tls-cert and --tls-key"));
    auto [no_remote, no_remote_err] = run({"127.0.0.1:1", "--tls-ca", "a", "--tls-cert", "b", "--tls-key", "c"});
    CHECK(no_remote.code == 2);
    CHECK_THAT(no_remote_err, Catch::Contains("apply to --remote only"));
    auto [missing, missing_err] =
        run({"--remote", "127.0.0.1:0", "--tls-ca", "/nonexistent/ca.pem", "--tls-cert", "b", "--tls-key", "c"});
    CHECK(missing.code == 2);
    CHECK_THAT(missing_err, Catch::Contains("/nonexistent/ca.pem"));
}

TEST_CASE("mas-run reaches a connect simulator over mutual TLS with the files a scenario names", "[mosaik][integration][tls]") {
    test::TempDir dir;
    const auto pki = test::make_test_pki(dir.path() / "pki");
    test::ChildProcess sim(MAS_EXAMPLE_SIM_EXE, remote_tls_args(pki.server));
    const auto port = listening_port(sim);
    // Paths relative to the scenario file, as a scenario kept next to its certificates has them.
    const auto relative = [&](const std::filesystem::path& p) { return std::filesystem::relative(p, dir.path()).string(); };
    const auto tls = Json::object({{"ca", relative(pki.client.ca_file)},
                                   {"cert", relative(pki.client.cert_file)},
                                   {"key", relative(pki.client.key_file)}});
    const auto csv = (dir.path() / "out.csv").string();
    const auto scenario = Json::object({
        {"sim_config", Json::object({{"ExampleSim", Json::object({{"connect", "127.0.0.1:${port}"}, {"tls", tls}})},
                                     {"Collector", Json::object({{"cpp", "collector"}})}})},
        {"sims", Json::array({Json::object({{"name", "ExampleSim"}, {"params", Json::object({{"eid_prefix", "Model_"}})}}),
                              Json::object({{"name", "Collector"}, {"params", Json::object({{"csv_path", csv}})}})})},
        {"entities", Json::array({Json::object({{"name", "model"}, {"sim", "ExampleSim-0"}, {"model", "ExampleModel"},
                                                {"params", Json::object({{"init_val", 2}})}}),
                                  Json::object({{"name", "monitor"}, {"sim", "Collector-0"}, {"model", "Monitor"}})})},
        {"connections", Json::array({Json::object({{"src", "model"}, {"dest", "monitor"}, {"attrs", Json::array({"val"})}})})},
        {"until", 3},
    });
    const auto path = dir.path() / "tls.json";
    std::ofstream(path) << JsonCodec().encode(scenario);
    const auto run = test::mas_run({path.string(), "--set", "port=" + port});
    INFO(run.err);
    CHECK(run.status.success());
    CHECK_THAT(run.err, Catch::Contains("(TLS)"));
    CHECK(test::read_file(csv) ==
          "time,source,attribute,value\n0,ExampleSim-0.Model_0,val,3\n1,ExampleSim-0.Model_0,val,4\n"
          "2,ExampleSim-0.Model_0,val,5\n");
    CHECK(sim.wait(guard).success());
}

TEST_CASE("A scenario's tls entry is checked where it is written", "[mosaik][tls]") {
    test::TempDir dir;
    const auto load = [&](const std::string& sim_config) {
        const auto path = dir.path() / "s.json";
        std::ofstream(path) << R"({"sim_config": {"A": )" << sim_config
                            << R"(}, "sims": [{"name": "A"}], "entities": [], "until": 1})";
        return mosaik::Scenario::load(path.string());
    };
    const auto scenario = load(R"({"connect": "h:1", "tls": {"ca": "c/ca.pem", "cert": "me.pem", "key": "../k.pem", "server_name": "sim"}})");
    const auto& connect = std::get<mosaik::Scenario::Connect>(scenario.sim_config("A").starter);
    REQUIRE(connect.tls);
    CHECK(connect.tls->ca_file == (dir.path() / "c/ca.pem").lexically_normal());
    CHECK(connect.tls->key_file == (dir.path().parent_path() / "k.pem").lexically_normal());
    CHECK(connect.tls_server_name == "sim");
    CHECK_THROWS_WITH(load(R"({"connect": "h:1", "tls": {"ca": "ca.pem", "cert": "me.pem"}})"),
                      Catch::Contains("'tls' needs 'key'"));
    CHECK_THROWS_WITH(load(R"({"connect": "h:1", "tls": {"ca": "a", "cert": "b", "key": "c", "verify": false}})"),
                      Catch::Contains("verify"));
    CHECK_THROWS_WITH(load(R"({"cpp": "example-sim", "tls": {"ca": "a", "cert": "b", "key": "c"}})"),
                      Catch::Contains("'tls' only applies to 'connect'"));
}
