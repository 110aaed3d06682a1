#include "mas/agent/date_time.hpp"

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "mas/core/json_codec.hpp"

using Catch::Contains;
using mas::Json;
using mas::JsonCodec;
using mas::agent::DateTime;
using namespace std::chrono_literals;

namespace {

DateTime utc(int y, unsigned m, unsigned d, std::chrono::microseconds since_midnight = {}) {
    return DateTime(date::sys_days(date::year(y) / date::month(m) / date::day(d)) + since_midnight);
}

// The "raw" payload text of frame `seq` of an aiomas transcript.
std::string transcript_raw(const std::string& file, std::int64_t seq) {
    std::ifstream in(std::filesystem::path(MAS_CONFORMANCE_DIR) / "aiomas" / file);
    REQUIRE(in);
    JsonCodec codec;
    std::string line;
    std::string problem;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        auto frame = codec.decode_lenient(line, problem);
        if (frame["seq"].get<std::int64_t>() == seq) return frame["raw"].get<std::string>();
    }
    FAIL("no frame " << seq << " in " << file);
    return {};
}

}  // namespace

TEST_CASE("DateTime prints the UTC epoch by default", "[agent]") {
    CHECK(DateTime().to_string() == "1970-01-01T00:00:00+00:00");
}

TEST_CASE("DateTime parses and prints aiomas' date text unchanged", "[agent]") {
    auto text = GENERATE(as<std::string>{}, "2016-01-01T00:00:00+00:00", "2016-01-01T01:00:00.123456+01:00",
                         "1999-12-31T23:59:59.000001-05:30", "2016-02-29T12:34:56+14:00", "0001-01-01T00:00:00+00:00",
                         "9999-12-31T23:59:59.999999+00:00", "2016-06-01T00:00:00.500000-00:30");
    CHECK(DateTime::parse(text).to_string() == text);
}

TEST_CASE("DateTime keeps the offset for printing but compares instants", "[agent]") {
    const auto plus_one = DateTime::parse("2016-01-01T01:00:00+01:00");
    const auto in_utc = DateTime::parse("2016-01-01T00:00:00+00:00");
    CHECK(plus_one == in_utc);
    CHECK(plus_one.utc() == in_utc.utc());
    CHECK(plus_one.utc_offset() == 60min);
    CHECK(plus_one.to_string() == "2016-01-01T01:00:00+01:00");
    CHECK(plus_one.to_offset(0min).to_string() == "2016-01-01T00:00:00+00:00");
    CHECK(in_utc.to_offset(-90min).to_string() == "2015-12-31T22:30:00-01:30");
    CHECK(DateTime::parse("2016-01-01T00:00:00-05:00").utc() == utc(2016, 1, 1, 5h).utc());
}

TEST_CASE("DateTime prints microseconds as six digits only when they are not zero", "[agent]") {
    CHECK(utc(2016, 1, 1).to_string() == "2016-01-01T00:00:00+00:00");
    CHECK(utc(2016, 1, 1, 1us).to_string() == "2016-01-01T00:00:00.000001+00:00");
    CHECK(utc(2016, 1, 1, 1500ms).to_string() == "2016-01-01T00:00:01.500000+00:00");
}

TEST_CASE("DateTime parses the ISO-8601 variants arrow.get accepts", "[agent]") {
    using Row = std::pair<std::string, std::string>;
    auto [text, printed] = GENERATE(
        Row{"2016-01-01T00:00:00Z", "2016-01-01T00:00:00+00:00"},
        Row{"2016-01-01T00:00:00", "2016-01-01T00:00:00+00:00"},
        Row{"2016-01-01 12:30:00+02:00", "2016-01-01T12:30:00+02:00"},
        Row{"2016-01-01T12:30:00+0200", "2016-01-01T12:30:00+02:00"},
        Row{"2016-01-01T12:30:00-02", "2016-01-01T12:30:00-02:00"},
        Row{"2016-01-01", "2016-01-01T00:00:00+00:00"},
        Row{"2016-01-01T07", "2016-01-01T07:00:00+00:00"},
        Row{"2016-01-01T07:08", "2016-01-01T07:08:00+00:00"},
        Row{"2016-01-01T07:08+01:00", "2016-01-01T07:08:00+01:00"},
        Row{"2016-01-01T00:00:00.5", "2016-01-01T00:00:00.500000+00:00"},
        Row{"2016-01-01T00:00:00,25", "2016-01-01T00:00:00.250000+00:00"},
        Row{"2016-01-01T00:00:00.000000", "2016-01-01T00:00:00+00:00"},
        Row{"2016-12-31T24:00:00", "2017-01-01T00:00:00+00:00"},
        Row{"2016-12-31T24:00", "2017-01-01T00:00:00+00:00"});
    INFO(text);
    CHECK(DateTime::parse(text).to_string() == printed);
}

TEST_CASE("DateTime rounds fractions beyond microseconds like arrow, half to even", "[agent]") {
    using Row = std::pair<std::string, std::string>;
    auto [fraction, micros] = GENERATE(Row{"1234564", "123456"}, Row{"1234566", "123457"},
                                       Row{"1234565", "123456"}, Row{"1234575", "123458"},
                                       Row{"12345649", "123456"}, Row{"0000005", ""});
    INFO(fraction);
    const auto printed = DateTime::parse("2016-01-01T00:00:00." + fraction).to_string();
    CHECK(printed == "2016-01-01T00:00:00" + (micros.empty() ? "" : "." + micros) + "+00:00");
}

TEST_CASE("DateTime carries a fraction rounded up to a whole second", "[agent]") {
    CHECK(DateTime::parse("2016-12-31T23:59:59.9999996").to_string() == "2017-01-01T00:00:00+00:00");
}

