// Errors in scenario files: each kind of mistake is reported as
// `file:line:column: json.path: problem`, at the offending value (or key), with a suggestion
// where a likely name is at hand.
#include <string>
#include <string_view>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "mas/mosaik/orchestrator/scenario.hpp"
#include "mas/mosaik/orchestrator/scenario_error.hpp"

using namespace mas;
using mosaik::Scenario;

namespace {

const std::string base = R"({
  "sim_config": {"A": {"cpp": "a"}, "B": {"cpp": "b"}, "G": {"cpp": "g"}},
  "sims": [{"name": "A"}, {"name": "B"}, {"name": "G", "group": "g"}, {"name": "G", "group": "g"}],
  "entities": [
    {"name": "xs", "sim": "A-0", "model": "X", "num": 2},
    {"name": "y", "sim": "B-0", "model": "Y"},
    {"name": "g0", "sim": "G-0", "model": "E"},
    {"name": "g1", "sim": "G-1", "model": "E"}
  ],
  "connections": [
    {"src": "xs", "dest": "y", "attrs": ["v"]},
    {"src": "g0", "dest": "g1", "attrs": ["v"], "weak": true}
  ],
  "until": 5
})";

// `base` with its only occurrence of `from` replaced by `to`.
std::string with(std::string_view from, std::string_view to) {
    std::string text = base;
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    REQUIRE(text.find(from, at + 1) == std::string::npos);
    text.replace(at, from.size(), to);
    return text;
}

// "line:column" of the first `needle` in the (ASCII) `text`, counted independently of the parser.
std::string at(const std::string& text, std::string_view needle) {
    const auto offset = text.find(needle);
    REQUIRE(offset != std::string::npos);
    std::size_t line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++line;
            line_start = i + 1;
        }
    }
    return fmt::format("{}:{}", line, offset - line_start + 1);
}

std::string error_of(const std::string& text) {
    try {
        (void)Scenario::parse(text, "bad.json");
    } catch (const mosaik::ScenarioError& e) {
        return e.what();
    }
    return "no error";
}

// The message expected for a problem at the first `needle` of `text`.
std::string expected(const std::string& text, std::string_view needle, std::string_view path,
                     std::string_view problem) {
    return fmt::format("bad.json:{}: {}: {}", at(text, needle), path, problem);
}

}  // namespace

TEST_CASE("the base scenario of these tests is valid", "[mosaik]") { CHECK(error_of(base) == "no error"); }

TEST_CASE("invalid JSON is reported with the file, line and column", "[mosaik]") {
    const auto text = with(R"("model": "Y"})", R"("model": "Y" "num": 1})");
    CHECK(error_of(text) == fmt::format("bad.json:{}: invalid JSON: Missing a comma or '}}' after an object member.",
                                        at(text, R"("num": 1)")));
    const std::string truncated = "{\"until\": 5,\n  \"sims\": [";
    CHECK(error_of(truncated) == "bad.json:2:12: invalid JSON: Invalid value.");
}

TEST_CASE("a key given twice in one object names both places", "[mosaik]") {
    const auto text = with(R"("name": "y",)", R"("name": "y", "name": "z",)");
    CHECK(error_of(text) == expected(text, R"("name": "z")", "entities[1].name",
                                     fmt::format("duplicate key 'name' (first at line {}, column {})", 6, 6)));
}

TEST_CASE("an unknown key is reported at the key, with the closest known key or the known keys", "[mosaik]") {
    auto text = with(R"("until": 5)", R"("untill": 5)");
    CHECK(error_of(text) == expected(text, "\"untill\"", "untill", "unknown key 'untill' (did you mean 'until'?)"));
    text = with(R"("attrs": ["v"]})", R"("attrs": ["v"], "colour": 1})");
    CHECK(error_of(text) == expected(text, "\"colour\"", "connections[0].colour",
                                     "unknown key 'colour' (expected one of: src, dest, attrs, mode, time_shifted, "
                                     "initial_data, weak, async_requests)"));
    text = with(R"("until": 5)", R"("until": 5, "world": {"rt_facter": 1})");
    CHECK(error_of(text) ==
          expected(text, "\"rt_facter\"", "world.rt_facter", "unknown key 'rt_facter' (did you mean 'rt_factor'?)"));
}

