// The command line of a `cmd` simulator and the sim_config entries.
#include "mas/mosaik/orchestrator/command_line.hpp"

#include <catch2/catch.hpp>

#include "mas/core/error.hpp"
#include "mas/mosaik/orchestrator/sim_config.hpp"

using namespace mas;
using mosaik::SimConfig;
using mosaik::split_command;
using mosaik::substitute_command;
using Words = std::vector<std::string>;

TEST_CASE("mosaik's placeholders are substituted and %% becomes %", "[mosaik]") {
    CHECK(substitute_command("%(python)s sims.py %(addr)s", "127.0.0.1:4242", "/usr/bin/python3") ==
          "/usr/bin/python3 sims.py 127.0.0.1:4242");
    CHECK(substitute_command("sim --share 50%% %(addr)s%(addr)s", "h:1", "py") == "sim --share 50% h:1h:1");
    CHECK_THROWS_AS(substitute_command("sim %(port)s", "h:1", "py"), ConfigError);
    CHECK_THROWS_AS(substitute_command("sim 50%", "h:1", "py"), ConfigError);
}

TEST_CASE("A command line is split into words as shlex.split does", "[mosaik]") {
    CHECK(split_command("  sim   -r\t127.0.0.1:5 \n") == Words{"sim", "-r", "127.0.0.1:5"});
    CHECK(split_command("sim 'a b' \"c d\" e' 'f") == Words{"sim", "a b", "c d", "e f"});
    CHECK(split_command(R"(sim 'it\s' "say \"hi\" \\ \n" a\ b)") == Words{"sim", R"(it\s)", R"(say "hi" \ \n)", "a b"});
    CHECK(split_command("sim '' \"\" #x") == Words{"sim", "", "", "#x"});
    CHECK(split_command("").empty());
    CHECK_THROWS_AS(split_command("sim 'open"), ConfigError);
    CHECK_THROWS_AS(split_command("sim \"open\\\""), ConfigError);
    CHECK_THROWS_AS(split_command("sim \\"), ConfigError);
}

TEST_CASE("sim_config entries are read in mosaik's order of starters", "[mosaik]") {
    auto cmd = SimConfig::from_json("A", Json::object({{"cmd", "%(python)s a.py %(addr)s"},
                                                       {"cwd", "/tmp"},
                                                       {"env", Json::object({{"X", "1"}})},
                                                       {"connect", "h:1"}}));
    CHECK(cmd.kind == SimConfig::Kind::cmd);
    CHECK(cmd.target == "%(python)s a.py %(addr)s");
    CHECK(cmd.cwd == "/tmp");
    CHECK(cmd.env == std::map<std::string, std::string>{{"X", "1"}});
    auto local = SimConfig::from_json("B", Json::object({{"connect", "h:1"}, {"cpp", "ExampleSim"}}));
    CHECK(local.kind == SimConfig::Kind::in_process);
    CHECK(local.target == "ExampleSim");
    auto remote = SimConfig::from_json("C", Json::object({{"connect", "127.0.0.1:5678"}}));
    CHECK(remote.kind == SimConfig::Kind::connect);
    CHECK_FALSE(remote.tls);
    CHECK_THROWS_WITH(SimConfig::from_json("D", Json::object({{"python", "m:C"}})), Catch::Contains("\"python\""));
    CHECK_THROWS_WITH(SimConfig::from_json("E", Json::object()), Catch::Contains("sim_config \"E\""));
    CHECK_THROWS_AS(SimConfig::from_json("F", Json::object({{"cmd", 3}})), ConfigError);
    CHECK_THROWS_AS(SimConfig::from_json("G", Json::object({{"cmd", "x"}, {"env", Json::object({{"X", 1}})}})),
                    ConfigError);
}

TEST_CASE("A connect entry takes mutual TLS files, complete and with known keys only", "[mosaik]") {
    const auto tls = Json::object({{"ca", "ca.pem"}, {"cert", "me.pem"}, {"key", "me.key"}});
    auto config = SimConfig::from_json("T", Json::object({{"connect", "sim.example:5678"}, {"tls", tls}}));
    REQUIRE(config.tls);
    CHECK(config.tls->ca_file == "ca.pem");
    CHECK(config.tls->cert_file == "me.pem");
    CHECK(config.tls->key_file == "me.key");
    CHECK(config.tls_server_name.empty());
    auto named_tls = tls;
    named_tls["server_name"] = "sim.internal";
    auto named = SimConfig::from_json("T", Json::object({{"connect", "10.0.0.5:5678"}, {"tls", named_tls}}));
    CHECK(named.tls_server_name == "sim.internal");

    auto partial = Json::object({{"ca", "ca.pem"}, {"cert", "me.pem"}});
    CHECK_THROWS_WITH(SimConfig::from_json("T", Json::object({{"connect", "h:1"}, {"tls", partial}})),
                      Catch::Contains("sim_config \"T\"") && Catch::Contains("needs \"key\""));
    auto unknown = tls;
    unknown["verify"] = false;
    CHECK_THROWS_WITH(SimConfig::from_json("T", Json::object({{"connect", "h:1"}, {"tls", unknown}})),
                      Catch::Contains("unknown key \"verify\""));
    CHECK_THROWS_AS(SimConfig::from_json("T", Json::object({{"connect", "h:1"}, {"tls", "ca.pem"}})), ConfigError);
    auto number = tls;
    number["ca"] = 3;
    CHECK_THROWS_AS(SimConfig::from_json("T", Json::object({{"connect", "h:1"}, {"tls", number}})), ConfigError);
    // TLS is for simulators the orchestrator connects to; a cmd simulator connects back in plain TCP.
    CHECK_THROWS_WITH(SimConfig::from_json("T", Json::object({{"cmd", "sim %(addr)s"}, {"tls", tls}})),
                      Catch::Contains("\"tls\" is for simulators reached with \"connect\""));
}
