#include "mas/mosaik/outputs.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "mas/core/error.hpp"
#include "mas/core/json_codec.hpp"

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

namespace {

// A request of entities E_0..E_11 with one to three of the attributes a, b, c.
OutputRequest sample_request() {
    std::vector<OutputRequest::value_type> items;
    const std::vector<std::string> all{"a", "b", "c"};
    for (int i = 0; i < 12; ++i) {
        items.emplace_back(fmt::format("E_{}", i), std::vector<std::string>(all.begin(), all.begin() + 1 + i % 3));
    }
    return OutputRequest(std::move(items));
}

struct Call {
    int kind;  // 0 set, 1 entity, 2 time
    std::string eid;
    std::string attr;
    int value;
};

void apply(Outputs& out, const Call& call) {
    if (call.kind == 0) out.set(call.eid, call.attr, call.value);
    if (call.kind == 1) out.entity(call.eid);
    if (call.kind == 2) out.time(call.value);
}

// The same call by place (set_at, entity_at) where the request has the names, as a simulator
// that walks the request makes it: the value as a number (written in place when the fill is in
// order) or `as_json`.
void apply_by_place(Outputs& out, const OutputRequest& request, const Call& call, bool as_json = false) {
    const auto e = request.find(call.eid);
    if (!e || call.kind == 2) return apply(out, call);
    if (call.kind == 1) {
        out.entity_at(*e);
        return;
    }
    const auto& attrs = request[*e].second;
    const auto a = std::find(attrs.begin(), attrs.end(), call.attr);
    if (a == attrs.end()) return apply(out, call);
    const auto at = static_cast<std::size_t>(a - attrs.begin());
    if (as_json) {
        out.set_at(*e, at, Json(call.value));
    } else {
        out.set_at(*e, at, call.value);
    }
}

enum class Order { request, shuffled_attrs, any };

// Calls as simulators make them: the request in order (possibly skipping some and setting some
// again), the entities in order but each one's attributes in any order, or anything at all,
// including names that were not asked for.
std::vector<Call> calls_for(const OutputRequest& request, std::mt19937& random, Order order) {
    std::vector<Call> calls;
    const auto chance = [&](int percent) { return static_cast<int>(random() % 100) < percent; };
    if (order != Order::any) {
        for (const auto& [eid, requested] : request) {
            if (chance(20)) continue;
            if (chance(50)) calls.push_back({1, eid, "", 0});
            auto attrs = requested;
            if (order == Order::shuffled_attrs) std::shuffle(attrs.begin(), attrs.end(), random);
            for (const auto& attr : attrs) {
                if (chance(20)) continue;
                calls.push_back({0, eid, attr, static_cast<int>(random() % 1000)});
                if (chance(10)) calls.push_back({0, eid, attr, static_cast<int>(random() % 1000)});
            }
        }
        if (chance(30)) calls.push_back({2, "", "", static_cast<int>(random() % 50)});
        return calls;
    }
    const std::vector<std::string> attrs{"a", "b", "c", "z"};
    const auto count = 1 + random() % 40;
    for (std::size_t i = 0; i < count; ++i) {
        const auto eid = chance(10) ? std::string("X") : fmt::format("E_{}", random() % 12);
        const int kind = chance(80) ? 0 : (chance(70) ? 1 : 2);
        calls.push_back({kind, eid, attrs[random() % attrs.size()], static_cast<int>(random() % 1000)});
    }
    return calls;
}

// The keys of a reply in their order ("eid" and "eid.attr"): Json's == ignores the order, as
// Python's dicts do, but a simulator's reply keeps it.
std::vector<std::string> key_order(const Json& reply) {
    std::vector<std::string> keys;
    for (const auto& [eid, attrs] : reply.as_object()) {
        keys.push_back(eid);
        if (!attrs.is_object()) continue;
        for (const auto& item : attrs.as_object()) keys.push_back(eid + "." + item.first);
    }
    return keys;
}

}  // namespace

