#include "mas/mosaik/orchestrator/model_attrs.hpp"

#include <catch2/catch.hpp>

#include "mas/core/error.hpp"

using namespace mas;
using namespace mas::mosaik;

namespace {
Json model(JsonObject fields) { return Json(std::move(fields)); }
AttrSet set(std::set<std::string> names) { return AttrSet::of(std::move(names)); }
}  // namespace

TEST_CASE("Attribute classes default by simulator type", "[mosaik]") {
    const auto m = model({{"attrs", Json::array({"a", "b"})}});
    const auto time_based = parse_model_attrs("M", m, SimType::time_based);
    CHECK(time_based.non_trigger == set({"a", "b"}));
    CHECK(time_based.trigger.empty());
    CHECK(time_based.persistent == set({"a", "b"}));
    CHECK(time_based.non_persistent.empty());
    const auto event_based = parse_model_attrs("M", m, SimType::event_based);
    CHECK(event_based.trigger == set({"a", "b"}));
    CHECK(event_based.non_trigger.empty());
    CHECK(event_based.non_persistent == set({"a", "b"}));
    CHECK(event_based.persistent.empty());
    const auto hybrid = parse_model_attrs("M", m, SimType::hybrid);
    CHECK(hybrid.non_trigger == set({"a", "b"}));
    CHECK(hybrid.persistent == set({"a", "b"}));
}

TEST_CASE("A hybrid model's trigger and non-persistent lists split its attrs", "[mosaik]") {
    // mosaik's tutorial ExampleSim: trigger delta.
    const auto m = model({{"attrs", Json::array({"delta", "val"})},
                          {"trigger", Json::array({"delta"})},
                          {"non-persistent", Json::array({"val"})}});
    const auto attrs = parse_model_attrs("ExampleModel", m, SimType::hybrid);
    CHECK(attrs.trigger == set({"delta"}));
    CHECK(attrs.non_trigger == set({"val"}));
    CHECK(attrs.persistent == set({"delta"}));
    CHECK(attrs.non_persistent == set({"val"}));
    CHECK(attrs.is_input("val"));
    CHECK_FALSE(attrs.is_output("other"));
}

TEST_CASE("any_inputs accepts every name as input", "[mosaik]") {
    const auto m = model({{"any_inputs", true}, {"attrs", Json::array()}, {"trigger", Json::array({"x"})}});
    const auto attrs = parse_model_attrs("Monitor", m, SimType::hybrid);
    CHECK(attrs.trigger.contains("x"));
    CHECK(attrs.non_trigger.contains("whatever"));
    CHECK_FALSE(attrs.non_trigger.contains("x"));
    const auto monitor = parse_model_attrs("Monitor", model({{"any_inputs", true}, {"attrs", Json::array()}}),
                                           SimType::event_based);
    CHECK(monitor.trigger.contains("P"));
    CHECK(monitor.non_trigger.empty());
}

TEST_CASE("Attribute classes that mosaik rejects are configuration errors", "[mosaik]") {
    const auto error = [](const Json& m, SimType type) {
        try {
            parse_model_attrs("M", m, type);
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    const auto attrs = Json::array({"a", "b"});
    CHECK_THAT(error(model({{"attrs", attrs}, {"trigger", Json::array({"a"})}}), SimType::time_based),
               Catch::Contains("time-based simulators may not have trigger attributes"));
    CHECK_THAT(error(model({{"attrs", attrs}, {"non-trigger", Json::array({"a"})}}), SimType::event_based),
               Catch::Contains("event-based simulators may not have non-trigger attributes"));
    CHECK_THAT(error(model({{"attrs", attrs}, {"trigger", Json::array({"c"})}}), SimType::hybrid),
               Catch::Contains("must together be \"attrs\""));
    CHECK_THAT(error(model({{"attrs", attrs}, {"trigger", Json::array({"a"})}, {"non-trigger", Json::array({"a", "b"})}}),
                     SimType::hybrid),
               Catch::Contains("overlap"));
    CHECK_THAT(error(model({{"attrs", "a"}}), SimType::hybrid), Catch::Contains("must be a list of names"));
}