TEST_CASE("a missing or mistyped value names its JSON path", "[mosaik]") {
    auto text = with(R"(, "model": "Y")", "");
    CHECK(error_of(text) == expected(text, R"({"name": "y")", "entities[1]", "missing required key 'model'"));
    text = with(R"("num": 2)", R"("num": "2")");
    CHECK(error_of(text) ==
          expected(text, "\"2\"", "entities[0].num", "expected an integer from 1 to 10000000, got string \"2\""));
    // 2^62 ended in std::bad_alloc, without a location, after 14 s and 3.9 GB.
    text = with(R"("num": 2)", R"("num": 4611686018427387904)");
    CHECK(error_of(text) == expected(text, "4611686018427387904", "entities[0].num",
                                     "expected an integer from 1 to 10000000, got int 4611686018427387904"));
    text = with(R"("num": 2)", R"("num": 18446744073709551615)");
    CHECK_THAT(error_of(text), Catch::Contains("entities[0].num: expected an integer from 1 to 10000000"));
    text = with(R"("attrs": ["v"]})", R"("attrs": ["v"], "weak": 1})");
    CHECK(error_of(text) == expected(text, "1}", "connections[0].weak", "expected true or false, got int 1"));
    text = with(R"("sims": [)", R"("sims": {}, "x": [)");
    CHECK(error_of(text) == expected(text, "\"x\"", "x",
                                     "unknown key 'x' (expected one of: description, variables, sim_config, world, "
                                     "sims, entities, connections, initial_events, extra_method_calls, until)"));
    text = with(R"("sims": [{"name": "A"}, )", R"("sims": {"name": "A"}, "s2": [)");
    CHECK_THAT(error_of(text), Catch::Contains("unknown key 's2'"));
}

TEST_CASE("a huge key or name is abbreviated in the error line, not echoed whole", "[mosaik]") {
    const std::string huge(1 << 20, 'k');
    auto text = with(R"("sims": [)", R"(")" + huge + R"(": 1, "sims": [)");
    auto error = error_of(text);
    CHECK(error.size() < 1000);
    CHECK_THAT(error, Catch::Contains("unknown key '" + huge.substr(0, 80) + "... (1048576 bytes)'"));
    text = with(R"({"cpp": "a"})", R"({"cpp": "a", ")" + huge + R"(": 1, ")" + huge + R"(": 2})");
    error = error_of(text);
    CHECK(error.size() < 1000);
    CHECK_THAT(error, Catch::Contains("... (1048576 bytes)"));
    text = with(R"({"name": "A"})", R"({"name": ")" + huge + R"("})");
    error = error_of(text);
    CHECK(error.size() < 5000);
    CHECK_THAT(error, Catch::Contains("sims[0].name: "));
}

TEST_CASE("until must be given as a positive integer", "[mosaik]") {
    auto text = with(",\n  \"until\": 5", "");
    CHECK(error_of(text) == "bad.json:1:1: missing required key 'until'");
    text = with(R"("until": 5)", R"("until": 0)");
    CHECK(error_of(text) == expected(text, "0\n}", "until", "expected an integer >= 1, got int 0"));
    text = with(R"("until": 5)", R"("until": 2.5)");
    CHECK(error_of(text) == expected(text, "2.5", "until", "expected an integer >= 1, got float 2.5"));
}

