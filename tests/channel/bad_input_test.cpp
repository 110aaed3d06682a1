// Bad input from a peer: nothing crashes, the bad connection is closed (or the request gets a
// failure reply where its id is known), whoever waits gets a ConnectionError naming the problem,
// and other connections keep working. Each case runs in both directions where it makes sense: a
// raw client against a libmas server, and a raw server against a libmas client.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <asio/error.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/experimental/channel.hpp>
#include <asio/io_context.hpp>
#include <asio/ssl/context.hpp>
#include <asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>

#include "mas/channel/channel.hpp"
#include "mas/channel/server.hpp"
#include "mas/channel/tls_context.hpp"
#include "mas/core/json_codec.hpp"
#include "support/raw_peer.hpp"
#include "support/run.hpp"
#include "support/test_pki.hpp"

using namespace mas;
using Catch::Contains;
using test::RawEnd;
using test::RawFrame;

namespace {

// ---- a libmas server that reports why its connections ended ---------------------------------

/// Why a connection of the server ended: the ConnectionError its recv() threw.
struct Ended {
    Ended() noexcept {}
    Ended(std::string what, std::error_code code) : what(std::move(what)), code(code) {}
    std::string what;
    std::error_code code;
};

using EndQueue = asio::experimental::channel<void(std::error_code, Ended)>;

asio::awaitable<void> echo_until_closed(Channel channel, std::shared_ptr<EndQueue> ended) {
    Ended end;
    try {
        for (;;) {
            auto request = co_await channel.recv();
            Json result = request.content() == Json("ohai") ? Json("cya") : request.content();
            co_await request.reply(std::move(result));
        }
    } catch (const ConnectionError& e) {
        end = Ended(e.what(), e.code());
    }
    co_await ended->async_send(std::error_code(), std::move(end), asio::use_awaitable);
}

/// A libmas server on 127.0.0.1 that answers "ohai" with "cya", echoes anything else, and
/// reports why each of its connections ended, in the order they ended.
struct EchoServer {
    explicit EchoServer(ServerOptions options = {}) { server = test::run(io, start(std::move(options))); }

    asio::awaitable<Server> start(ServerOptions options) {
        auto queue = ended;
        // Named, not written inside the co_await expression: g++ 12 destroys such a lambda twice.
        ClientConnected on_connect = [queue](Channel channel) { return echo_until_closed(std::move(channel), queue); };
        const auto endpoint = Endpoint::tcp("127.0.0.1", 0);
        co_return co_await start_server(endpoint, std::move(on_connect), std::move(options));
    }

    [[nodiscard]] Endpoint endpoint() const { return server.endpoint(); }
    [[nodiscard]] std::uint16_t port() const { return server.endpoint().port; }

    /// Why the next connection to end ended.
    asio::awaitable<Ended> next_end() { co_return co_await ended->async_receive(asio::use_awaitable); }

