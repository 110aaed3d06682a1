#include "mas/core/json.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

using Catch::Contains;
using mas::Json;
using mas::JsonKind;

namespace {
struct Point {
    int x = 0;
    int y = 0;
    bool operator==(const Point&) const = default;
};
}  // namespace

template <>
struct mas::Serializer<Point> {
    static constexpr std::string_view name = "Point";
    static Json to_json(const Point& p) { return Json::array({p.x, p.y}); }
    static Point from_json(const Json& j) { return {j[0].get<int>(), j[1].get<int>()}; }
};

TEST_CASE("A Json built from a C++ literal has the matching kind", "[core][json]") {
    CHECK(Json().kind() == JsonKind::null);
    CHECK(Json(nullptr).is_null());
    CHECK(Json(true).kind() == JsonKind::boolean);
    CHECK(Json(3).kind() == JsonKind::integer);
    CHECK(Json(std::int64_t{-3}).kind() == JsonKind::integer);
    CHECK(Json(2.5).kind() == JsonKind::floating);
    CHECK(Json(1.5f).kind() == JsonKind::floating);
    CHECK(Json("abc").kind() == JsonKind::string);
    CHECK(Json(std::string("abc")).is_string());
    CHECK(Json(std::string_view("abc")).is_string());
    CHECK(Json::array().is_array());
    CHECK(Json::object().is_object());
    CHECK(Json(3).is_number());
    CHECK(Json(3.0).is_number());
    CHECK_FALSE(Json("3").is_number());
}

TEST_CASE("Unsigned integers above int64 are stored as uinteger, smaller ones as integer",
          "[core][json]") {
    CHECK(Json(std::uint64_t{5}).kind() == JsonKind::integer);
    const Json big(std::numeric_limits<std::uint64_t>::max());
    CHECK(big.kind() == JsonKind::uinteger);
    CHECK(big.is_integer());
    CHECK(big.get<std::uint64_t>() == std::numeric_limits<std::uint64_t>::max());
    CHECK(Json(std::uint64_t{5}) == Json(5));
}

