#include "mas/mosaik/inputs.hpp"

#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "mas/core/error.hpp"

using namespace mas;
using namespace mas::mosaik;

namespace {

// `{"M_<i>": {"delta": {"Ctrl-0.A_<i>": i}}}` for i < count, in descending order of i.
Json inputs_for(int count) {
    JsonObject raw;
    for (int i = count - 1; i >= 0; --i) {
        const auto sources = Json::object({{fmt::format("Ctrl-0.A_{}", i), i}});
        raw.push_back(fmt::format("M_{}", i), Json::object({{"delta", sources}}));
    }
    return Json(std::move(raw));
}

}  // namespace

TEST_CASE("Inputs finds every entity's values, for few and for many entities", "[mosaik]") {
    const int count = GENERATE(1, 8, 9, 1000);
    const Inputs inputs(inputs_for(count));
    for (int i = 0; i < count; ++i) {
        const auto eid = fmt::format("M_{}", i);
        REQUIRE(inputs.contains(eid, "delta"));
        CHECK(inputs.sum(eid, "delta") == i);
        const auto values = inputs.values(eid, "delta");
        REQUIRE(values.size() == 1);
        CHECK(values[0].source == fmt::format("Ctrl-0.A_{}", i));
        CHECK(inputs.attrs(eid) == std::vector<std::string>{"delta"});
    }
    CHECK_FALSE(inputs.contains("M_", "delta"));
    CHECK_FALSE(inputs.contains(fmt::format("M_{}", count), "delta"));
    CHECK_FALSE(inputs.contains("M_0", "val"));
    CHECK(inputs.values("nobody", "delta").empty());
    CHECK(inputs.entities().size() == static_cast<std::size_t>(count));
    CHECK(inputs.entities().front() == fmt::format("M_{}", count - 1));  // mosaik's order is kept
}

TEST_CASE("A copy of many entities' inputs finds the same values", "[mosaik]") {
    const Inputs original(inputs_for(100));
    Inputs copy = original;
    const Inputs moved = std::move(copy);
    CHECK(moved.sum("M_42", "delta") == 42);
    CHECK(moved.json() == original.json());
}

TEST_CASE("Inputs with a repeated entity id read its first entry, for few and for many entities", "[mosaik]") {
    const int count = GENERATE(2, 20);
    auto raw = inputs_for(count);
    raw.as_object().push_back("M_0", Json::object({{"delta", Json::object({{"other", 100}})}}));
    const Inputs inputs(std::move(raw));
    CHECK(inputs.sum("M_0", "delta") == 0);
}

TEST_CASE("Inputs of the wrong shape are a TypeError", "[mosaik]") {
    CHECK_THROWS_AS(Inputs(Json::array()), TypeError);
    CHECK_THROWS_AS(Inputs(Json::object({{"M_0", 1}})), TypeError);
}

TEST_CASE("A view reads inputs in place, and a copy of it keeps its values after the original is gone", "[mosaik]") {
    const int count = GENERATE(1, 1000);
    auto raw = std::make_unique<Json>(inputs_for(count));
    const auto view = Inputs::view(*raw);
    CHECK(&view.json() == raw.get());
    CHECK(view.sum("M_0", "delta") == 0);
    CHECK(view.sum(fmt::format("M_{}", count - 1), "delta") == count - 1);
    Inputs copy = view;
    raw.reset();
    CHECK(copy.sum(fmt::format("M_{}", count - 1), "delta") == count - 1);
    CHECK(copy.entities().size() == static_cast<std::size_t>(count));
    // A view of inputs of the wrong shape is refused like the inputs themselves.
    const Json bad = Json::object({{"M_0", 1}});
    CHECK_THROWS_AS(Inputs::view(bad), TypeError);
}

namespace {

// Every value with its keys, as visit() reports them and by place.
std::vector<std::string> visited(const Inputs& inputs) {
    std::vector<std::string> out;
    inputs.visit([&](const std::string& eid, const std::string& attr, const std::string& source, const Json& value) {
        out.push_back(fmt::format("{}.{} <- {}: {}", eid, attr, source, value.describe()));
    });
    for (std::size_t k = 0; k < inputs.value_count(); ++k) out.push_back(inputs.value(k).describe());
    return out;
}

}  // namespace

TEST_CASE("Pulled inputs read their values where they are, and as JSON only when asked", "[mosaik]") {
    // Keys with stale values, and the values of the step elsewhere (one missing: null).
    Json tree = Json::object({{"M_0", Json::object({{"delta", Json::object({{"A.a", 0}, {"A.b", 0}})},
                                                    {"val", Json::object({{"A.a", 0}})}})},
                              {"M_1", Json::object({{"delta", Json::object({{"A.c", 0}})}})}});
    const std::vector<Json> step1{Json(1), Json(2.5), Json("x"), Json()};
    std::vector<const Json*> values{&step1[0], &step1[1], &step1[2], nullptr};
    auto inputs = Inputs::pulled(tree, values);
    CHECK_FALSE(inputs.same_shape());
    REQUIRE(inputs.value_count() == 4);
    CHECK(inputs.value(1) == Json(2.5));
    CHECK(inputs.value(3).is_null());
    CHECK(tree["M_0"]["delta"]["A.a"] == Json(0));  // not written before the JSON is asked for
    // The same as the JSON with those values, read every way.
    const Json expected = Json::object({{"M_0", Json::object({{"delta", Json::object({{"A.a", 1}, {"A.b", 2.5}})},
                                                              {"val", Json::object({{"A.a", "x"}})}})},
                                        {"M_1", Json::object({{"delta", Json::object({{"A.c", nullptr}})}})}});
    const Inputs plain(expected);
    CHECK(visited(inputs) == visited(plain));
    CHECK(inputs.sum("M_0", "delta") == 3.5);
    CHECK(inputs.json() == expected);
    CHECK(tree == expected);
    // The next step: new values for the same keys.
    const std::vector<Json> step2{Json(5), Json(6), Json(7), Json(8)};
    const std::vector<const Json*> next{&step2[0], &step2[1], &step2[2], &step2[3]};
    inputs.next_values(next);
    CHECK(inputs.same_shape());
    CHECK(inputs.value(3) == Json(8));
    CHECK(inputs.sum("M_1", "delta") == 8);
    // A copy owns the JSON with the values it had.
    const Inputs copy = inputs;
    CHECK(copy.json()["M_0"]["delta"]["A.b"] == Json(6));
    CHECK_FALSE(copy.same_shape());
}

TEST_CASE("Inputs of every kind give their values by place in the order of their JSON", "[mosaik]") {
    const Inputs inputs(inputs_for(20));
    REQUIRE(inputs.value_count() == 20);
    // inputs_for lists M_19 first.
    CHECK(inputs.value(0) == Json(19));
    CHECK(inputs.value(19) == Json(0));
    const auto raw = inputs_for(20);
    CHECK(visited(Inputs::view(raw)) == visited(inputs));
}