    asio::io_context io;
    std::shared_ptr<EndQueue> ended = std::make_shared<EndQueue>(io, 64);
    Server server;
};

/// A fresh libmas connection to `endpoint` gets "cya" for "ohai".
asio::awaitable<void> expect_served(Endpoint endpoint, ConnectOptions options = {}) {
    auto channel = co_await open_connection(std::move(endpoint), std::move(options));
    const Json reply = co_await channel.send("ohai");
    CHECK(reply == Json("cya"));
}

/// Connects a raw client, writes `bytes` (then half-closes if `then_shutdown`) and reads until
/// the server closes the connection.
asio::awaitable<RawEnd> send_raw(std::uint16_t port, std::string bytes, bool then_shutdown = false) {
    auto raw = co_await test::raw_connect(port);
    co_await raw.write(bytes);
    if (then_shutdown) raw.shutdown_send();
    co_return co_await raw.read_until_closed();
}

// ---- a libmas client against a raw server ----------------------------------------------------

/// How a libmas client's send() ended.
struct SendOutcome {
    SendOutcome() noexcept {}
    std::optional<Json> result;
    std::string error_type;  ///< "ConnectionError", "CodecError", "RemoteError"; empty on success
    std::string error;       ///< the exception's what()
    std::error_code code;    ///< ConnectionError::code()
};

asio::awaitable<SendOutcome> send_outcome(Channel channel, Json content) {
    SendOutcome outcome;
    try {
        outcome.result = co_await channel.send(std::move(content));
    } catch (const ConnectionError& e) {
        outcome.error_type = "ConnectionError";
        outcome.error = e.what();
        outcome.code = e.code();
    } catch (const CodecError& e) {
        outcome.error_type = "CodecError";
        outcome.error = e.what();
    } catch (const RemoteError& e) {
        outcome.error_type = "RemoteError";
        outcome.error = e.what();
    }
    co_return outcome;
}

/// Connects with `options` and sends "ohai"; a failed connect counts like a failed send, because
/// with TLS 1.3 a rejected client certificate shows only on the client's first read.
asio::awaitable<SendOutcome> connect_and_send(Endpoint endpoint, ConnectOptions options) {
    SendOutcome outcome;
    std::optional<Channel> channel;
    try {
        channel = co_await open_connection(std::move(endpoint), std::move(options));
    } catch (const ConnectionError& e) {
        outcome.error_type = "ConnectionError";
        outcome.error = e.what();
        outcome.code = e.code();
    }
    if (!channel) co_return outcome;
    co_return co_await send_outcome(*channel, "ohai");
}

/// The raw server's side: reads the client's request, writes `answer` bytes, then either closes
/// at once (`then_close`) or reads until the client closes the connection.
asio::awaitable<RawEnd> answer_raw(test::RawListener& listener, std::string answer, bool then_close) {
    auto raw = co_await listener.accept();
    const RawFrame request = co_await raw.read_frame();
    CHECK(request.payload == R"([0, 0, "ohai"])");
    co_await raw.write(answer);
    RawEnd end;
    if (then_close) {
        raw.close();
    } else {
        end = co_await raw.read_until_closed();
    }
    co_return end;
}

/// What a libmas client saw when a raw server answered its request badly.
struct ClientSide {
    ClientSide() noexcept {}
    SendOutcome outcome;     ///< how the request to the raw server ended
    RawEnd server_end;       ///< what the raw server saw after its answer
    Json other_reply;        ///< the reply on the client's other connection, opened before
};

/// A libmas client with two connections: one to a libmas echo server, one to a raw server that
/// answers the client's "ohai" with `answer`. Then the first connection is used again.
asio::awaitable<ClientSide> meet_raw_server(EchoServer& echo, test::RawListener& listener, std::string answer,
                                            bool then_close) {
    using namespace asio::experimental::awaitable_operators;
    auto other = co_await open_connection(echo.endpoint());
    const auto raw_endpoint = listener.endpoint();
    auto channel = co_await open_connection(raw_endpoint);
    const Json ohai("ohai");
    auto [end, outcome] = co_await (answer_raw(listener, std::move(answer), then_close) && send_outcome(channel, ohai));
    ClientSide side;
    side.outcome = std::move(outcome);
    side.server_end = std::move(end);
    side.other_reply = co_await other.send(ohai);
    co_return side;
}

ClientSide client_meets(std::string answer, bool then_close = false) {
    EchoServer echo;
    test::RawListener listener(echo.io.get_executor());
    return test::run(echo.io, meet_raw_server(echo, listener, std::move(answer), then_close));
}

void check_connection_error(const SendOutcome& outcome, const std::string& problem) {
    CAPTURE(outcome.error);
    CHECK(outcome.error_type == "ConnectionError");
    CHECK_THAT(outcome.error, Contains(problem));
}

// ---- the malformed messages -------------------------------------------------------------------

struct Malformed {
    std::string name;
    std::string payload;
    std::string problem;  ///< what the error message must say
};

const std::vector<Malformed>& malformed_messages() {
    static const std::vector<Malformed> table{
        {"not UTF-8", "[0, 0, \"\xff\xfe\"]", "invalid JSON at byte"},
        {"not JSON", "[0, 0, nul", "invalid JSON at byte"},
        {"empty payload", "", "invalid JSON at byte 0"},
        {"trailing garbage", "[0, 0, null] x", "invalid JSON at byte"},
        {"an object", R"({"type": 0, "id": 0, "content": null})", "must be [type, id, content]"},
        {"two elements", "[0, 0]", "must be [type, id, content]"},
        {"four elements", "[0, 0, null, null]", "must be [type, id, content]"},
        {"type is a string", R"(["0", 0, null])", "message type must be an int"},
        {"type is a float", "[1.0, 0, null]", "message type must be an int"},
        {"id is a string", R"([0, "0", null])", "message id must be a non-negative int"},
        {"negative id", "[0, -1, null]", "message id must be a non-negative int"},
        {"id beyond 64 bits", "[0, 18446744073709551616, null]", "message id must be a non-negative int"},
        {"unknown type 7", "[7, 0, null]", "invalid message type int 7"},
        {"negative type", "[-1, 0, null]", "invalid message type int -1"},
    };
    return table;
}

std::shared_ptr<asio::ssl::context> client_without_certificate(const test::TestPki& pki) {
    // Everything of a proper client except the certificate and key.
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    ctx->load_verify_file(pki.client.ca_file.string());
    ctx->set_verify_mode(asio::ssl::verify_peer);
    return ctx;
}

ServerOptions tls_server(const test::TestPki& pki) {
    ServerOptions options;
    options.ssl = std::make_shared<asio::ssl::context>(make_ssl_server_context(pki.server));
    return options;
}

ConnectOptions tls_client(const test::TestPki& pki) {
    ConnectOptions options;
    options.ssl = std::make_shared<asio::ssl::context>(make_ssl_client_context(pki.client));
    return options;
}

}  // namespace

