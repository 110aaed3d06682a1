#include "mas/mosaik/inputs.hpp"

#include <memory>
#include <string>

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