TEST_CASE("Outputs made from the request give the same reply and lookups as plain Outputs, in any order",
          "[mosaik]") {
    const auto request = sample_request();
    std::mt19937 random(20261204);
    const std::vector<std::string> eids{"E_0", "E_1", "E_5", "E_11", "X", "E_12"};
    const std::vector<std::string> attrs{"a", "b", "c", "z"};
    for (int round = 0; round < 600; ++round) {
        const auto order = std::array{Order::request, Order::shuffled_attrs, Order::any}[round % 3];
        const bool in_order = order == Order::request;
        const auto calls = calls_for(request, random, order);
        Outputs plain;
        Outputs laid_out(request);
        Outputs by_place(request);
        Outputs by_place_json(request);
        for (const auto& call : calls) {
            apply(plain, call);
            apply(laid_out, call);
            apply_by_place(by_place, request, call);
            apply_by_place(by_place_json, request, call, true);
        }
        INFO("round " << round << " order " << static_cast<int>(order));
        // Filled in the request's order, they keep the flat table the orchestrator reads, where
        // a value is found by its place alone.
        if (in_order) {
            CHECK(laid_out.laid_out_by(request));
            CHECK(by_place.laid_out_by(request));
            for (std::size_t e = 0; e < request.size(); ++e) {
                for (std::size_t a = 0; a < request[e].second.size(); ++a) {
                    CHECK(laid_out.find_laid_out({e, a}) == laid_out.find(request[e].first, request[e].second[a]));
                }
            }
        }
        CHECK(by_place.to_json() == plain.to_json());
        CHECK(key_order(by_place.to_json()) == key_order(plain.to_json()));
        CHECK(by_place_json.to_json() == plain.to_json());
        CHECK(key_order(by_place_json.to_json()) == key_order(plain.to_json()));
        CHECK(laid_out.time() == plain.time());
        for (const auto& eid : eids) {
            for (const auto& attr : attrs) {
                const auto* expected = plain.find(eid, attr);
                const auto* found = laid_out.find(eid, attr);
                REQUIRE((found == nullptr) == (expected == nullptr));
                if (expected) CHECK(*found == *expected);
                // A hint only makes the lookup quicker, whether right or wrong.
                for (const Outputs::Hint hint : {Outputs::Hint{0, 0}, Outputs::Hint{1, 1}, Outputs::Hint{11, 2}}) {
                    const auto* hinted = laid_out.find(eid, attr, hint);
                    CHECK(hinted == found);
                    CHECK(plain.find(eid, attr, hint) == expected);
                }
            }
        }
        const auto copy = laid_out;
        const auto expected = plain.to_json();
        CHECK(copy.to_json() == expected);
        CHECK(key_order(copy.to_json()) == key_order(expected));
        const auto moved = std::move(laid_out).to_json();
        CHECK(moved == expected);
        CHECK(key_order(moved) == key_order(expected));
    }
}

TEST_CASE("Outputs made from the request find a value by its place in the request", "[mosaik]") {
    const auto request = sample_request();
    Outputs out(request);
    out.set("E_2", "c", 7);
    out.entity("E_4");
    CHECK(out.find("E_2", "c", Outputs::Hint{2, 2}) != nullptr);
    CHECK(*out.find("E_2", "c", Outputs::Hint{2, 2}) == Json(7));
    CHECK(out.find("E_2", "a", Outputs::Hint{2, 0}) == nullptr);  // requested, not set
    CHECK(out.find("E_4", "a") == nullptr);
    CHECK(out.to_json() == Json::object({{"E_2", Json::object({{"c", 7}})}, {"E_4", Json::object()}}));
    // Setting an entity that comes earlier in the request keeps the order of the calls.
    out.set("E_1", "a", 1);
    CHECK_FALSE(out.laid_out_by(request));
    const auto json = out.to_json();
    REQUIRE(json.size() == 3);
    CHECK(json.as_object().begin()->first == "E_2");
    CHECK((json.as_object().begin() + 2)->first == "E_1");
}

TEST_CASE("Outputs of one request, one after the other or side by side, never see each other's values",
          "[mosaik]") {
    // Each outputs reuse the storage the request's last outputs gave back: nothing of those may
    // show through, whatever they held.
    const auto request = sample_request();
    {
        Outputs first(request);
        first.set("E_2", "a", "a long string that does not fit in place").set("E_2", "b", 2.5);
        first.set_at(5, 1, Json::array({1, 2, 3}));
        Outputs beside(request);  // alive together with `first`: storage of its own
        beside.set("E_2", "a", 1);
        CHECK(*first.find("E_2", "a") == Json("a long string that does not fit in place"));
        CHECK(*beside.find("E_2", "a") == Json(1));
        CHECK(beside.find("E_2", "b") == nullptr);
    }
    for (int round = 0; round < 3; ++round) {
        Outputs next(request);
        CHECK(next.find("E_2", "a") == nullptr);
        CHECK(next.find("E_2", "b") == nullptr);
        CHECK(next.find("E_5", "b") == nullptr);
        CHECK(next.laid_out_value(request.first_pair(5) + 1) == nullptr);
        CHECK(next.to_json() == Json::object());
        next.set_at(1, 0, round);
        CHECK(*next.laid_out_value(request.first_pair(1)) == Json(round));
        CHECK(next.to_json() == Json::object({{"E_1", Json::object({{request[1].second[0], round}})}}));
    }
    // Outputs moved to the general form give their storage back too.
    {
        Outputs general(request);
        general.set("E_4", "a", "x");
        general.set("E_1", "a", "y");
        CHECK_FALSE(general.laid_out_by(request));
    }
    Outputs after(request);
    CHECK(after.to_json() == Json::object());
}