// ---- malformed messages -----------------------------------------------------------------------

TEST_CASE("A libmas server closes a connection that sends a malformed message and keeps serving others",
          "[channel]") {
    const auto bad = GENERATE(from_range(malformed_messages()));
    CAPTURE(bad.name, bad.payload);
    EchoServer echo;
    const auto end = test::run(echo.io, send_raw(echo.port(), test::raw_frame(bad.payload)));
    CHECK(end.error == asio::error::eof);
    CHECK(end.data.empty());
    const auto ended = test::run(echo.io, echo.next_end());
    CHECK_THAT(ended.what, Contains("protocol error: ") && Contains(bad.problem));
    CHECK(ended.code == make_error_code(errc::protocol_error));
    test::run(echo.io, expect_served(echo.endpoint()));
}

TEST_CASE("A libmas client fails its pending request when the server answers with a malformed message",
          "[channel]") {
    const auto bad = GENERATE(from_range(malformed_messages()));
    CAPTURE(bad.name, bad.payload);
    const auto side = client_meets(test::raw_frame(bad.payload));
    check_connection_error(side.outcome, "protocol error: ");
    CHECK_THAT(side.outcome.error, Contains(bad.problem));
    CHECK(side.outcome.code == make_error_code(errc::protocol_error));
    CHECK(side.server_end.error == asio::error::eof);
    CHECK(side.other_reply == Json("cya"));
}

// ---- frames cut short or too long -------------------------------------------------------------

TEST_CASE("A libmas server closes a connection whose frame is cut short by EOF and keeps serving others",
          "[channel]") {
    const auto frame = test::raw_frame(R"([0, 0, "ohai"])");
    // Cut inside the length header, and inside the payload.
    const std::size_t cut = GENERATE(2, 10);
    CAPTURE(cut);
    EchoServer echo;
    const auto end = test::run(echo.io, send_raw(echo.port(), frame.substr(0, cut), true));
    CHECK(end.error == asio::error::eof);
    CHECK(end.data.empty());
    const auto ended = test::run(echo.io, echo.next_end());
    CHECK_THAT(ended.what, Contains("in the middle of a frame (" + std::to_string(cut) + " bytes of it received)"));
    CHECK(ended.code == asio::error::eof);
    test::run(echo.io, expect_served(echo.endpoint()));
}

TEST_CASE("A libmas client fails its pending request when the server disappears in the middle of a frame",
          "[channel]") {
    const auto frame = test::raw_frame(R"([1, 0, "cya"])");
    const std::size_t cut = GENERATE(3, 9);
    CAPTURE(cut);
    const auto side = client_meets(frame.substr(0, cut), true);
    check_connection_error(side.outcome, "in the middle of a frame (" + std::to_string(cut) + " bytes of it received)");
    CHECK(side.outcome.code == asio::error::eof);
    CHECK(side.other_reply == Json("cya"));
}