TEST_CASE("DateTime::parse rejects malformed dates with TypeError naming the text", "[agent]") {
    auto text = GENERATE(as<std::string>{}, "", "2016", "2016-01", "16-01-01", "2016/01/01", "2016-1-01",
                         "2016-13-01", "2016-00-10", "2016-02-30", "2015-02-29", "0000-01-01", "2016-01-01T",
                         "2016-01-01T1", "2016-01-01T25:00", "2016-01-01T24:00:01", "2016-01-01T12:60",
                         "2016-01-01T12:00:60", "2016-01-01T12:00:00.", "2016-01-01T12:00:00+1",
                         "2016-01-01T12:00:00+24:00", "2016-01-01T12:00:00+01:60", "2016-01-01T12:00:00 UTC",
                         "2016-01-01T12:00:00+01:00x", "2016-01-01x12:00", "2016-01-01  12:00",
                         "2016-01-01t12:00", " 2016-01-01", "2016-01-01T12:00:00z");
    INFO('"' << text << '"');
    CHECK_THROWS_AS(DateTime::parse(text), mas::TypeError);
    try {
        (void)DateTime::parse(text);
    } catch (const mas::TypeError& e) {
        CHECK_THAT(e.what(), Contains("invalid ISO-8601 date \"" + text + "\""));
    }
}

TEST_CASE("DateTime::parse says what is wrong", "[agent]") {
    CHECK_THROWS_WITH(DateTime::parse("2016-02-30"), Contains("2016-02-30 is not a day of the calendar"));
    CHECK_THROWS_WITH(DateTime::parse("2016-01-01T12:61"), Contains("minute out of range"));
    CHECK_THROWS_WITH(DateTime::parse("2016-01-01T12:00+0"), Contains("offset hours"));
}

TEST_CASE("DateTime refuses a UTC offset of a day or more", "[agent]") {
    CHECK_THROWS_AS(DateTime(DateTime::TimePoint(), 24h), mas::Error);
    CHECK_THROWS_AS(DateTime(DateTime::TimePoint(), -24h), mas::Error);
    CHECK_NOTHROW(DateTime(DateTime::TimePoint(), 23h + 59min));
}

TEST_CASE("DateTime converts from any sys_time, rounding to microseconds", "[agent]") {
    const date::sys_time<std::chrono::nanoseconds> t = date::sys_days(date::year(2016) / 1 / 1) + 1500ns;
    CHECK(DateTime(t).to_string() == "2016-01-01T00:00:00.000002+00:00");
    CHECK(DateTime(date::sys_days(date::year(2016) / 1 / 1)) == utc(2016, 1, 1));
}

TEST_CASE("DateTime shifts by seconds and durations, keeping its offset", "[agent]") {
    const auto start = DateTime::parse("2016-01-01T00:00:00+01:00");
    CHECK(start.shift_seconds(86400).to_string() == "2016-01-02T00:00:00+01:00");
    CHECK(start.shift_seconds(-0.5).to_string() == "2015-12-31T23:59:59.500000+01:00");
    CHECK(start.shift_seconds(1e-7).to_string() == "2016-01-01T00:00:00+01:00");
    CHECK((start + 90min).to_string() == "2016-01-01T01:30:00+01:00");
    CHECK((start - 1s).to_string() == "2015-12-31T23:59:59+01:00");
    CHECK((start + std::chrono::duration<double>(2.25)).to_string() == "2016-01-01T00:00:02.250000+01:00");
    CHECK(start.shift_seconds(10) - start == 10s);
    CHECK_THROWS_AS(start.shift_seconds(std::numeric_limits<double>::quiet_NaN()), mas::Error);
    CHECK_THROWS_AS(start.shift_seconds(std::numeric_limits<double>::infinity()), mas::Error);
}

TEST_CASE("DateTimes order by instant", "[agent]") {
    const auto a = DateTime::parse("2016-01-01T00:00:00+00:00");
    const auto b = DateTime::parse("2016-01-01T00:30:00+01:00");  // 23:30 UTC the day before
    CHECK(b < a);
    CHECK(a > b);
    CHECK(a != b);
    CHECK(a <= a.to_offset(5h));
    std::ostringstream out;
    out << a;
    CHECK(out.str() == "2016-01-01T00:00:00+00:00");
}

TEST_CASE("DateTime travels as aiomas' arrow serializer writes it, byte for byte", "[agent][conformance]") {
    JsonCodec codec;
    codec.add_serializer<DateTime>();
    const auto day = DateTime::parse("2016-01-01T00:00:00+00:00");
    const auto call = Json::array({0, 3, Json::array({"agents/0/next_day", Json::array({Json(day)}), Json::object()})});
    CHECK(codec.encode(call) == transcript_raw("agent_two_processes.jsonl", 6));

    const auto reply = codec.decode(transcript_raw("agent_two_processes.jsonl", 7));
    const auto next = reply[2].get<DateTime>();
    CHECK(next == day.shift_seconds(86400));
    CHECK(next.to_string() == "2016-01-02T00:00:00+00:00");
    CHECK(codec.encode(reply) == transcript_raw("agent_two_processes.jsonl", 7));
}

TEST_CASE("DateTime's serializer rejects a repr that is not a date", "[agent]") {
    JsonCodec codec;
    codec.add_serializer<DateTime>();
    CHECK_THROWS_AS(codec.decode(R"({"__type__": [0, 42]})").get<DateTime>(), mas::TypeError);
    CHECK_THROWS_AS(codec.decode(R"({"__type__": [0, "yesterday"]})").get<DateTime>(), mas::TypeError);
    CHECK_THROWS_AS(Json("2016-01-01").get<DateTime>(), mas::TypeError);
}