TEST_CASE("references to undefined simulators, configs and entity groups suggest the name meant", "[mosaik]") {
    auto text = with(R"("sim": "B-0")", R"("sim": "B-1")");
    CHECK(error_of(text) == expected(text, "\"B-1\"", "entities[1].sim",
                                     "no started simulator has the sim id 'B-1' (did you mean 'B-0'?) "
                                     "(sim ids: A-0, B-0, G-0, G-1)"));
    text = with(R"("sim": "B-0")", R"("sim": "B")");
    CHECK(error_of(text) == expected(text, R"("B", "model")", "entities[1].sim",
                                     "no started simulator has the sim id 'B' (did you mean 'B-0'? simulators are "
                                     "referred to by sim id) (sim ids: A-0, B-0, G-0, G-1)"));
    text = with(R"({"name": "B"})", R"({"name": "C"})");
    CHECK(error_of(text) ==
          expected(text, R"("C")", "sims[1].name", "no sim_config entry is named 'C' (entries: A, B, G)"));
    text = with(R"("src": "xs")", R"("src": "xss")");
    CHECK(error_of(text) ==
          expected(text, R"("xss")", "connections[0].src",
                   "no entity group is named 'xss' (did you mean 'xs'?) (named groups: xs, y, g0, g1)"));
    text = with(R"("src": "xs")", R"("src": "C-0.X_0")");
    CHECK(error_of(text) == expected(text, R"("C-0.X_0")", "connections[0].src",
                                     "'C-0.X_0' is no entity of a started simulator: a full id is '<sim_id>.<eid>' "
                                     "(sim ids: A-0, B-0, G-0, G-1)"));
}

TEST_CASE("duplicate sim ids and entity group names point at the first use", "[mosaik]") {
    auto text = with(R"({"name": "B"})", R"({"name": "B", "sim_id": "A-0"})");
    CHECK(error_of(text) == expected(text, R"("A-0"})", "sims[1].sim_id",
                                     "the sim id 'A-0' is already used by sims[0] (line 3, column 12)"));
    text = with(R"("name": "y")", R"("name": "xs")");
    CHECK(error_of(text) == expected(text, R"("xs", "sim": "B-0")", "entities[1].name",
                                     "the name 'xs' is already used by entities[0] (line 5, column 5)"));
    text = with(R"({"name": "B"})", R"({"name": "B", "sim_id": "B.0"})");
    CHECK(error_of(text) ==
          expected(text, R"("B.0")", "sims[1].sim_id",
                   "a sim id may not contain '.', which separates it from the entity id in a full id"));
}

TEST_CASE("a weak connection outside a group is refused as mosaik does", "[mosaik]") {
    const auto text = with(R"("dest": "g1")", R"("dest": "y")");
    CHECK(error_of(text) == expected(text, "true}", "connections[1].weak",
                                     "weak connections may only be used inside a group, but g0[0] (G-0) and y[0] "
                                     "(B-0) are in no common group"));
}

TEST_CASE("entity selections that select nothing or pair ambiguously are refused", "[mosaik]") {
    auto text = with(R"("src": "xs")", R"("src": "xs[2]")");
    CHECK(error_of(text) ==
          expected(text, R"("xs[2]")", "connections[0].src", "index 2 is out of range: 'xs' has 2 entities"));
    text = with(R"("src": "xs")", R"("src": "xs[a]")");
    CHECK(error_of(text) == expected(text, R"("xs[a]")", "connections[0].src",
                                     "cannot read 'xs[a]': write name, name[i] or name[start:end] (Python's indices)"));
    text = with(R"("src": "xs")", R"("src": "xs[5:]")");
    CHECK(error_of(text) ==
          expected(text, R"("xs[5:]")", "connections[0].src", "'xs[5:]' selects no entity ('xs' has 2)"));
    text = with(R"("dest": "y")", R"("dest": ["xs[1]", "y"])");
    CHECK(error_of(text) == expected(text, R"({"src": "xs")", "connections[0]",
                                     "src selects 2 entities and dest 2: say how to pair them, with \"mode\": "
                                     "\"one_to_one\" (in order) or \"all_to_all\""));
    text = with(R"("attrs": ["v"]})", R"("attrs": ["v"], "mode": "one_to_one"})");
    CHECK(error_of(text) == expected(text, R"("one_to_one")", "connections[0].mode",
                                     "one_to_one needs as many src as dest entities, got 2 and 1"));
    text = with(R"("attrs": ["v"]})", R"("attrs": ["v"], "mode": "zip"})");
    CHECK(error_of(text) ==
          expected(text, R"("zip")", "connections[0].mode", "expected \"one_to_one\" or \"all_to_all\", got \"zip\""));
    text = with(R"("src": "xs")", R"("src": [])");
    CHECK_THAT(error_of(text),
               Catch::StartsWith(fmt::format("bad.json:{}: connections[0].src: expected an entity group "
                                             "name",
                                             at(text, "[]"))));
}