TEST_CASE("A libmas server closes a connection whose length header exceeds the limit, before reading the payload",
          "[channel]") {
    // Only the header is sent: a server that allocated and waited for the payload would hang
    // (and fail on the hang guard), so the rejection is decided from the header alone.
    const auto [limit, length] = GENERATE(table<std::size_t, std::uint32_t>({
        {1024, 2048},
        {default_max_message_size, 0xFFFFFFFF},
    }));
    CAPTURE(limit, length);
    ServerOptions options;
    options.max_message_size = limit;
    EchoServer echo(options);
    const auto end = test::run(echo.io, send_raw(echo.port(), test::raw_header(length)));
    CHECK(end.error == asio::error::eof);
    const auto ended = test::run(echo.io, echo.next_end());
    CHECK_THAT(ended.what, Contains(fmt::format("frame length {} exceeds the maximum message size of {} bytes",
                                                length, limit)));
    CHECK(ended.code == make_error_code(errc::message_too_large));
    test::run(echo.io, expect_served(echo.endpoint()));
}

TEST_CASE("A libmas client fails its pending request when a reply's length header exceeds the limit",
          "[channel]") {
    const auto side = client_meets(test::raw_header(0xFFFFFFFF));
    check_connection_error(side.outcome, "frame length 4294967295 exceeds the maximum message size of 67108864 bytes");
    CHECK(side.outcome.code == make_error_code(errc::message_too_large));
    CHECK(side.server_end.error == asio::error::eof);
    CHECK(side.other_reply == Json("cya"));
}

// ---- replies without a request ----------------------------------------------------------------

TEST_CASE("A libmas server closes a connection that sends a reply it has no pending request for",
          "[channel]") {
    EchoServer echo;
    const auto end = test::run(echo.io, send_raw(echo.port(), test::raw_frame("[1, 99, null]")));
    CHECK(end.error == asio::error::eof);
    const auto ended = test::run(echo.io, echo.next_end());
    CHECK_THAT(ended.what, Contains("reply for request id 99, which has no pending request"));
    CHECK(ended.code == make_error_code(errc::protocol_error));
    test::run(echo.io, expect_served(echo.endpoint()));
}

TEST_CASE("A libmas client fails its pending request when the server replies to an id it never sent",
          "[channel]") {
    const auto side = client_meets(test::raw_frame("[1, 99, null]"));
    check_connection_error(side.outcome, "reply for request id 99, which has no pending request");
    CHECK(side.outcome.code == make_error_code(errc::protocol_error));
    CHECK(side.server_end.error == asio::error::eof);
    CHECK(side.other_reply == Json("cya"));
}

// ---- integers beyond 64 bits ------------------------------------------------------------------

TEST_CASE("A request holding an integer beyond 64 bits gets a failure reply and the connection stays open",
          "[channel]") {
    EchoServer echo;
    auto replies = test::run(echo.io, [&]() -> asio::awaitable<std::vector<RawFrame>> {
        auto raw = co_await test::raw_connect(echo.port());
        std::vector<RawFrame> frames;
        co_await raw.write(test::raw_frame("[0, 5, [18446744073709551616]]"));
        frames.push_back(co_await raw.read_frame());
        co_await raw.write(test::raw_frame(R"([0, 6, "ohai"])"));
        frames.push_back(co_await raw.read_frame());
        co_return frames;
    }());
    REQUIRE(replies.size() == 2);
    CHECK(replies[0].payload ==
          R"([2, 5, "mas::CodecError: integer 18446744073709551616 does not fit in 64 bits\n"])");
    CHECK(replies[1].payload == R"([1, 6, "cya"])");
}

TEST_CASE("A reply holding an integer beyond 64 bits fails that request with CodecError and the channel stays "
          "open",
          "[channel]") {
    EchoServer echo;
    test::RawListener listener(echo.io.get_executor());
    test::run(echo.io, [&]() -> asio::awaitable<void> {
        using namespace asio::experimental::awaitable_operators;
        const auto endpoint = listener.endpoint();
        auto channel = co_await open_connection(endpoint);
        auto serve_raw = [&]() -> asio::awaitable<void> {
            auto raw = co_await listener.accept();
            (void)co_await raw.read_frame();
            co_await raw.write(test::raw_frame("[1, 0, [18446744073709551616]]"));
            const auto second = co_await raw.read_frame();
            CHECK(second.payload == R"([0, 1, "ohai"])");
            co_await raw.write(test::raw_frame(R"([1, 1, "cya"])"));
            (void)co_await raw.read_until_closed();
        };
        auto requests = [&]() -> asio::awaitable<void> {
            const Json big("big");
            const auto first = co_await send_outcome(channel, big);
            CHECK(first.error_type == "CodecError");
            CHECK_THAT(first.error, Contains("the reply to request 0 cannot be represented: integer "
                                             "18446744073709551616 does not fit in 64 bits"));
            CHECK(channel.is_open());
            const Json second = co_await channel.send("ohai");
            CHECK(second == Json("cya"));
            channel.close();
        };
        co_await (serve_raw() && requests());
    }());
}

