// Channels with the MsgPack codecs over real TCP on 127.0.0.1: values (bytes included) travel
// both ways, and a peer that sends bytes the codec cannot read is closed as for malformed JSON
// while other connections go on.

#include <limits>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <asio/error.hpp>
#include <asio/experimental/channel.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include "mas/channel/channel.hpp"
#include "mas/channel/frame.hpp"
#include "mas/channel/server.hpp"
#include "mas/core/json_codec.hpp"
#include "mas/core/msgpack_codec.hpp"
#include "support/raw_peer.hpp"
#include "support/run.hpp"

using namespace mas;
using Catch::Contains;

namespace {

using EndQueue = asio::experimental::channel<void(std::error_code, std::string, std::error_code)>;

asio::awaitable<void> echo_until_closed(Channel channel, std::shared_ptr<EndQueue> ended) {
    std::string what;
    std::error_code code;
    try {
        for (;;) {
            auto request = co_await channel.recv();
            co_await request.reply(request.content());
        }
    } catch (const ConnectionError& e) {
        what = e.what();
        code = e.code();
    }
    co_await ended->async_send(std::error_code(), what, code, asio::use_awaitable);
}

/// An echo server with `codec` that reports why each of its connections ended.
struct EchoServer {
    explicit EchoServer(std::shared_ptr<const Codec> codec, std::size_t max_message_size = default_max_message_size)
        : codec(std::move(codec)), max_message_size(max_message_size) {
        server = test::run(io, start());
    }
    asio::awaitable<Server> start() {
        auto queue = ended;
        ClientConnected on_connect = [queue](Channel channel) { return echo_until_closed(std::move(channel), queue); };
        ServerOptions options;
        options.codec = codec;
        options.max_message_size = max_message_size;
        co_return co_await start_server(Endpoint::tcp("127.0.0.1", 0), std::move(on_connect), std::move(options));
    }
    asio::awaitable<Json> echo(Json value) {
        ConnectOptions options;
        options.codec = codec;
        auto channel = co_await open_connection(server.endpoint(), std::move(options));
        co_return co_await channel.send(std::move(value));
    }
    asio::awaitable<std::pair<std::string, std::error_code>> next_end() {
        auto [what, code] = co_await ended->async_receive(asio::use_awaitable);
        co_return std::make_pair(what, code);
    }

    std::shared_ptr<const Codec> codec;
    std::size_t max_message_size;
    asio::io_context io;
    std::shared_ptr<EndQueue> ended = std::make_shared<EndQueue>(io, 16);
    Server server;
};

asio::awaitable<test::RawEnd> send_raw(std::uint16_t port, std::string bytes) {
    auto raw = co_await test::raw_connect(port);
    co_await raw.write(bytes);
    co_return co_await raw.read_until_closed();
}

}  // namespace

TEST_CASE("Values travel through MsgPack and MsgPack+Blosc channels as they were sent, bytes included",
          "[channel][msgpack]") {
    const std::string name = GENERATE("msgpack", "msgpack-blosc");
    CAPTURE(name);
    EchoServer echo(make_codec(name));
    JsonArray floats(5000, Json(0.25));
    const Json value = Json::object({{"bytes", JsonBytes{std::string("\0\x80\xff", 3)}},
                                     {"floats", std::move(floats)},
                                     {"int", std::numeric_limits<std::uint64_t>::max()},
                                     {"text", "ü€"}});
    const Json back = test::run(echo.io, echo.echo(value));
    CHECK(back == value);
    CHECK(back["bytes"].is_bytes());
}

TEST_CASE("A MsgPack server closes a connection that sends bytes its codec cannot read and keeps serving others",
          "[channel][msgpack]") {
    struct Bad {
        const char* codec;
        const char* name;
        std::string payload;
        const char* problem;
    };
    const auto bad = GENERATE(values<Bad>({
        {"msgpack", "truncated", std::string("\x93\x00\x00\xa3" "ad", 6), "ends in the middle of a value"},
        {"msgpack", "trailing bytes", std::string("\x93\x00\x00\xc0\xc0", 5), "1 bytes after the value"},
        {"msgpack", "an extension type", std::string("\x93\x00\x00\xd4\x05\x01", 6), "an extension type (5)"},
        {"msgpack", "a map key that is an int", std::string("\x93\x00\x00\x81\x01\x02", 6), "a map key that is not a string"},
        {"msgpack", "JSON", std::string("[0, 0, null]"), "invalid MsgPack"},
        {"msgpack-blosc", "a header that lies", std::string("\x02\x01\x13\x08\x04\x00\x00\x00\x01\x00\x00\x00\x40\x00\x00\x00"
                                                            "\x93\x00\x00\xc0", 20),
         "a header whose sizes do not match the 20 bytes received"},
        {"msgpack-blosc", "plain MsgPack", std::string("\x93\x00\x00\xc0", 4), "invalid Blosc data"},
    }));
    CAPTURE(bad.codec, bad.name);
    EchoServer echo(make_codec(bad.codec));
    const auto end = test::run(echo.io, send_raw(echo.server.endpoint().port, test::raw_frame(bad.payload)));
    CHECK(end.error == asio::error::eof);
    CHECK(end.data.empty());
    const auto [what, code] = test::run(echo.io, echo.next_end());
    CHECK_THAT(what, Contains("protocol error: ") && Contains(bad.problem));
    CHECK(code == make_error_code(errc::protocol_error));
    CHECK(test::run(echo.io, echo.echo("still here")) == Json("still here"));
}

TEST_CASE("A MsgPack+Blosc server refuses a frame that would unpack beyond its frame limit, before unpacking it",
          "[channel][msgpack]") {
    // 600 bytes of MsgPack that Blosc packs into far fewer: the frame itself is within the limit.
    std::string payload;
    MsgPackBloscCodec().encode_message(MessageType::request, 0, Json(std::string(600, 'a')), payload);
    REQUIRE(payload.size() < 200);
    auto codec = std::make_shared<MsgPackBloscCodec>();
    EchoServer echo(codec, 200);
    const auto end = test::run(echo.io, send_raw(echo.server.endpoint().port, test::raw_frame(payload)));
    CHECK(end.error == asio::error::eof);
    const auto [what, code] = test::run(echo.io, echo.next_end());
    CHECK_THAT(what, Contains("protocol error: ") && Contains("more than the limit of 200"));
    CHECK(test::run(echo.io, echo.echo("small")) == Json("small"));
}

TEST_CASE("A JSON channel refuses to send bytes with aiomas' SerializationError text and stays usable",
          "[channel][msgpack]") {
    EchoServer echo(std::make_shared<JsonCodec>());
    auto both = [&]() -> asio::awaitable<Json> {
        auto channel = co_await open_connection(echo.server.endpoint());
        std::string refused;
        const Json bytes = Json::array({JsonBytes{"x"}});
        try {
            (void)co_await channel.send(bytes);
        } catch (const CodecError& e) {
            refused = e.what();
        }
        CHECK(refused == "No serializer found for type \"<class 'bytes'>\"");
        const Json after("after");  // named: g++ 12 mishandles arrays inside co_await
        co_return co_await channel.send(after);
    };
    CHECK(test::run(echo.io, both()) == Json("after"));
}
