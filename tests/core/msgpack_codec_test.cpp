// The MsgPack codecs against the Python modules aiomas uses (Debian's python3-msgpack and
// python3-blosc, run as real processes), against hand-made bytes, and against bad input.

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "mas/core/error.hpp"
#include "mas/core/json_codec.hpp"
#include "mas/core/msgpack_codec.hpp"

using namespace mas;
using Catch::Contains;

namespace {

struct Point {
    int x = 0;
};

}  // namespace

template <>
struct mas::Serializer<Point> {
    static constexpr std::string_view name = "Point";
    static Json to_json(const Point& p) { return p.x; }
    static Point from_json(const Json& j) { return Point{j.get<int>()}; }
};

namespace {

std::string hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (const unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

std::string unhex(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
        out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
    }
    return out;
}

// Debian's interpreter, where python3-msgpack and python3-blosc install (the quick start
// installs them for the tests).
constexpr const char* python = "/usr/bin/python3";

/// Runs `script` with the Python interpreter on `input` (one line per value) and returns its
/// output lines.
std::vector<std::string> run_python(const std::string& script, const std::vector<std::string>& input) {
    const auto dir = std::filesystem::temp_directory_path() / ("mas-msgpack-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        std::ofstream(dir / "script.py") << script;
        std::ofstream lines(dir / "input.txt");
        for (const auto& line : input) lines << line << '\n';
    }
    const auto command = std::string(python) + " " + (dir / "script.py").string() + " < " +
                         (dir / "input.txt").string() + " 2>&1";
    std::FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe);
    std::string output;
    char buffer[4096];
    while (const auto n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    const int status = ::pclose(pipe);
    std::filesystem::remove_all(dir);
    INFO(output);
    REQUIRE(status == 0);
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < output.size()) {
        const auto end = output.find('\n', start);
        lines.push_back(output.substr(start, end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return lines;
}

// Values as JSON lines for the Python side, bytes written as {"__bytes__": hex}.
Json for_python(const Json& value) {
    if (value.is_bytes()) return Json::object({{"__bytes__", hex(value.as_bytes())}});
    if (value.is_array()) {
        JsonArray out;
        for (const auto& item : value.as_array()) out.push_back(for_python(item));
        return out;
    }
    if (value.is_object()) {
        JsonObject out;
        for (const auto& [key, item] : value.as_object()) out.push_back(key, for_python(item));
        return out;
    }
    return value;
}

const char* const pack_script = R"(
import json, sys, msgpack, blosc
def bytes_back(o):
    if isinstance(o, dict) and list(o) == ['__bytes__']:
        return bytes.fromhex(o['__bytes__'])
    return o
def walk(o):
    o = bytes_back(o)
    if isinstance(o, list):
        return [walk(x) for x in o]
    if isinstance(o, dict):
        return {k: walk(v) for k, v in o.items()}
    return o
for line in sys.stdin:
    value = walk(json.loads(line))
    packed = msgpack.packb(value, use_bin_type=True)
    print(packed.hex(), blosc.compress(packed, typesize=8).hex())
)";

std::vector<Json> sample_values() {
    std::vector<Json> values{
        Json(), Json(true), Json(false), Json(0), Json(1), Json(127), Json(128), Json(255), Json(256), Json(65535),
        Json(65536), Json(4294967295LL), Json(4294967296LL), Json(std::numeric_limits<std::int64_t>::max()),
        Json(std::numeric_limits<std::uint64_t>::max()), Json(-1), Json(-32), Json(-33), Json(-128), Json(-129),
        Json(-32768), Json(-32769), Json(-2147483648LL), Json(-2147483649LL),
        Json(std::numeric_limits<std::int64_t>::min()), Json(0.0), Json(-0.0), Json(1.5), Json(0.1), Json(1e300),
        Json(std::numeric_limits<double>::infinity()), Json(-std::numeric_limits<double>::infinity()), Json(""),
        Json("ü€😀"), Json(std::string(31, 'a')), Json(std::string(32, 'a')), Json(std::string(255, 'b')),
        Json(std::string(256, 'b')), Json(std::string(65535, 'c')), Json(std::string(65536, 'c')),
        Json(JsonBytes{}), Json(JsonBytes{std::string("\0\1\xff", 3)}), Json(JsonBytes{std::string(256, 'x')}),
        Json(JsonBytes{std::string(70000, 'y')}), Json::array(), Json::object(),
        Json::array({1, "two", 3.0, nullptr, Json::array({Json::object({{"k", JsonBytes{"v"}}})})}),
        Json::object({{"b", 1}, {"a", Json::array({true, false})}, {"", Json::object()}}),
    };
    JsonArray long_array;
    for (int i = 0; i < 70000; ++i) long_array.push_back(i % 300);
    values.emplace_back(std::move(long_array));
    JsonObject big_object;
    for (int i = 0; i < 20; ++i) big_object.push_back("key" + std::to_string(i), i * 1.25);
    values.emplace_back(std::move(big_object));
    return values;
}

}  // namespace

TEST_CASE("MsgPack and MsgPack+Blosc encode every kind of value as Python's msgpack and blosc do, byte for byte",
          "[codec][msgpack]") {
    const auto values = sample_values();
    std::vector<std::string> lines;
    const JsonCodec json;
    for (const auto& value : values) lines.push_back(json.encode(for_python(value)));
    const auto expected = run_python(pack_script, lines);
    REQUIRE(expected.size() == values.size());
    const MsgPackCodec msgpack;
    const MsgPackBloscCodec blosc;
    for (std::size_t i = 0; i < values.size(); ++i) {
        CAPTURE(i, values[i].describe());
        const auto space = expected[i].find(' ');
        const auto packed = msgpack.encode(values[i]);
        CHECK(hex(packed) == expected[i].substr(0, space));
        CHECK(hex(blosc.encode(values[i])) == expected[i].substr(space + 1));
        // And back, kind for kind (NaN aside, none here): 2.0 stays a float, bytes stay bytes.
        const Json back = msgpack.decode(packed);
        CHECK(back == values[i]);
        CHECK(back.kind() == values[i].kind());
        CHECK(blosc.decode(unhex(expected[i].substr(space + 1))) == values[i]);
    }
}

TEST_CASE("MsgPack reads what Python's msgpack writes, float32 and duplicate keys included", "[codec][msgpack]") {
    const auto out = run_python(R"(
import msgpack
print(msgpack.packb([1.5], use_single_float=True).hex())
print(msgpack.packb({'a': 1, 'b': b'\x00'}, use_bin_type=True).hex())
)",
                                {});
    REQUIRE(out.size() == 2);
    const MsgPackCodec codec;
    CHECK(codec.decode(unhex(out[0])) == Json::array({1.5}));
    CHECK(codec.decode(unhex(out[1])) == Json::object({{"a", 1}, {"b", JsonBytes{std::string(1, '\0')}}}));
    // A map that names a key twice keeps the first place and the last value, as a Python dict.
    const Json twice = codec.decode(unhex("83a16101a16202a16103"));
    CHECK(JsonCodec().encode(twice) == R"({"a": 3, "b": 2})");
}