TEST_CASE("Assigning a number or boolean stores what constructing from it stores, whatever was held",
          "[core][json]") {
    const std::vector<Json> before{Json(), Json(false), Json(7), Json(0.5), Json(std::numeric_limits<std::uint64_t>::max()),
                                   Json("a string longer than the small-string buffer"), Json::array({1, 2}),
                                   Json::object({{"k", "v"}})};
    for (const auto& held : before) {
        INFO(held.describe());
        const auto check = [&](auto value) {
            Json json = held;
            json = value;
            const Json expected(value);
            CHECK(json.kind() == expected.kind());
            CHECK(json == expected);
        };
        check(true);
        check(-3);
        check(std::int64_t{-9'000'000'000});
        check(std::uint64_t{5});
        check(std::numeric_limits<std::uint64_t>::max());
        check(2.5);
        check(1.5f);
        check('c');
    }
}

TEST_CASE("Json::array and Json::object keep their elements in the given order", "[core][json]") {
    const Json a = Json::array({1, "two", nullptr, 4.5});
    REQUIRE(a.size() == 4);
    CHECK(a[0] == Json(1));
    CHECK(a[1] == Json("two"));
    CHECK(a[2].is_null());
    CHECK(a[3] == Json(4.5));

    const Json o = Json::object({{"b", 1}, {"a", 2}});
    REQUIRE(o.size() == 2);
    auto it = o.as_object().begin();
    CHECK(it->first == "b");
    CHECK((++it)->first == "a");
    CHECK(o["a"] == Json(2));
    CHECK(o.contains("b"));
    CHECK_FALSE(o.contains("c"));
    CHECK_FALSE(Json(1).contains("b"));
}

TEST_CASE("Indexing a missing key or element is a TypeError", "[core][json]") {
    const Json o = Json::object({{"a", 1}});
    CHECK_THROWS_AS(o["zzz"], mas::TypeError);
    CHECK_THROWS_WITH(o["zzz"], Contains("zzz"));
    const Json a = Json::array({1});
    CHECK_THROWS_AS(a[1], mas::TypeError);
    CHECK_THROWS_AS(Json(1)[0], mas::TypeError);
    CHECK_THROWS_AS(Json(1)["a"], mas::TypeError);
}

TEST_CASE("Mutable indexing turns null into a container and inserts members", "[core][json]") {
    Json o;
    o["x"] = 1;
    o["y"]["z"] = "deep";
    CHECK(o.is_object());
    CHECK(o["y"]["z"] == Json("deep"));

    Json a;
    a.push_back(1);
    a.push_back("two");
    CHECK(a == Json::array({1, "two"}));
    a[0] = 5;
    CHECK(a[0].get<int>() == 5);
}

TEST_CASE("Integers convert to every integral type that can hold them", "[core][json]") {
    CHECK(Json(42).get<int>() == 42);
    CHECK(Json(-1).get<std::int8_t>() == -1);
    CHECK(Json(255).get<std::uint8_t>() == 255);
    CHECK(Json(std::int64_t{1} << 40).get<std::int64_t>() == (std::int64_t{1} << 40));
    CHECK(Json(std::numeric_limits<std::int64_t>::min()).get<std::int64_t>() ==
          std::numeric_limits<std::int64_t>::min());
}

TEST_CASE("An integer out of the target type's range is a TypeError naming both",
          "[core][json]") {
    CHECK_THROWS_AS(Json(300).get<std::uint8_t>(), mas::TypeError);
    CHECK_THROWS_WITH(Json(300).get<std::uint8_t>(), Contains("uint8") && Contains("300"));
    CHECK_THROWS_WITH(Json(-1).get<unsigned>(), Contains("uint32") && Contains("-1"));
    CHECK_THROWS_AS(Json(std::numeric_limits<std::uint64_t>::max()).get<std::int64_t>(),
                    mas::TypeError);
}

TEST_CASE("A conversion to the wrong type names the expected and the actual type",
          "[core][json]") {
    CHECK_THROWS_AS(Json("abc").get<int>(), mas::TypeError);
    CHECK_THROWS_WITH(Json("abc").get<int>(), Contains("int") && Contains("string"));
    CHECK_THROWS_WITH(Json(3).get<std::string>(), Contains("string") && Contains("int"));
    CHECK_THROWS_WITH(Json(nullptr).get<bool>(), Contains("bool") && Contains("null"));
    CHECK_THROWS_WITH(Json(1.5).get<int>(), Contains("int") && Contains("float"));
    CHECK_THROWS_WITH(Json::array().get<double>(), Contains("float") && Contains("array"));
    CHECK_THROWS_WITH(Json(1).get<std::vector<int>>(), Contains("array") && Contains("int"));
    CHECK_THROWS_WITH(Json(1).as_object(), Contains("object") && Contains("int"));
    // A mismatch deep inside a container still names the types.
    CHECK_THROWS_WITH(Json::array({1, "x"}).get<std::vector<int>>(),
                      Contains("int") && Contains("string"));
}

TEST_CASE("Scalars convert to bool, double, string and nullptr_t", "[core][json]") {
    CHECK(Json(true).get<bool>());
    CHECK(Json(2.5).get<double>() == 2.5);
    CHECK(Json(2).get<double>() == 2.0);  // Python accepts an int where a float is expected
    CHECK(Json(2.5).get<float>() == 2.5f);
    CHECK(Json("héllo").get<std::string>() == "héllo");
    CHECK(Json("abc").as_string() == "abc");
    CHECK(Json(nullptr).get<std::nullptr_t>() == nullptr);
    CHECK_THROWS_AS(Json(0).get<std::nullptr_t>(), mas::TypeError);
}

TEST_CASE("An optional is null when empty and its value otherwise", "[core][json]") {
    CHECK(Json(std::optional<int>{}).is_null());
    CHECK(Json(std::optional<int>{7}) == Json(7));
    CHECK(Json(nullptr).get<std::optional<int>>() == std::nullopt);
    CHECK(Json(7).get<std::optional<int>>() == 7);
    CHECK_THROWS_AS(Json("x").get<std::optional<int>>(), mas::TypeError);
}

TEST_CASE("Vectors, arrays and maps round-trip through Json", "[core][json]") {
    const std::vector<int> v{1, 2, 3};
    CHECK(Json(v) == Json::array({1, 2, 3}));
    CHECK(Json(v).get<std::vector<int>>() == v);

    const std::vector<std::vector<std::string>> nested{{"a"}, {}, {"b", "c"}};
    CHECK(Json(nested).get<std::vector<std::vector<std::string>>>() == nested);

    const std::array<double, 2> arr{1.5, -2.0};
    CHECK(Json(arr).get<std::array<double, 2>>() == arr);
    CHECK_THROWS_WITH((Json::array({1}).get<std::array<double, 2>>()), Contains("2 elements"));

    const std::map<std::string, int> m{{"a", 1}, {"b", 2}};
    CHECK(Json(m) == Json::object({{"a", 1}, {"b", 2}}));
    CHECK(Json(m).get<std::map<std::string, int>>() == m);

    const std::unordered_map<std::string, std::vector<int>> um{{"x", {1}}, {"y", {}}};
    CHECK(Json(um).get<std::unordered_map<std::string, std::vector<int>>>() == um);
}

TEST_CASE("Tuples and pairs travel as arrays of their elements", "[core][json]") {
    const std::tuple<int, std::string, double> t{1, "x", 2.5};
    CHECK(Json(t) == Json::array({1, "x", 2.5}));
    CHECK(Json(t).get<std::tuple<int, std::string, double>>() == t);

    const std::pair<std::string, bool> p{"on", true};
    CHECK(Json(p) == Json::array({"on", true}));
    CHECK(Json(p).get<std::pair<std::string, bool>>() == p);

    CHECK_THROWS_WITH((Json::array({1, 2}).get<std::tuple<int, int, int>>()),
                      Contains("3 elements") && Contains("array of 2"));
}

TEST_CASE("Equality tells ints from floats and ignores object key order", "[core][json]") {
    CHECK(Json(2) != Json(2.0));
    CHECK(Json(2.0) == Json(2.0));
    CHECK(Json(std::nan("")) != Json(std::nan("")));
    CHECK(Json::object({{"a", 1}, {"b", 2}}) == Json::object({{"b", 2}, {"a", 1}}));
    CHECK(Json::array({1, 2}) != Json::array({2, 1}));
    CHECK(Json("1") != Json(1));
}

TEST_CASE("Building an object with a repeated key keeps the last value", "[core][json]") {
    const Json o = Json::object({{"a", 1}, {"b", 2}, {"a", 3}});
    CHECK(o.size() == 2);
    CHECK(o["a"] == Json(3));
}

TEST_CASE("A custom type with a mas::Serializer converts to a custom value and back",
          "[core][json]") {
    const Json j(Point{3, -4});
    REQUIRE(j.is_custom());
    CHECK(j.as_custom().type == "Point");
    CHECK(*j.as_custom().repr == Json::array({3, -4}));
    CHECK(j.get<Point>() == Point{3, -4});
    CHECK(Json(std::vector<Point>{{1, 2}}).get<std::vector<Point>>() == std::vector<Point>{{1, 2}});
    CHECK_THROWS_WITH(Json(1).get<Point>(), Contains("Point") && Contains("int"));
    const Json other(mas::JsonCustom{"Other", std::make_shared<const Json>(1)});
    CHECK_THROWS_AS(other.get<Point>(), mas::TypeError);
}

TEST_CASE("describe() shows the kind and a scalar's value", "[core][json]") {
    CHECK(Json(300).describe() == "int 300");
    CHECK(Json("abc").describe() == "string \"abc\"");
    CHECK(Json(nullptr).describe() == "null");
    CHECK_THAT(Json(Point{}).describe(), Contains("Point"));
    CHECK(mas::kind_name(JsonKind::uinteger) == "int");
}