// ---- idle peers -------------------------------------------------------------------------------

TEST_CASE("A peer that connects and never sends does not block others and is closed with the server",
          "[channel]") {
    const bool tls = GENERATE(false, true);
    CAPTURE(tls);
    test::TempDir dir;
    const auto pki = test::make_test_pki(dir.path());
    ServerOptions server_options = tls ? tls_server(pki) : ServerOptions();
    // Long enough that only closing the server can end the idle TLS handshake within the test.
    server_options.tls_handshake_timeout = std::chrono::hours(1);
    const ConnectOptions client_options = tls ? tls_client(pki) : ConnectOptions();
    EchoServer echo(server_options);
    const auto end = test::run(echo.io, [&]() -> asio::awaitable<RawEnd> {
        auto idle = co_await test::raw_connect(echo.port());
        co_await expect_served(echo.endpoint(), client_options);
        echo.server.close();
        co_return co_await idle.read_until_closed();
    }());
    CHECK(end.error == asio::error::eof);
    CHECK(end.data.empty());
}

// ---- TLS --------------------------------------------------------------------------------------

TEST_CASE("A TLS client without a certificate or with one from another CA fails, and good TLS clients are served",
          "[channel][tls]") {
    const bool foreign = GENERATE(false, true);
    const int max_version = GENERATE(TLS1_2_VERSION, TLS1_3_VERSION);
    CAPTURE(foreign, max_version);
    test::TempDir dir;
    const auto pki = test::make_test_pki(dir.path());
    EchoServer echo(tls_server(pki));
    ConnectOptions bad;
    bad.ssl = foreign ? std::make_shared<asio::ssl::context>(make_ssl_client_context(pki.foreign_client))
                      : client_without_certificate(pki);
    REQUIRE(SSL_CTX_set_max_proto_version(bad.ssl->native_handle(), max_version) == 1);
    const auto outcome = test::run(echo.io, connect_and_send(echo.endpoint(), bad));
    CAPTURE(outcome.error);
    CHECK(outcome.error_type == "ConnectionError");
    // The server's TLS alert, e.g. "tlsv13 alert certificate required" or "tlsv1 alert unknown ca".
    CHECK_THAT(outcome.error, Contains("alert"));
    CHECK_FALSE(outcome.result);
    test::run(echo.io, expect_served(echo.endpoint(), tls_client(pki)));
}

TEST_CASE("A plaintext client's request to a TLS server fails with ConnectionError, and TLS clients are served",
          "[channel][tls]") {
    test::TempDir dir;
    const auto pki = test::make_test_pki(dir.path());
    EchoServer echo(tls_server(pki));
    const auto outcome = test::run(echo.io, connect_and_send(echo.endpoint(), ConnectOptions()));
    CAPTURE(outcome.error);
    CHECK(outcome.error_type == "ConnectionError");
    CHECK_FALSE(outcome.result);
    test::run(echo.io, expect_served(echo.endpoint(), tls_client(pki)));
}

TEST_CASE("A TLS client of a plaintext server fails with ConnectionError, and plaintext clients are served",
          "[channel][tls]") {
    test::TempDir dir;
    const auto pki = test::make_test_pki(dir.path());
    EchoServer echo;
    const auto outcome = test::run(echo.io, connect_and_send(echo.endpoint(), tls_client(pki)));
    CAPTURE(outcome.error);
    CHECK(outcome.error_type == "ConnectionError");
    CHECK_THAT(outcome.error, Contains("TLS handshake failed"));
    // The ClientHello's record header reads as a frame length far over the limit.
    const auto ended = test::run(echo.io, echo.next_end());
    CHECK_THAT(ended.what, Contains("exceeds the maximum message size"));
    test::run(echo.io, expect_served(echo.endpoint()));
}