TEST_CASE("the attributes, time shift and initial data of a connection are checked", "[mosaik]") {
    auto text = with(R"("attrs": ["v"]})", R"("attrs": [["v"]]})");
    CHECK(error_of(text) ==
          expected(text, R"(["v"]]})", "connections[0].attrs[0]",
                   "expected an attribute name or a pair [src_attr, dest_attr], got array of 1 elements"));
    text = with(R"("attrs": ["v"]})", R"("attrs": []})");
    CHECK(error_of(text) ==
          expected(text, "[]}", "connections[0].attrs",
                   "no attributes: name at least one (only an async_requests connection may have none)"));
    text = with(R"("weak": true)", R"("weak": true, "initial_data": {"w": 1})");
    CHECK(error_of(text) == expected(text, R"("w": 1)", "connections[1].initial_data.w",
                                     "'w' is not a source attribute of this connection (sources: v)"));
    text = with(R"("attrs": ["v"]})", R"("attrs": ["v"], "initial_data": {"v": 1}})");
    CHECK(error_of(text) == expected(text, R"({"v": 1})", "connections[0].initial_data",
                                     "initial_data is only used by time_shifted or weak connections"));
    text = with(R"("attrs": ["v"]})", R"("attrs": ["v"], "time_shifted": -1})");
    CHECK(error_of(text) ==
          expected(text, "-1}", "connections[0].time_shifted", "expected true, false or an integer >= 0, got int -1"));
}

TEST_CASE("a sim_config entry needs exactly one valid way to start the simulator", "[mosaik]") {
    auto text = with(R"("A": {"cpp": "a"})", R"("A": {"cpp": "a", "cmd": "a %(addr)s"})");
    CHECK(error_of(text) == expected(text, R"("cmd")", "sim_config.A.cmd",
                                     "'cpp' and 'cmd' exclude each other: a simulator is started one way"));
    text = with(R"("A": {"cpp": "a"})", R"("A": {"cpp": "a", "cwd": "."})");
    CHECK(error_of(text) == expected(text, R"("cwd")", "sim_config.A.cwd", "'cwd' only applies to 'cmd'"));
    text = with(R"("A": {"cpp": "a"})", R"("A": {})");
    CHECK(error_of(text) ==
          expected(text, "{}", "sim_config.A",
                   "expected one of 'cpp' (in process), 'cmd' (a process) or 'connect' (a running simulator)"));
    text = with(R"("A": {"cpp": "a"})", R"("A": {"cmd": "./a"})");
    CHECK(error_of(text) == expected(text, R"("./a")", "sim_config.A.cmd",
                                     "the command must contain %(addr)s, where the simulator finds the orchestrator"));
    text = with(R"("A": {"cpp": "a"})", R"("A": {"cmd": "./a %(addr)s %(port)s"})");
    CHECK(error_of(text) == expected(text, R"("./a)", "sim_config.A.cmd",
                                     "a '%' in a command must start %(addr)s, %(python)s or %% (mosaik fills in the "
                                     "command with Python's % operator)"));
    text = with(R"("A": {"cpp": "a"})", R"("A": {"connect": "localhost"})");
    CHECK(error_of(text) == expected(text, R"("localhost")", "sim_config.A.connect",
                                     "expected \"host:port\" with a port from 1 to 65535, got \"localhost\""));
    text = with(R"("A": {"cpp": "a"})", R"("A": {"cmd": "a %(addr)s", "env": {"X": 1}})");
    CHECK(error_of(text) == expected(text, "1}", "sim_config.A.env.X", "expected a string, got int 1"));
}

