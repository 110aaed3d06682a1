#include "mas/core/json_codec.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

using Catch::Contains;
using mas::Json;
using mas::JsonCodec;

namespace {

struct Date {
    std::string iso;
    bool operator==(const Date&) const = default;
};

struct Point {
    int x = 0;
    int y = 0;
    bool operator==(const Point&) const = default;
};

const std::filesystem::path conformance_dir{MAS_CONFORMANCE_DIR};

// The transcript lines, each decoded. The payloads hold integers beyond 64 bits, so decode
// leniently: only the "raw" and "seq" fields are used.
std::vector<Json> read_transcript(const std::filesystem::path& path) {
    std::ifstream in(path);
    REQUIRE(in);
    JsonCodec codec;
    std::vector<Json> lines;
    std::string line;
    std::string problem;
    while (std::getline(in, line)) {
        if (!line.empty()) lines.push_back(codec.decode_lenient(line, problem));
    }
    return lines;
}

std::string roundtrip(const JsonCodec& codec, std::string_view text) {
    return codec.encode(codec.decode(text));
}

std::uint64_t bits(double d) { return std::bit_cast<std::uint64_t>(d); }

}  // namespace

template <>
struct mas::Serializer<Date> {
    static constexpr std::string_view name = "Date";
    static Json to_json(const Date& d) { return Json(d.iso); }
    static Date from_json(const Json& j) { return {j.get<std::string>()}; }
};

template <>
struct mas::Serializer<Point> {
    static constexpr std::string_view name = "Point";
    static Json to_json(const Point& p) { return Json::array({p.x, p.y}); }
    static Point from_json(const Json& j) { return {j[0].get<int>(), j[1].get<int>()}; }
};

TEST_CASE("The python style writes separators, literals and containers as json.dumps does",
          "[core][json]") {
    const JsonCodec codec;
    CHECK(codec.encode(Json::array({0, 0, Json::array({"add", Json::array({1, 2}),
                                                       Json::object()})})) ==
          R"([0, 0, ["add", [1, 2], {}]])");
    CHECK(codec.encode(Json::object({{"a", Json::array({1, 2, Json::object({{"b", nullptr}})})},
                                     {"c", "x/y"}})) ==
          R"({"a": [1, 2, {"b": null}], "c": "x/y"})");
    CHECK(codec.encode(Json::array({true, false, nullptr, Json::array()})) ==
          "[true, false, null, []]");
    CHECK(codec.encode(Json(-7)) == "-7");
}

TEST_CASE("Integers are written verbatim over the whole int64 and uint64 range", "[core][json]") {
    const JsonCodec codec;
    CHECK(codec.encode(Json(std::numeric_limits<std::int64_t>::min())) == "-9223372036854775808");
    CHECK(codec.encode(Json(std::numeric_limits<std::int64_t>::max())) == "9223372036854775807");
    CHECK(codec.encode(Json(std::numeric_limits<std::uint64_t>::max())) == "18446744073709551615");
    const Json big = codec.decode("18446744073709551615");
    CHECK(big.kind() == mas::JsonKind::uinteger);
    CHECK(codec.decode("-9223372036854775808").get<std::int64_t>() ==
          std::numeric_limits<std::int64_t>::min());
    CHECK(codec.decode("-0").kind() == mas::JsonKind::integer);
}

