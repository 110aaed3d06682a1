// The collector's RecordTable against a plain map of (time, source, attribute) -> value: random
// steps with new keys, with the last step's keys by place (fewer or more of them too), and
// further steps at a time already recorded, which replace values of frames that share their keys
// with other frames.
#include "name_table.hpp"
#include "record_table.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "mas/core/json.hpp"

using namespace mas;

namespace {

using Key = std::pair<std::string, std::string>;  // source, attribute
using Reference = std::map<std::tuple<std::int64_t, std::string, std::string>, Json>;

Json random_value(std::mt19937& rng) {
    switch (std::uniform_int_distribution<int>(0, 7)(rng)) {
    case 0: return Json(nullptr);
    case 1: return Json(std::uniform_int_distribution<int>(0, 1)(rng) == 1);
    case 2: return Json(std::uniform_real_distribution<double>(-1e3, 1e3)(rng));
    case 3: return Json(std::uint64_t{1} << 63);
    case 4: return Json(fmt::format("s{}", rng() % 100));
    case 5: return Json::array({1, "two"});
    default: return Json(static_cast<std::int64_t>(rng() % 2000) - 1000);
    }
}

std::vector<std::tuple<std::int64_t, std::string, std::string, Json>> records(const sims::RecordTable& table) {
    std::vector<std::tuple<std::int64_t, std::string, std::string, Json>> out;
    table.visit([&](std::int64_t time, std::string_view source, std::string_view attr, const Json& value) {
        out.emplace_back(time, std::string(source), std::string(attr), value);
    });
    return out;
}

}  // namespace

TEST_CASE("The collector's records match a plain map through steps that share, shorten and extend keys",
          "[mosaik]") {
    std::vector<Key> pool;
    for (int s = 0; s < 12; ++s) {
        for (const char* attr : {"val", "delta", "p"}) pool.emplace_back(fmt::format("Sim-0.E{}", s), attr);
    }
    for (std::uint32_t seed = 1; seed <= 40; ++seed) {
        CAPTURE(seed);
        std::mt19937 rng(seed);
        sims::RecordTable table;
        Reference reference;
        std::vector<Key> last;  // the keys the table takes as the last step's
        std::int64_t time = 0;
        for (int step = 0; step < 60; ++step) {
            if (std::uniform_int_distribution<int>(0, 2)(rng) != 0) time += std::uniform_int_distribution<int>(1, 5)(rng);
            const bool same = !last.empty() && std::uniform_int_distribution<int>(0, 2)(rng) != 0;
            std::vector<Key> keys;
            if (same) {
                // By place: all of the last step's keys, a prefix of them, or more.
                const auto shape = std::uniform_int_distribution<int>(0, 3)(rng);
                std::size_t count = last.size();
                if (shape == 1) count = std::uniform_int_distribution<std::size_t>(0, last.size())(rng);
                keys.assign(last.begin(), last.begin() + static_cast<std::ptrdiff_t>(count));
                if (shape == 2) {
                    for (const auto& key : pool) {
                        if (std::find(keys.begin(), keys.end(), key) == keys.end() && rng() % 4 == 0) keys.push_back(key);
                    }
                }
            } else {
                keys = pool;
                std::shuffle(keys.begin(), keys.end(), rng);
                keys.resize(std::uniform_int_distribution<std::size_t>(0, pool.size())(rng));
            }
            // Mostly as the collector hands them over: attribute by attribute, each a group of
            // distinct sources (the first group of the first step is taken without lookups).
            const bool grouped = !same && rng() % 4 != 0;
            if (grouped) {
                std::stable_sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) { return a.second < b.second; });
            }
            table.begin_step(time, same);
            std::size_t k = 0;
            if (same && rng() % 3 == 0) {
                // A run of values by place in one go.
                const auto run = std::uniform_int_distribution<std::size_t>(0, std::min(keys.size(), last.size()))(rng);
                std::vector<Json> values;
                for (std::size_t i = 0; i < run; ++i) values.push_back(random_value(rng));
                table.add_values(run, [&](std::size_t i) -> const Json& { return values[i]; });
                for (; k < run; ++k) reference[{time, keys[k].first, keys[k].second}] = values[k];
            }
            for (; k < keys.size(); ++k) {
                auto value = random_value(rng);
                if (same && k < last.size() && rng() % 2 == 0) {
                    table.add_value(value);
                } else {
                    if (grouped && (k == 0 || keys[k].second != keys[k - 1].second)) table.begin_group();
                    table.add(keys[k].first, keys[k].second, value);
                }
                reference[{time, keys[k].first, keys[k].second}] = std::move(value);
            }
            // A step by place that gave fewer values than promised still has the promised keys.
            if (!(same && keys.size() <= last.size())) last = keys;
        }
        if (!last.empty()) {
            table.begin_step(time + 1, true);
            CHECK_THROWS(([&] {
                for (std::size_t k = 0; k <= last.size(); ++k) table.add_value(Json(1));
            })());
            for (const auto& [source, attr] : last) reference[{time + 1, source, attr}] = Json(1);
        }

        const auto got = records(table);
        REQUIRE(got.size() == reference.size());
        CHECK(table.size() == reference.size());
        std::size_t i = 0;
        for (const auto& [key, value] : reference) {
            const auto& [t, source, attr] = key;
            INFO(fmt::format("record {}: {} {} {}", i, t, source, attr));
            CHECK(std::get<0>(got[i]) == t);
            CHECK(std::get<1>(got[i]) == source);
            CHECK(std::get<2>(got[i]) == attr);
            CHECK(std::get<3>(got[i]) == value);
            ++i;
        }
        if (!reference.empty()) {
            CHECK(table.first_time() == std::get<0>(reference.begin()->first));
            CHECK(table.last_time() == std::get<0>(reference.rbegin()->first));
        }
    }
}

TEST_CASE("The collector's name table numbers names in the order they were first added", "[mosaik]") {
    // Against a plain map: names of every length (empty, short, and longer than a block), many
    // repeats, and enough names to grow the lookup several times; half of the new names added
    // as known to be new, so that lookups come between runs of names not indexed yet.
    std::mt19937 rng(7);
    sims::NameTable table;
    std::map<std::string, std::uint32_t> reference;
    std::vector<std::string> order;
    for (int i = 0; i < 20000; ++i) {
        if (i == 5000) table.reserve(40000);
        std::string name;
        const auto pick = rng() % 100;
        if (pick == 0) {
            name = std::string(70 * 1024 + rng() % 10, static_cast<char>('a' + rng() % 26));
        } else if (pick < 40 && !order.empty()) {
            name = order[rng() % order.size()];
        } else {
            name = fmt::format("Sim-{}.E_{}", rng() % 3, rng() % 30000);
            if (pick == 1) name.clear();
        }
        const auto [at, added] = reference.try_emplace(name, static_cast<std::uint32_t>(order.size()));
        if (added) order.push_back(name);
        // A name the caller knows is new may skip the lookup; it is found all the same later.
        if (added && rng() % 2 == 0) {
            REQUIRE(table.add_new(name) == at->second);
            continue;
        }
        if (i % 3 == 0) {
            const auto found = table.find(name);
            if (added) {
                CHECK_FALSE(found.has_value());
            } else {
                REQUIRE(found.has_value());
                CHECK(*found == at->second);
            }
        }
        REQUIRE(table.add(name) == at->second);
    }
    REQUIRE(table.size() == order.size());
    for (std::uint32_t id = 0; id < order.size(); ++id) CHECK(table[id] == order[id]);
}
