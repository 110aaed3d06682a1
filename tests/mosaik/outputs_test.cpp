#include "mas/mosaik/outputs.hpp"

#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace mas;
using namespace mas::mosaik;

TEST_CASE("Outputs keep the entities in the order they were first set, for few and for many", "[mosaik]") {
    const int count = GENERATE(1, 8, 9, 1000);
    Outputs out;
    out.time(7);
    for (int i = 0; i < count; ++i) out.entity(fmt::format("M_{}", i)).set(fmt::format("M_{}", i), "val", i);
    // Attributes set again and out of order land in each entity's existing entry.
    for (int i = count - 1; i >= 0; --i) out.set(fmt::format("M_{}", i), "delta", -i);
    out.set("M_0", "val", 100);
    const auto json = out.to_json();
    REQUIRE(json.size() == static_cast<std::size_t>(count) + 1);
    auto item = json.as_object().begin();
    CHECK(item->first == "time");
    CHECK(item->second == Json(7));
    for (int i = 0; i < count; ++i) {
        ++item;
        CHECK(item->first == fmt::format("M_{}", i));
        CHECK(item->second == Json::object({{"val", i == 0 ? 100 : i}, {"delta", -i}}));
    }
}

TEST_CASE("Outputs give the same reply whether read or moved out", "[mosaik]") {
    Outputs out;
    for (int i = 0; i < 20; ++i) out.set(fmt::format("M_{}", i), "val", i);
    out.entity("empty");
    const auto read = out.to_json();
    CHECK(read["empty"] == Json::object());
    CHECK(std::move(out).to_json() == read);
}