TEST_CASE("Floats are written as Python's repr", "[core][json]") {
    const JsonCodec codec;
    const std::vector<std::pair<double, std::string>> cases{
        {1.5, "1.5"}, {2.0, "2.0"}, {-0.0, "-0.0"}, {0.0, "0.0"}, {0.1, "0.1"},
        {1e20, "1e+20"}, {1e-07, "1e-07"}, {1e16, "1e+16"}, {1e-05, "1e-05"},
        {0.0001, "0.0001"}, {-0.0001, "-0.0001"}, {0.00012345, "0.00012345"},
        {1.5e-5, "1.5e-05"}, {123456789012345678.0, "1.2345678901234568e+17"},
        {9999999999999998.0, "9999999999999998.0"}, {1e15, "1000000000000000.0"},
        {1234567890123456.7, "1234567890123456.8"}, {12345678901234567.0, "1.2345678901234568e+16"},
        {0.3333333333333333, "0.3333333333333333"}, {0.1 + 0.2, "0.30000000000000004"},
        {100.0, "100.0"}, {123.456, "123.456"}, {-1.5, "-1.5"}, {1e22, "1e+22"},
        {1e100, "1e+100"}, {5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
        {2.2250738585072014e-308, "2.2250738585072014e-308"},
        {9223372036854775808.0, "9.223372036854776e+18"},
    };
    for (const auto& [value, text] : cases) {
        CAPTURE(text);
        CHECK(codec.encode(Json(value)) == text);
        CHECK(bits(codec.decode(text).get<double>()) == bits(value));
    }
}

TEST_CASE("Non-finite floats are written as NaN, Infinity and -Infinity and read back",
          "[core][json]") {
    const JsonCodec codec;
    const double inf = std::numeric_limits<double>::infinity();
    CHECK(codec.encode(Json::array({inf, -inf, std::nan("")})) == "[Infinity, -Infinity, NaN]");
    CHECK(codec.encode(Json(-std::nan(""))) == "NaN");
    const Json back = codec.decode("[Infinity, -Infinity, NaN]");
    CHECK(back[0].get<double>() == inf);
    CHECK(back[1].get<double>() == -inf);
    CHECK(std::isnan(back[2].get<double>()));
    // RapidJSON's shorter spellings are accepted as well.
    CHECK(codec.decode("-Inf").get<double>() == -inf);
}

TEST_CASE("Strings are escaped with ensure_ascii as Python does", "[core][json]") {
    const JsonCodec codec;
    CHECK(codec.encode(Json("ohai \xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80 \"q\" \\ \n\t\x01\x7f /")) ==
          R"("ohai \u00fc\u20ac\ud83d\ude00 \"q\" \\ \n\t\u0001\u007f /")");
    CHECK(codec.encode(Json(std::string("\r\b\f\x1f\0", 5))) == R"("\r\b\f\u001f\u0000")");
    CHECK(codec.encode(Json("\xe2\x80\xa8\xef\xbb\xbf")) == R"("\u2028\ufeff")");
    CHECK(codec.encode(Json::object({{"k\xc3\xa9y", 1}})) == R"({"k\u00e9y": 1})");
    CHECK(codec.decode(R"("\ud83d\ude00\u00fc")").as_string() == "\xf0\x9f\x98\x80\xc3\xbc");
}

TEST_CASE("A lone low surrogate from Python echoes unchanged", "[core][json]") {
    const JsonCodec codec;
    CHECK(roundtrip(codec, R"("\udc00")") == R"("\udc00")");
}

TEST_CASE("Encoding a string that is not valid UTF-8 is a CodecError", "[core][json]") {
    const JsonCodec python;
    const JsonCodec compact({mas::JsonStyle::compact});
    for (const char* bad : {"\xff", "a\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xf4\x90\x80\x80",
                            "\xf0\x9f\x98"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(python.encode(Json(bad)), mas::CodecError);
        CHECK_THROWS_AS(compact.encode(Json(bad)), mas::CodecError);
    }
    CHECK_THROWS_WITH(python.encode(Json::object({{"\xff", 1}})), Contains("UTF-8"));
}

TEST_CASE("The compact style drops the spaces and passes UTF-8 through", "[core][json]") {
    const JsonCodec codec({mas::JsonStyle::compact});
    CHECK(codec.style() == mas::JsonStyle::compact);
    CHECK(codec.encode(Json::array({0, 0, Json::array({"add", Json::array({1, 2.0}),
                                                       Json::object({{"b", "\xc3\xbc"}})})})) ==
          "[0,0,[\"add\",[1,2.0],{\"b\":\"\xc3\xbc\"}]]");
    CHECK(codec.encode(Json("\n\"\\\x7f\x01")) == "\"\\n\\\"\\\\\x7f\\u0001\"");
    CHECK(codec.encode(Json::array({1e20, std::nan("")})) == "[1e+20,NaN]");
}

TEST_CASE("Every frame of json_formatting.jsonl re-encodes byte for byte", "[core][json]") {
    const JsonCodec codec;
    const auto lines = read_transcript(conformance_dir / "aiomas" / "json_formatting.jsonl");
    REQUIRE(lines.size() == 14);
    for (const Json& line : lines) {
        const auto seq = line["seq"].get<int>();
        const std::string& raw = line["raw"].as_string();
        CAPTURE(seq, raw);
        if (seq == 4 || seq == 5) {
            CHECK_THROWS_AS(codec.decode(raw), mas::CodecError);
            CHECK_THROWS_WITH(codec.decode(raw), Contains("18446744073709551616"));
            std::string problem;
            const Json value = codec.decode_lenient(raw, problem);
            CHECK(problem == "integer 18446744073709551616 does not fit in 64 bits");
            CHECK(codec.encode(value) == "[" + std::to_string(seq - 4) +
                                             ", 2, [9223372036854775808, null, null]]");
        } else {
            CHECK(roundtrip(codec, raw) == raw);
        }
    }
}

TEST_CASE("Every recorded aiomas and mosaik JSON frame re-encodes byte for byte",
          "[core][json][conformance]") {
    JsonCodec codec;
    codec.add_serializer("t0").add_serializer("t1").add_serializer("t2");
    std::size_t frames = 0;
    for (const char* peer : {"aiomas", "mosaik"}) {
        for (const auto& entry : std::filesystem::directory_iterator(conformance_dir / peer)) {
            if (entry.path().extension() != ".jsonl") continue;
            for (const Json& line : read_transcript(entry.path())) {
                if (!line.contains("raw")) continue;  // msgpack frames
                const std::string& raw = line["raw"].as_string();
                CAPTURE(entry.path().filename().string(), raw);
                std::string problem;
                const Json value = codec.decode_lenient(raw, problem);
                if (!problem.empty()) {
                    CHECK_THAT(problem, Contains("does not fit in 64 bits"));
                    continue;
                }
                CHECK(codec.encode(value) == raw);
                ++frames;
            }
        }
    }
    CHECK(frames > 300);
}

TEST_CASE("Integers beyond 64 bits are a CodecError naming the integer", "[core][json]") {
    const JsonCodec codec;
    CHECK_THROWS_WITH(codec.decode("[-9223372036854775809]"),
                      "integer -9223372036854775809 does not fit in 64 bits");
    std::string problem = "stale";
    const Json v = codec.decode_lenient(R"({"a": 1, "b": 99999999999999999999999})", problem);
    CHECK(problem == "integer 99999999999999999999999 does not fit in 64 bits");
    CHECK(v == Json::object({{"a", 1}, {"b", nullptr}}));
    CHECK(codec.decode_lenient("[1]", problem) == Json::array({1}));
    CHECK(problem.empty());
}

TEST_CASE("Decoded numbers keep their kind and Python's value", "[core][json]") {
    const JsonCodec codec;
    CHECK(codec.decode("1").kind() == mas::JsonKind::integer);
    CHECK(codec.decode("1.0").kind() == mas::JsonKind::floating);
    CHECK(codec.decode("1E2").get<double>() == 100.0);
    CHECK(std::signbit(codec.decode("-0.0").get<double>()));
    CHECK(codec.decode("9223372036854775808").kind() == mas::JsonKind::uinteger);
    // Python's float() gives 0.0 and inf where std::from_chars reports "out of range".
    CHECK(bits(codec.decode("1e-400").get<double>()) == bits(0.0));
    CHECK(bits(codec.decode("-0.00000001e-400").get<double>()) == bits(-0.0));
    CHECK(codec.decode("1.8e308").get<double>() == std::numeric_limits<double>::infinity());
}

TEST_CASE("Floats survive an encode/decode round trip bit for bit", "[core][json]") {
    const JsonCodec codec;
    std::mt19937_64 rng(20261122);
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    std::uniform_int_distribution<int> exponent(-30, 30);
    std::size_t mismatches = 0;
    for (int i = 0; i < 100000; ++i) {
        // Half arbitrary bit patterns (subnormals, huge exponents), half everyday magnitudes.
        double x = i % 2 == 0 ? std::bit_cast<double>(rng())
                              : unit(rng) * std::pow(10.0, exponent(rng));
        if (std::isnan(x)) continue;
        const std::string text = codec.encode(Json(x));
        const double back = codec.decode(text).get<double>();
        if (bits(back) != bits(x)) {
            ++mismatches;
            FAIL_CHECK("round trip changed " << text);
        }
    }
    CHECK(mismatches == 0);
}

TEST_CASE("Surrounding and inner whitespace is accepted", "[core][json]") {
    const JsonCodec codec;
    CHECK(codec.decode(" \t\r\n[ 1 ,\n2 ] \n") == Json::array({1, 2}));
    CHECK(codec.decode(R"({"a":1,"b":[]})") == Json::object({{"a", 1}, {"b", Json::array()}}));
}

TEST_CASE("Invalid JSON is a ProtocolError with the byte offset", "[core][json]") {
    const JsonCodec codec;
    CHECK_THROWS_AS(codec.decode(""), mas::ProtocolError);
    CHECK_THROWS_WITH(codec.decode("[1] x"), Contains("byte 4"));
    CHECK_THROWS_WITH(codec.decode("[1, 2"), Contains("invalid JSON") && Contains("byte 5"));
    CHECK_THROWS_AS(codec.decode("{1: 2}"), mas::ProtocolError);
    CHECK_THROWS_AS(codec.decode("['a']"), mas::ProtocolError);
    CHECK_THROWS_AS(codec.decode("[1,]"), mas::ProtocolError);
    CHECK_THROWS_AS(codec.decode("nul"), mas::ProtocolError);
    CHECK_THROWS_AS(codec.decode("\"tab\there\""), mas::ProtocolError);
    CHECK_THROWS_WITH(codec.decode(std::string("[1]\0[2]", 7)), Contains("byte 3"));
    std::string problem;
    CHECK_THROWS_AS(codec.decode_lenient("[1", problem), mas::ProtocolError);
}

TEST_CASE("Input that is not UTF-8 is a ProtocolError", "[core][json]") {
    const JsonCodec codec;
    CHECK_THROWS_AS(codec.decode("\"\xff\""), mas::ProtocolError);
    CHECK_THROWS_AS(codec.decode("\"\xc0\xaf\""), mas::ProtocolError);
    CHECK_THROWS_WITH(codec.decode("[\"ok\", \"\xc3\""), Contains("invalid JSON"));
}

TEST_CASE("Nesting deeper than 512 levels is a ProtocolError", "[core][json]") {
    const JsonCodec codec;
    const auto nested = [](std::size_t depth) {
        return std::string(depth, '[') + std::string(depth, ']');
    };
    CHECK(roundtrip(codec, nested(512)) == nested(512));
    CHECK_THROWS_WITH(codec.decode(nested(513)), Contains("nesting"));
    CHECK_THROWS_AS(codec.decode(std::string(1'000'000, '[')), mas::ProtocolError);
}

TEST_CASE("A repeated key keeps its first position and its last value", "[core][json]") {
    const JsonCodec codec;
    CHECK(roundtrip(codec, R"({"a": 1, "b": 2, "a": 3})") == R"({"a": 3, "b": 2})");
    // Large objects take another path.
    std::string text = "{";
    std::string expected = "{";
    for (int i = 0; i < 40; ++i) {
        text += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ", ";
        expected += "\"k" + std::to_string(i) + "\": " + std::to_string(i == 7 ? 99 : i);
        expected += i == 39 ? "}" : ", ";
    }
    text += "\"k7\": 99}";
    CHECK(roundtrip(codec, text) == expected);
}

TEST_CASE("Custom types travel as __type__ objects numbered in registration order",
          "[core][json]") {
    JsonCodec codec;
    codec.add_serializer<Date>().add_serializer<Point>();
    CHECK(codec.type_names() == std::vector<std::string>{"Date", "Point"});
    CHECK(codec.type_id("Point") == 1);
    CHECK(codec.type_id("Nope") == std::nullopt);

    const Json value = Json::array({Date{"2016-01-01T00:00:00+00:00"}, Point{1, -2}});
    const std::string text = codec.encode(value);
    CHECK(text == R"([{"__type__": [0, "2016-01-01T00:00:00+00:00"]}, )"
                  R"({"__type__": [1, [1, -2]]}])");
    const Json back = codec.decode(text);
    CHECK(back[0].get<Date>() == Date{"2016-01-01T00:00:00+00:00"});
    CHECK(back[1].get<Point>() == Point{1, -2});
    CHECK(back == value);

    const JsonCodec compact = JsonCodec({mas::JsonStyle::compact}).add_serializer<Date>();
    CHECK(compact.encode(Json(Date{"x"})) == R"({"__type__":[0,"x"]})");
}

TEST_CASE("Any decoded object with a __type__ key becomes a custom value", "[core][json]") {
    JsonCodec codec;
    codec.add_serializer<Date>();
    const Json value = codec.decode(R"({"other": 1, "__type__": [0, "d"]})");
    CHECK(value.get<Date>() == Date{"d"});
    std::string problem;
    CHECK(codec.decode_lenient(R"({"__type__": "oops"})", problem).is_null());
    CHECK_THAT(problem, Contains("__type__") && Contains("string"));
}

TEST_CASE("An unknown custom type id is a CodecError, and decode_lenient nulls it",
          "[core][json]") {
    JsonCodec codec;
    codec.add_serializer<Date>().add_serializer<Point>();
    CHECK_THROWS_AS(codec.decode(R"([{"__type__": [2, "x"]}])"), mas::CodecError);
    CHECK_THROWS_WITH(codec.decode(R"({"__type__": [-1, "x"]})"), "unknown custom type id -1");
    CHECK_THROWS_WITH(codec.decode(R"({"__type__": [18446744073709551615, 0]})"),
                      "unknown custom type id 18446744073709551615");
    std::string problem;
    const Json value = codec.decode_lenient(R"([1, {"__type__": [7, {}]}, {"__type__": [8, 0]}])",
                                            problem);
    CHECK(problem == "unknown custom type id 7");
    CHECK(value == Json::array({1, nullptr, nullptr}));
}

TEST_CASE("Encoding a custom type the codec does not know fails with No serializer found",
          "[core][json]") {
    JsonCodec codec;
    codec.add_serializer<Date>();
    CHECK_THROWS_AS(codec.encode(Json(Point{1, 2})), mas::CodecError);
    CHECK_THROWS_WITH(codec.encode(Json::array({Point{1, 2}})),
                      "No serializer found for type \"Point\"");
}

TEST_CASE("Adding the same custom type twice is a ConfigError", "[core][json]") {
    JsonCodec codec;
    codec.add_serializer<Date>();
    CHECK_THROWS_AS(codec.add_serializer<Date>(), mas::ConfigError);
    CHECK(codec.type_names().size() == 1);
}

TEST_CASE("encode_to appends to the given string", "[core][json]") {
    const JsonCodec codec;
    std::string out = "prefix:";
    codec.encode_to(Json::array({1}), out);
    CHECK(out == "prefix:[1]");
}