TEST_CASE("Outputs may end after their request", "[mosaik]") {
    // The World's caches hold outputs that a simulator made until it is torn down, which may be
    // after the simulator's request is gone: ending them then must not touch the request (the
    // sanitizer run catches it if they do).
    auto request = std::make_unique<OutputRequest>(sample_request());
    auto out = std::make_unique<Outputs>(*request);
    out->set_at(2, 0, "text").set_at(2, 1, 2);
    auto copy = std::make_unique<Outputs>(*out);
    CHECK(*copy->find("E_2", "a") == Json("text"));
    request.reset();
    out.reset();
    copy.reset();
}

TEST_CASE("A request gives back mosaik's JSON in its order, with an attribute listed once per connection",
          "[mosaik]") {
    const OutputRequest request(std::vector<OutputRequest::value_type>{{"M_1", {"val", "val", "delta"}}, {"M_0", {}}});
    const auto json = request.to_json();
    CHECK(JsonCodec().encode(json) == R"({"M_1": ["val", "val", "delta"], "M_0": []})");
    CHECK(OutputRequest(json).to_json() == json);
}

TEST_CASE("A request finds each entity at its first place, for few and for many", "[mosaik]") {
    // Around the size from which the request indexes its entities, and far beyond.
    const std::size_t count = GENERATE(3, 8, 9, 100, 20000);
    std::vector<OutputRequest::value_type> items;
    for (std::size_t i = 0; i < count; ++i) {
        items.emplace_back(fmt::format("E_{}", i), std::vector<std::string>{"a"});
        // Every third entity is listed again later: the place found is its first.
        if (i % 3 == 2) items.emplace_back(fmt::format("E_{}", i - 2), std::vector<std::string>{"b"});
    }
    const OutputRequest request(std::move(items));
    INFO(count << " entities");
    std::size_t place = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const auto found = request.find(fmt::format("E_{}", i));
        REQUIRE(found.has_value());
        CHECK(*found == place);
        CHECK(request[*found].second == std::vector<std::string>{"a"});
        place += i % 3 == 2 ? 2 : 1;
    }
    CHECK_FALSE(request.find("E_").has_value());
    CHECK_FALSE(request.find(fmt::format("E_{}", count)).has_value());
}

TEST_CASE("A request's id is its own, shared only by its copies", "[mosaik]") {
    using Items = std::vector<OutputRequest::value_type>;
    OutputRequest a(Items{{"M_0", {"val"}}});
    const OutputRequest b(Items{{"M_0", {"val"}}});
    const OutputRequest copy = a;
    CHECK(a.id() != b.id());
    CHECK(copy.id() == a.id());
    const auto id = a.id();
    const OutputRequest moved = std::move(a);
    CHECK(moved.id() == id);
    CHECK(a.id() != id);  // NOLINT(bugprone-use-after-move): a moved-from request is empty, with an id of its own
    CHECK(a.size() == 0);
}

TEST_CASE("Setting outputs by place needs outputs made from a request and a place in it", "[mosaik]") {
    const auto request = sample_request();
    Outputs plain;
    CHECK_THROWS_AS(plain.set_at(0, 0, 1), Error);
    CHECK_THROWS_AS(plain.entity_at(0), Error);
    CHECK(plain.find_laid_out({0, 0}) == nullptr);
    Outputs out(request);
    CHECK_THROWS_WITH(out.set_at(12, 0, 1), Catch::Contains("no such place"));
    CHECK_THROWS_WITH(out.set_at(0, 1, 1), Catch::Contains("no such place"));  // E_0 has one attribute
    CHECK_THROWS_AS(out.entity_at(12), Error);
    // After an out-of-order call has made them general, places still name the request's entries.
    out.set_at(3, 0, 30).set_at(1, 1, 11);
    CHECK_FALSE(out.laid_out_by(request));
    CHECK(out.find_laid_out({1, 1}) == nullptr);
    CHECK(out.to_json() == Json::object({{"E_3", Json::object({{"a", 30}})}, {"E_1", Json::object({{"b", 11}})}}));
}

TEST_CASE("Outputs read a remote simulator's reply and refuse what is not one", "[mosaik]") {
    auto reply = Json::object({{"time", 3}, {"M_0", Json::object({{"val", 1.5}})}, {"M_1", Json::object()}});
    const auto out = Outputs::from_json(reply);
    CHECK(out.time() == std::optional<std::int64_t>(3));
    REQUIRE(out.find("M_0", "val") != nullptr);
    CHECK(*out.find("M_0", "val") == Json(1.5));
    CHECK(out.find("time", "val") == nullptr);
    CHECK(out.find("M_1", "val") == nullptr);
    CHECK(out.to_json() == reply);
    CHECK_THROWS_AS(Outputs::from_json(Json::array({1})), TypeError);
    CHECK_THROWS_WITH(Outputs::from_json(Json::object({{"time", "soon"}})), Catch::Contains("\"time\""));
}