TEST_CASE("Custom values travel in MsgPack as the one-key __type__ map, numbered as registered", "[codec][msgpack]") {
    MsgPackCodec codec;
    codec.add_serializer("Other").add_serializer<Point>();
    const Json value = Json::array({Json(Point{7})});
    const auto packed = codec.encode(value);
    // [{"__type__": [1, 7]}]
    CHECK(hex(packed) == "9181a85f5f747970655f5f920107");
    CHECK(codec.decode(packed) == value);
    CHECK(codec.decode(packed)[0].get<Point>().x == 7);
    // A codec without the type refuses to write it, in aiomas' words, and reads its id as a problem.
    const MsgPackCodec plain;
    CHECK_THROWS_WITH(plain.encode(value), Contains("No serializer found for type \"Point\""));
    std::string problem;
    CHECK(plain.decode_lenient(packed, problem) == Json::array({nullptr}));
    CHECK(problem == "unknown custom type id 1");
    CHECK_THROWS_AS(plain.decode(packed), CodecError);
}

TEST_CASE("The JSON codec refuses bytes as aiomas' JSON codec does", "[codec][msgpack]") {
    const JsonCodec json;
    CHECK_THROWS_AS(json.encode(Json::array({JsonBytes{"x"}})), CodecError);
    CHECK_THROWS_WITH(json.encode(Json::array({JsonBytes{"x"}})), "No serializer found for type \"<class 'bytes'>\"");
}

TEST_CASE("MsgPack refuses to write text that is not UTF-8, which a Python peer could not read", "[codec][msgpack]") {
    const MsgPackCodec codec;
    const Json bad = Json::array({"ok", std::string("\xff\xfe")});
    CHECK_THROWS_AS(codec.encode(bad), CodecError);
    CHECK_THROWS_WITH(codec.encode(bad), Contains("not valid UTF-8"));
    CHECK(codec.decode(codec.encode(Json::array({JsonBytes{"\xff\xfe"}}))) == Json::array({JsonBytes{"\xff\xfe"}}));
}

TEST_CASE("Messages in MsgPack are the 3-element array aiomas sends", "[codec][msgpack]") {
    const MsgPackCodec codec;
    std::string out;
    codec.encode_message(MessageType::request, 0,
                         Json::array({"add", Json::array({1, 2}), Json::object()}), out);
    CHECK(hex(out) == "93000093a361646492010280");
    const auto msg = codec.decode_message(unhex("930101cb400c000000000000"));
    CHECK(msg.type == MessageType::success);
    CHECK(msg.id == 1);
    CHECK(msg.content == Json(3.5));
    CHECK_THROWS_WITH(codec.decode_message(unhex("920000")), Contains("must be [type, id, content]"));
    CHECK_THROWS_WITH(codec.decode_message(unhex("930300c0")), Contains("invalid message type int 3"));
    CHECK_THROWS_WITH(codec.decode_message(unhex("9300ffc0")), Contains("message id must be a non-negative int"));
}

