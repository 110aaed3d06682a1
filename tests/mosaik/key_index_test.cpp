// KeyIndex against a plain map: random keys added and looked up through growth and reserve,
// hashes forced to collide (equal in all bits, or only in the bits a slot keeps), and the
// splitmix mixing of number pairs the entity graph and trigger ports rely on.
#include "mas/mosaik/detail/key_index.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

using mas::mosaik::detail::KeyIndex;

namespace {

// The keys are kept elsewhere, as the index's users keep them: here in a vector.
struct Indexed {
    std::vector<std::string> keys;
    KeyIndex index;
    [[nodiscard]] std::optional<std::size_t> find(const std::string& key) const {
        return index.find(key, [&](std::size_t i) -> std::string_view { return keys[i]; });
    }
};

}  // namespace

TEST_CASE("KeyIndex finds every key it was given, and no other, as a map does", "[mosaik]") {
    for (std::uint32_t seed = 1; seed <= 20; ++seed) {
        CAPTURE(seed);
        std::mt19937 rng(seed);
        Indexed table;
        std::map<std::string, std::size_t> reference;
        // Some new keys are added in runs, with add_many, before the next lookup.
        std::vector<std::uint32_t> run;
        const auto add_run = [&] {
            table.index.add_many(run, table.keys.size() - run.size());
            run.clear();
        };
        const auto rounds = std::uniform_int_distribution<int>(1, 3000)(rng);
        for (int i = 0; i < rounds; ++i) {
            const auto key = fmt::format("Sim-{}.E{}", rng() % 7, rng() % 2000);
            if (reference.contains(key)) {
                add_run();
                REQUIRE(table.find(key) == reference[key]);
                continue;
            }
            if (rng() % 2 == 0) {
                table.keys.push_back(key);
                reference[key] = table.keys.size() - 1;
                run.push_back(static_cast<std::uint32_t>(KeyIndex::Hash().add(key).value()));
                continue;
            }
            add_run();
            if (rng() % 50 == 0) table.index.reserve(table.keys.size() + rng() % 5000);
            REQUIRE_FALSE(table.find(key));
            table.keys.push_back(key);
            reference[key] = table.keys.size() - 1;
            table.index.add(key, table.keys.size() - 1);
        }
        add_run();
        for (const auto& [key, position] : reference) REQUIRE(table.find(key) == position);
        REQUIRE_FALSE(table.find("Sim-9.E1"));
        REQUIRE_FALSE(table.find(""));
    }
}

TEST_CASE("KeyIndex tells apart keys whose hashes collide, in all bits or in the bits a slot keeps", "[mosaik]") {
    std::vector<std::size_t> values(2000);
    KeyIndex index;
    // Four hashes for 2,000 positions: two equal in full, two equal in their low 32 bits only.
    const std::size_t hashes[] = {7, 7, (std::size_t{1} << 40) | 7, 12345};
    for (std::size_t i = 0; i < values.size(); ++i) {
        values[i] = i * 3;
        index.add_hashed(hashes[i % 4], i);
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto found = index.find_hashed(hashes[i % 4], [&](std::size_t p) { return values[p] == i * 3; });
        REQUIRE(found == i);
    }
    REQUIRE_FALSE(index.find_hashed(7, [&](std::size_t p) { return values[p] == 1; }));
    REQUIRE_FALSE(index.find_hashed(99, [](std::size_t) { return true; }));
}

TEST_CASE("KeyIndex hashes a key given in pieces as the joined key, and refuses positions it cannot hold", "[mosaik]") {
    REQUIRE(KeyIndex::Hash().add("Sim-0").add(".").add("E12").value() == KeyIndex::Hash().add("Sim-0.E12").value());
    REQUIRE(KeyIndex::Hash().add("a").value() != KeyIndex::Hash().add("b").value());
    KeyIndex index;
    REQUIRE_THROWS_AS(index.add_hashed(1, std::size_t{UINT32_MAX}), std::length_error);
    REQUIRE(index.empty());
}

TEST_CASE("KeyIndex::mix spreads pairs that share one number over the low bits", "[mosaik]") {
    // A fan-in: one node with 4,096 others. The low 12 bits, which choose the slot of a table of
    // 4,096 slots, must take many values, or every edge of the fan-in lands in a few slots.
    std::set<std::size_t> low_bits;
    for (std::uint32_t other = 0; other < 4096; ++other) low_bits.insert(KeyIndex::mix(other, 5) & 4095U);
    REQUIRE(low_bits.size() > 2000);
    low_bits.clear();
    for (std::uint64_t other = 0; other < 4096; ++other) low_bits.insert(KeyIndex::mix(5, other) & 4095U);
    REQUIRE(low_bits.size() > 2000);
}
