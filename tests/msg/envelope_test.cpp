#include "mas/msg/envelope.hpp"

#include <catch2/catch.hpp>

#include "mas/core/error.hpp"

using namespace mas;
using namespace mas::msg;
using namespace std::string_literals;

namespace {

const Identity sample_identity{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                               0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
const MsgId sample_id{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

std::string bytes(const std::array<std::uint8_t, 16>& a) { return std::string(a.begin(), a.end()); }

}  // namespace

TEST_CASE("Frames are built byte for byte as aiomsg protocol v1 specifies", "[msg]") {
    std::string out;
    SECTION("HELLO: an 18-byte envelope, so its prefix is 00 00 00 12") {
        append_hello(out, sample_identity);
        CHECK(out == "\x00\x00\x00\x12\x01\x01"s + bytes(sample_identity));
    }
    SECTION("HEARTBEAT: the type byte alone") {
        append_heartbeat(out);
        CHECK(out == "\x00\x00\x00\x01\x02"s);
    }
    SECTION("DATA: type 3 and the payload") {
        append_data(out, "m0");
        CHECK(out == "\x00\x00\x00\x03\x03m0"s);
        CHECK(out.size() == data_overhead + 2);
    }
    SECTION("DATA_REQ: type 4, the message id, the payload") {
        append_data_req(out, sample_id, "hi");
        CHECK(out == "\x00\x00\x00\x13\x04"s + bytes(sample_id) + "hi");
        CHECK(out.size() == data_req_overhead + 2);
    }
    SECTION("ACK: type 5 and the message id") {
        append_ack(out, sample_id);
        CHECK(out == "\x00\x00\x00\x11\x05"s + bytes(sample_id));
    }
    SECTION("appending keeps what was there: frames batch in one buffer") {
        append_heartbeat(out);
        append_data(out, "");
        CHECK(out == "\x00\x00\x00\x01\x02\x00\x00\x00\x01\x03"s);
    }
}

TEST_CASE("Envelopes decode into their fields; payloads may hold any byte", "[msg]") {
    // decode_envelope's payload views the input, so the inputs live as long as the checks.
    const auto hello_bytes = "\x01\x01"s + bytes(sample_identity);
    const auto hello = decode_envelope(hello_bytes);
    REQUIRE(hello);
    CHECK(hello->type == EnvelopeType::hello);
    CHECK(hello->version == 1);
    CHECK(hello->identity == sample_identity);

    const auto data_bytes = "\x03\x00\xff\n"s;
    const auto data = decode_envelope(data_bytes);
    REQUIRE(data);
    CHECK(data->type == EnvelopeType::data);
    CHECK(data->payload == "\x00\xff\n"s);

    const auto req_bytes = "\x04"s + bytes(sample_id) + "x";
    const auto req = decode_envelope(req_bytes);
    REQUIRE(req);
    CHECK(req->type == EnvelopeType::data_req);
    CHECK(req->msg_id == sample_id);
    CHECK(req->payload == "x");

    const auto empty_req_bytes = "\x04"s + bytes(sample_id);
    const auto empty_req = decode_envelope(empty_req_bytes);
    REQUIRE(empty_req);
    CHECK(empty_req->payload.empty());

    const auto ack = decode_envelope("\x05"s + bytes(sample_id));
    REQUIRE(ack);
    CHECK(ack->type == EnvelopeType::ack);
    CHECK(ack->msg_id == sample_id);

    const auto beat = decode_envelope("\x02"s);
    REQUIRE(beat);
    CHECK(beat->type == EnvelopeType::heartbeat);
}

TEST_CASE("An unknown envelope type decodes to nothing, so that it can be skipped", "[msg]") {
    CHECK_FALSE(decode_envelope("\x06"s));
    CHECK_FALSE(decode_envelope("\x00payload"s));
    CHECK_FALSE(decode_envelope("\xff\x01\x02"s));
}

TEST_CASE("An empty or truncated envelope is a ProtocolError that says what is missing", "[msg]") {
    CHECK_THROWS_AS(decode_envelope(""), ProtocolError);
    CHECK_THROWS_WITH(decode_envelope("\x01\x01\x02"s), Catch::Contains("HELLO") && Catch::Contains("too short"));
    CHECK_THROWS_WITH(decode_envelope("\x04\x01\x02\x03"s), Catch::Contains("DATA_REQ"));
    CHECK_THROWS_WITH(decode_envelope("\x05"s + std::string(15, 'x')), Catch::Contains("ACK"));
    // A later version's HELLO may carry more; the identity is still read.
    const auto longer = decode_envelope("\x01\x02"s + bytes(sample_identity) + "more");
    REQUIRE(longer);
    CHECK(longer->version == 2);
    CHECK(longer->identity == sample_identity);
}

TEST_CASE("Identities print as 32 hex digits and parse back; bad text is a ConfigError", "[msg]") {
    CHECK(to_hex(sample_identity) == "00112233445566778899aabbccddeeff");
    CHECK(parse_identity("00112233445566778899AABBCCDDEEFF") == sample_identity);
    CHECK_THROWS_AS(parse_identity("0011"), ConfigError);
    CHECK_THROWS_WITH(parse_identity(std::string(31, '0') + "g"), Catch::Contains("32 hex digits"));
}

TEST_CASE("Random identities differ and carry the UUIDv4 version and variant bits", "[msg]") {
    const auto a = random_identity();
    const auto b = random_identity();
    CHECK(a != b);
    CHECK((a[6] & 0xf0) == 0x40);
    CHECK((a[8] & 0xc0) == 0x80);
}