TEST_CASE("Bad MsgPack input gets a clear CodecError", "[codec][msgpack]") {
    struct Bad {
        const char* name;
        std::string bytes;
        const char* problem;
    };
    std::string deep(600, '\x91');
    deep.push_back('\xc0');
    const std::vector<Bad> cases{
        {"empty", "", "ends in the middle of a value at byte 0"},
        {"truncated", unhex("93000093a3616464"), "ends in the middle of a value"},
        {"trailing bytes", unhex("c0c0"), "1 bytes after the value, which ends at byte 1"},
        {"reserved byte 0xc1", unhex("c1"), "a byte that starts no MsgPack value at byte 0"},
        {"nesting deeper than 512", deep, "nesting deeper than 512 levels"},
        {"an extension type", unhex("d40501"), "an extension type (5)"},
        {"an int map key", unhex("810102"), "a map key that is not a string"},
        {"a bytes map key", unhex("81c4016102"), "a map key that is bytes"},
        {"an array map key", unhex("81900102"), "a map key that is an array"},
        {"str not UTF-8", unhex("a2fffe"), "a str that is not valid UTF-8"},
        {"str with a surrogate", unhex("a3eda080"), "a str that is not valid UTF-8"},
    };
    const MsgPackCodec codec;
    for (const auto& bad : cases) {
        CAPTURE(bad.name);
        CHECK_THROWS_AS(codec.decode(bad.bytes), CodecError);
        CHECK_THROWS_WITH(codec.decode(bad.bytes), Contains(bad.problem));
        CHECK_THROWS_AS(codec.decode_message(bad.bytes), CodecError);
    }
}

TEST_CASE("Blosc data whose header lies gets a clear CodecError before anything is decompressed",
          "[codec][msgpack]") {
    const MsgPackBloscCodec codec(1024);
    const auto good = codec.encode(Json::array({std::string(300, 'a')}));
    REQUIRE(codec.decode(good) == Json::array({std::string(300, 'a')}));
    // The header's compressed size (bytes 12..15, little-endian) one more than what came.
    auto longer = good;
    longer[12] = static_cast<char>(static_cast<unsigned char>(longer[12]) + 1);
    CHECK_THROWS_AS(codec.decode(longer), CodecError);
    CHECK_THROWS_WITH(codec.decode(longer), Contains("a header whose sizes do not match"));
    CHECK_THROWS_AS(codec.decode(good.substr(0, good.size() - 1)), CodecError);
    CHECK_THROWS_WITH(codec.decode(good.substr(0, good.size() - 1)), Contains("a header whose sizes do not match"));
    CHECK_THROWS_AS(codec.decode("\x02\x01"), CodecError);
    CHECK_THROWS_WITH(codec.decode("\x02\x01"), Contains("invalid Blosc data"));
    // A decompressed size (bytes 4..7) above the codec's limit.
    const MsgPackBloscCodec small(100);
    CHECK_THROWS_AS(small.decode(good), CodecError);
    CHECK_THROWS_WITH(small.decode(good), Contains("more than the limit of 100"));
    // A sound Blosc frame (stored as it came) whose content is no MsgPack.
    auto garbage = MsgPackBloscCodec().encode(Json("x"));
    REQUIRE(garbage.size() == 18);
    garbage[16] = '\xc1';
    CHECK_THROWS_AS(codec.decode(garbage), CodecError);
    CHECK_THROWS_WITH(codec.decode(garbage), Contains("a byte that starts no MsgPack"));
    // 28 bytes (found by the fuzzer) claiming 48 MiB: stored data one block of offsets short of
    // its claim, and compressed data with too few block offsets. Refused before 48 MiB are
    // allocated and cleared, which let a tiny frame cost the receiver tens of milliseconds.
    const std::string stored_claim("\x02\x01\x13\x08\x0c\x00\x00\x03\x08\x00\x00\x00\x1c\x00\x00\x00"
                                   "\x93\x01\xd3\xff\xff\xff\xff\xff\x00\x00\x00\x1c",
                                   28);
    const MsgPackBloscCodec roomy(64U << 20);
    CHECK_THROWS_WITH(roomy.decode(stored_claim), Contains("28 bytes cannot hold the 50331660 bytes"));
    auto compressed_claim = stored_claim;
    compressed_claim[2] = '\x01';  // shuffled, compressed: 6.3 million blocks of 8 bytes, 3 offsets
    CHECK_THROWS_WITH(roomy.decode(compressed_claim), Contains("28 bytes cannot hold the 50331660 bytes"));
}

TEST_CASE("Codecs are made by name and copied with their types", "[codec][msgpack]") {
    CHECK(make_codec("json")->name() == "json");
    CHECK(make_codec("msgpack")->name() == "msgpack");
    CHECK(make_codec("msgpack-blosc")->name() == "msgpack-blosc");
    CHECK_THROWS_WITH(make_codec("xml"), Contains("expected json, msgpack or msgpack-blosc"));
    MsgPackBloscCodec codec;
    codec.add_serializer<Point>();
    const auto copy = codec.clone();
    CHECK(copy->name() == "msgpack-blosc");
    CHECK(copy->type_names() == std::vector<std::string>{"Point"});
    CHECK(copy->make_empty()->type_names().empty());
}
