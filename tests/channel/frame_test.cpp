#include "mas/channel/frame.hpp"

#include "mas/core/json_codec.hpp"

#include <catch2/catch.hpp>

using namespace mas;

TEST_CASE("A frame is a big-endian length followed by [type, id, content] in Python's format", "[channel]") {
    JsonCodec codec;
    std::string out;
    append_frame(codec, MessageType::request, 0, "ohai", default_max_message_size, out);
    REQUIRE(out == std::string("\x00\x00\x00\x0e", 4) + "[0, 0, \"ohai\"]");
    CHECK(read_frame_length(out.data()) == 14);
}

TEST_CASE("The compact style writes frames without spaces", "[channel]") {
    JsonCodec codec(JsonCodecOptions{JsonStyle::compact});
    std::string out;
    append_frame(codec, MessageType::success, 7, Json::array({1, 2}), default_max_message_size, out);
    CHECK(out.substr(4) == "[1,7,[1,2]]");
}

TEST_CASE("A frame over the maximum size is refused and nothing is appended", "[channel]") {
    JsonCodec codec;
    std::string out = "keep";
    CHECK_THROWS_AS(append_frame(codec, MessageType::request, 1, std::string(100, 'x'), 50, out), CodecError);
    CHECK(out == "keep");
}

TEST_CASE("Decoding a payload gives type, id and content", "[channel]") {
    JsonCodec codec;
    auto msg = decode_message(codec, R"([2, 5, "ValueError: nope\n"])");
    CHECK(msg.type == MessageType::failure);
    CHECK(msg.id == 5);
    CHECK(msg.content == Json("ValueError: nope\n"));
    CHECK_FALSE(msg.problem);
}

TEST_CASE("Payloads that are not a valid message are protocol errors that say why", "[channel]") {
    JsonCodec codec;
    auto fails_with = [&](std::string_view payload, const std::string& text) {
        CAPTURE(payload);
        try {
            (void)decode_message(codec, payload);
            FAIL("no ProtocolError");
        } catch (const ProtocolError& e) {
            CHECK_THAT(e.what(), Catch::Contains(text));
        }
    };
    fails_with("[0, 1]", "must be [type, id, content]");
    fails_with("{\"a\": 1}", "must be [type, id, content]");
    fails_with("[\"0\", 1, null]", "message type must be an int");
    fails_with("[0, \"1\", null]", "message id must be a non-negative int");
    fails_with("[0, -1, null]", "message id must be a non-negative int");
    fails_with("[3, 1, null]", "invalid message type");
    fails_with("[0, 1, nul", "");
    fails_with("\xff\xfe", "");
}

TEST_CASE("Content that cannot be represented is reported as a problem, not an error", "[channel]") {
    JsonCodec codec;
    auto msg = decode_message(codec, "[0, 3, [18446744073709551616]]");
    CHECK(msg.id == 3);
    REQUIRE(msg.problem);
    CHECK_THAT(*msg.problem, Catch::Contains("18446744073709551616"));
}
