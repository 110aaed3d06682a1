#include "mas/mosaik/orchestrator/tiered_time.hpp"

#include <cstdint>
#include <limits>

#include <catch2/catch.hpp>

#include "mas/core/error.hpp"

using namespace mas;
using namespace mas::mosaik;

namespace {
TieredTime tt(std::vector<std::int64_t> tiers) { return TieredTime(Tiers(tiers)); }
}  // namespace

TEST_CASE("Ungrouped connections are a plain time shift", "[mosaik]") {
    const auto plain = connect_interval({}, {});
    CHECK(plain == TieredInterval({0}));
    CHECK(tt({5}) + plain == tt({5}));
    const auto shifted = connect_interval({}, {}, 1);
    CHECK(tt({5}) + shifted == tt({6}));
    CHECK_THROWS_AS(connect_interval({}, {}, 0, true), ConfigError);
}

TEST_CASE("A weak connection inside a group adds one sub-step", "[mosaik]") {
    const auto weak = connect_interval({0}, {0}, 0, true);
    CHECK(weak.tiers() == Tiers{0, 1});
    CHECK(weak.cutoff() == 2);
    CHECK(tt({3, 0}) + weak == tt({3, 1}));
    CHECK(tt({3, 1}) + weak + weak == tt({3, 3}));
    // Within the group but not weak: same sub-step.
    CHECK(tt({3, 2}) + connect_interval({0}, {0}) == tt({3, 2}));
}

TEST_CASE("Leaving a group drops the sub-step, entering one appends a zero", "[mosaik]") {
    const auto out = connect_interval({0}, {});
    CHECK(out.pre_length() == 2);
    CHECK(out.size() == 1);
    CHECK(tt({4, 7}) + out == tt({4}));
    const auto in = connect_interval({}, {0}, 2);
    CHECK(tt({4}) + in == tt({6, 0}));
    // Between sibling groups the sub-step of the source is dropped and the destination's reset.
    CHECK(tt({4, 7}) + connect_interval({0}, {1}) == tt({4, 0}));
    // A weak connection between two nested groups steps the sub-step of their common group.
    const auto nested = connect_interval({0, 1}, {0, 2}, 0, true);
    CHECK(tt({1, 2, 3}) + nested == tt({1, 3, 0}));
}

TEST_CASE("Intervals chain and compare like delays along a path", "[mosaik]") {
    const auto weak = connect_interval({0}, {0}, 0, true);
    CHECK((weak + weak).tiers() == Tiers{0, 2});
    const auto leave = connect_interval({0}, {});
    const auto shift = connect_interval({}, {}, 1);
    const auto path = leave + shift;  // group sim -> ungrouped -> ungrouped, shifted
    CHECK(tt({2, 5}) + path == tt({3}));
    CHECK(TieredInterval({0, 1}) < TieredInterval({1, 0}));
    CHECK_FALSE(TieredInterval({1}) < TieredInterval({1}));
    // One adds at the second tier where the other replaces: no order.
    CHECK_THROWS_AS(TieredInterval({0, 0}, 1, 2) < TieredInterval({0, 1}, 2, 2), Error);
    CHECK_THROWS_AS(weak + shift, Error);  // lengths do not fit
}

TEST_CASE("A delay too long for int64 ends past every time instead of wrapping into the past", "[mosaik]") {
    constexpr auto max = std::numeric_limits<std::int64_t>::max();
    const auto far = connect_interval({}, {}, max);
    CHECK(tt({2}) + far == tt({max}));
    CHECK((far + connect_interval({}, {}, 1)).tiers() == Tiers{max});
    CHECK(tt({0}) + connect_interval({}, {}, 1) < tt({0}) + far);
}

TEST_CASE("Tiered times order lexicographically and print as mosaik's node names", "[mosaik]") {
    CHECK(tt({1, 5}) < tt({2, 0}));
    CHECK(tt({2, 0}) < tt({2, 1}));
    CHECK(TieredTime::at(7, 3) == tt({7, 0, 0}));
    CHECK(tt({0, 1}).to_string() == "0:1");
    CHECK_THROWS_AS(tt({1}) < tt({1, 0}), Error);
}