TEST_CASE("an unknown ${variable} is reported with the variables there are", "[mosaik]") {
    auto text = with(R"({"cpp": "a"})", R"({"cpp": "${nme}"})");
    CHECK(error_of(text) == expected(text, R"("${nme}")", "sim_config.A.cpp",
                                     "unknown variable '${nme}' (defined: out_dir, scenario_dir)"));
    text = with(R"({"name": "A"})", R"({"name": "A", "params": {"p": ["${out_dr}/x"]}})");
    CHECK(error_of(text) == expected(text, R"("${out_dr}/x")", "sims[0].params.p[0]",
                                     "unknown variable '${out_dr}' (did you mean 'out_dir'?) (defined: out_dir, "
                                     "scenario_dir)"));
    text = with(R"({"cpp": "a"})", R"({"cpp": "${a"})");
    CHECK_THAT(error_of(text), Catch::Contains("sim_config.A.cpp: '${' without a closing '}'"));
    text = with(R"("until": 5)", R"("until": 5, "variables": {"scenario_dir": "/x"})");
    CHECK(error_of(text) == expected(text, R"("scenario_dir")", "variables.scenario_dir",
                                     "'scenario_dir' is built in and cannot be set"));
}

TEST_CASE("a group path deeper than the scheduler's tiers is refused at the path", "[mosaik]") {
    const std::string seven = R"(["a", "b", "c", "d", "e", "f", "g"])";
    CHECK(error_of(with(R"({"name": "A"})", R"({"name": "A", "group": )" + seven + "}")) == "no error");
    // 8,000 names took a gigabyte of memory before the world refused them.
    std::string deep = "[";
    for (int i = 0; i < 8000; ++i) deep += fmt::format(R"({}"n{}")", i == 0 ? "" : ", ", i);
    deep += "]";
    for (const auto& path : {std::string(R"(["a", "b", "c", "d", "e", "f", "g", "h"])"), deep}) {
        const auto text = with(R"({"name": "A"})", R"({"name": "A", "group": )" + path + "}");
        CHECK(error_of(text) ==
              expected(text, path.substr(0, 6), "sims[0].group",
                       fmt::format("a simulator can be nested in at most 7 groups, this path has {}",
                                   path == deep ? 8000 : 8)));
    }
}

TEST_CASE("variables that repeat each other are refused before they exhaust memory", "[mosaik]") {
    // Each variable doubles the one before: 40 of them, from 10 characters, would be 10 TiB.
    std::string variables = R"("v0": "0123456789")";
    for (int i = 1; i < 40; ++i) variables += fmt::format(R"(, "v{}": "${{v{}}}${{v{}}}")", i, i - 1, i - 1);
    auto text = with(R"("until": 5)", R"("until": 5, "variables": {)" + variables + "}");
    // v17 would be 10 * 2^17 characters, over 1 MiB.
    CHECK(error_of(text) == expected(text, R"("${v16}${v16}")", "variables.v17",
                                     "the variables in this text expand to more than 1 MiB (at '${v16}'); variables "
                                     "that repeat each other grow exponentially"));
    // Under 1 MiB each, but used often enough to exceed the whole scenario's budget.
    std::string many;
    for (int i = 0; i < 120; ++i) many += std::string(i == 0 ? "" : ", ") + R"("${v16}")";
    variables = R"("v0": "0123456789")";
    for (int i = 1; i <= 16; ++i) variables += fmt::format(R"(, "v{}": "${{v{}}}${{v{}}}")", i, i - 1, i - 1);
    text = with(R"({"name": "A"})", R"({"name": "A", "params": {"p": [)" + many + "]}}");
    text = text.replace(text.find(R"("until": 5)"), 10, R"("until": 5, "variables": {)" + variables + "}");
    CHECK_THAT(error_of(text), Catch::Contains("the scenario's variables expand to more than 64 MiB in all"));
    CHECK_THAT(error_of(text), Catch::Contains("sims[0].params.p["));
}

TEST_CASE("extra method calls, initial events, sim params and world options are checked", "[mosaik]") {
    auto text = with(R"("until": 5)", R"("until": 5, "extra_method_calls": [{"sim": "A-0", "method": "step"}])");
    CHECK(error_of(text) == expected(text, R"("step")", "extra_method_calls[0].method",
                                     "'step' is a call of the mosaik API, not an extra method"));
    text = with(R"("until": 5)",
                R"("until": 5, "extra_method_calls": [{"sim": "A-0", "method": "m", "after_entities": 9}])");
    CHECK(error_of(text) ==
          expected(text, "9}", "extra_method_calls[0].after_entities",
                   "expected an entity group name or a count from 0 to 4 (the entity groups), got int 9"));
    text = with(R"("until": 5)", R"("until": 5, "initial_events": [{"sim": "A-0"}, {"sim": "A-0", "time": 2}])");
    CHECK(error_of(text) ==
          expected(text, R"({"sim": "A-0", "time")", "initial_events[1]",
                   "'A-0' already has an initial event (line 14, column 34); a second would replace it"));
    text = with(R"({"name": "A"})", R"({"name": "A", "params": {"time_resolution": 2}})");
    CHECK(error_of(text) == expected(text, R"("time_resolution")", "sims[0].params.time_resolution",
                                     "'time_resolution' is not a sim param: mosaik passes world.time_resolution"));
    text = with(R"("until": 5)", R"("until": 5, "world": {"rt_strict": true})");
    CHECK(error_of(text) == expected(text, "true}\n}", "world.rt_strict", "rt_strict needs rt_factor"));
    text = with(R"("until": 5)", R"("until": 5, "world": {"step_timeout": -1})");
    CHECK(error_of(text) == expected(text, "-1}", "world.step_timeout", "expected a number > 0, got int -1"));
    text = with(R"("until": 5)", R"("until": 5, "world": {"time_resolution": 0})");
    CHECK(error_of(text) == expected(text, "0}", "world.time_resolution", "expected a number > 0, got int 0"));
}

TEST_CASE("a ScenarioError carries its location and problem apart, and columns count characters", "[mosaik]") {
    // "Grüße" has six bytes but five characters before the closing quote.
    const std::string text = "{\"description\": \"Grüße\", \"x\": 1}";
    try {
        (void)Scenario::parse(text, "dir/bad.json");
        FAIL("no error");
    } catch (const mosaik::ScenarioError& e) {
        CHECK(e.where().file == "dir/bad.json");
        CHECK(e.where().line == 1);
        CHECK(e.where().column == 26);
        CHECK(e.where().path == "x");
        CHECK_THAT(e.problem(), Catch::StartsWith("unknown key 'x'"));
        CHECK_THAT(std::string(e.what()), Catch::StartsWith("dir/bad.json:1:26: x: unknown key 'x'"));
    }
}

TEST_CASE("an unreadable scenario file is a ConfigError naming it", "[mosaik]") {
    CHECK_THROWS_WITH(Scenario::load("/nonexistent/scenario.json"),
                      "cannot read the scenario file '/nonexistent/scenario.json': No such file or directory");
    CHECK_THROWS_AS(Scenario::load("/"), ConfigError);
}
