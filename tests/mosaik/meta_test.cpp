#include "mas/mosaik/meta.hpp"

#include <catch2/catch.hpp>

#include "mas/core/json_codec.hpp"
#include "mosaik/mosaik_peer.hpp"

using namespace mas;
using namespace mas::mosaik;

TEST_CASE("Meta gives exactly mosaik's meta dict", "[mosaik]") {
    Meta meta(SimType::time_based);
    meta.model("Node").params({"init_val", "delta"}).attrs({"in", "val", "delta"});
    meta.model("Child").is_public(false).attrs({"in", "val"});
    meta.extra_method("set_offset").extra_method("describe");
    // The init reply of the Node simulator in a_time_based.jsonl.
    const auto recorded = JsonCodec().decode(
        R"({"api_version": "3.0", "models": {"Node": {"public": true, "params": ["init_val", "delta"], "attrs": ["in", "val", "delta"]}, "Child": {"public": false, "params": [], "attrs": ["in", "val"]}}, "extra_methods": ["set_offset", "describe"], "type": "time-based"})");
    CHECK(JsonCodec().encode(meta.to_json()) == JsonCodec().encode(recorded));
    CHECK_NOTHROW(meta.validate());
}

TEST_CASE("Meta declares set_events as mosaik_api_v3 simulators do", "[mosaik]") {
    Meta meta(SimType::event_based);
    meta.model("R").attrs({"x"});
    CHECK_FALSE(meta.to_json().contains("set_events"));
    meta.set_events(true);
    // The init reply of the RtEvent simulator in c2_set_event_rt.jsonl.
    const auto recorded = JsonCodec().decode(
        R"({"api_version": "3.0", "models": {"R": {"public": true, "params": [], "attrs": ["x"]}}, "extra_methods": [], "type": "event-based", "set_events": true})");
    CHECK(JsonCodec().encode(meta.to_json()) == JsonCodec().encode(recorded));
    CHECK(meta.set_events());
}

TEST_CASE("Meta writes any_inputs, trigger and non-persistent only when set", "[mosaik]") {
    Meta meta(SimType::hybrid);
    meta.model("M").attrs({"a", "b"}).trigger({"a"}).non_persistent({"b"});
    meta.model("Sink").any_inputs(true);
    const auto json = meta.to_json();
    CHECK(json["type"] == Json("hybrid"));
    CHECK(json["models"]["M"]["trigger"] == Json::array({"a"}));
    CHECK(json["models"]["M"]["non-persistent"] == Json::array({"b"}));
    CHECK(json["models"]["Sink"]["any_inputs"] == Json(true));
    CHECK_FALSE(json["models"]["Sink"].contains("trigger"));
    CHECK_NOTHROW(meta.validate());
}

TEST_CASE("Meta that mosaik would reject is reported as ConfigError with the rule", "[mosaik]") {
    SECTION("time-based with triggers") {
        Meta meta(SimType::time_based);
        meta.model("M").attrs({"a"}).trigger({"a"});
        CHECK_THROWS_WITH(meta.validate(), Catch::Contains("time-based model 'M' may not have trigger"));
    }
    SECTION("event-based input that is not a trigger") {
        Meta meta(SimType::event_based);
        meta.model("M").attrs({"a", "b"}).trigger({"a"});
        CHECK_THROWS_WITH(meta.validate(), Catch::Contains("'b' is missing"));
    }
    SECTION("event-based non-persistent not listing all attrs") {
        Meta meta(SimType::event_based);
        meta.model("M").attrs({"a", "b"}).non_persistent({"b"});
        CHECK_THROWS_WITH(meta.validate(), Catch::Contains("non-persistent"));
    }
    SECTION("bad api_version") {
        Meta meta;
        meta.api_version("4.0");
        CHECK_THROWS_AS(meta.validate(), ConfigError);
        meta.api_version("three");
        CHECK_THROWS_WITH(meta.validate(), Catch::Contains("api_version \"three\""));
    }
    SECTION("names colliding with the API") {
        Meta meta;
        meta.model("step");
        CHECK_THROWS_WITH(meta.validate(), Catch::Contains("'step' collides"));
        Meta extra;
        extra.extra_method("get_data");
        CHECK_THROWS_AS(extra.validate(), ConfigError);
        Meta same;
        same.model("M");
        same.extra_method("M");
        CHECK_THROWS_WITH(same.validate(), Catch::Contains("has the name of a model"));
    }
    SECTION("trigger that is not an attr") {
        Meta meta(SimType::hybrid);
        meta.model("M").attrs({"a"}).trigger({"x"});
        CHECK_THROWS_WITH(meta.validate(), Catch::Contains("'x' as trigger but not in its attrs"));
    }
}
