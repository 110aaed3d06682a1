// Smart sockets: the handshake, frames from hand-written peers, protocol breakers, and misuse.
#include <catch2/catch.hpp>

#include "msg/socket_support.hpp"

using namespace mas;
using namespace mas::msg;
using namespace mas::msg::testing;
using namespace std::chrono_literals;
using namespace std::string_literals;

// ---- handshake and frames --------------------------------------------------------------------

namespace {

asio::awaitable<void> duplicate_identity(Socket& binder, Socket& first) {
    const auto any_port = Endpoint::tcp("127.0.0.1", 0);
    const auto bound = co_await binder.bind(any_port);
    first.connect(bound);
    co_await binder.wait_connections(1);
    auto impostor = co_await test::raw_connect(bound.port);
    co_await impostor.write(hello_frame(first.identity()));
    const auto end = co_await impostor.read_until_closed();
    CHECK(end.data.substr(4, 1) == "\x01");  // it got the HELLO, then was closed
    CHECK(binder.connection_count() == 1);
    auto still_here_batch = std::vector<std::string>{"still here"};
    co_await send_all(first, std::move(still_here_batch));
    auto got4 = co_await binder.recv();
    CHECK(got4 == "still here");
}

asio::awaitable<void> one_write(Socket& socket) {
    const auto any_port = Endpoint::tcp("127.0.0.1", 0);
    const auto bound = co_await socket.bind(any_port);
    auto raw = co_await test::raw_connect(bound.port);
    const MsgId id{9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
    // HELLO, a frame of a type from the future, DATA and DATA_REQ, all in one write.
    const auto bytes = hello_frame(peer_x) + test::raw_frame("\x7f" "future"s) + test::raw_frame("\x03" "first"s) +
                       data_req_frame(id, "second");
    co_await raw.write(bytes);
    const auto first = co_await socket.recv_identity();
    CHECK(first.payload == "first");
    CHECK(first.identity == peer_x);
    auto got5 = co_await socket.recv();
    CHECK(got5 == "second");
    const auto their_hello = co_await raw.read_frame();
    CHECK(their_hello.payload[0] == '\x01');
    const auto ack = co_await raw.read_frame();
    CHECK(ack.payload == "\x05"s + std::string(id.begin(), id.end()));
}

asio::awaitable<void> bad_peer(Socket& socket, std::string bytes) {
    const auto any_port = Endpoint::tcp("127.0.0.1", 0);
    const auto bound = co_await socket.bind(any_port);
    auto raw = co_await test::raw_connect(bound.port);
    co_await raw.write(bytes);
    const auto end = co_await raw.read_until_closed();
    CHECK((end.error == asio::error::eof || end.error == asio::error::connection_reset));
    CHECK(socket.connection_count() == 0);
    // The socket goes on serving well-behaved peers.
    auto good = co_await test::raw_connect(bound.port);
    const auto good_bytes = hello_frame(peer_x) + test::raw_frame("\x03" "fine"s);
    co_await good.write(good_bytes);
    auto got6 = co_await socket.recv();
    CHECK(got6 == "fine");
}

}  // namespace

TEST_CASE("A second connection with an identity already connected is closed, and the first one stays", "[msg]") {
    asio::io_context io;
    Socket binder(io.get_executor());
    Socket first(io.get_executor());
    test::run(io, duplicate_identity(binder, first));
}

TEST_CASE("Frames written together with the HELLO are handled at once; an unknown envelope type is skipped", "[msg]") {
    asio::io_context io;
    Socket socket(io.get_executor());
    test::run(io, one_write(socket));
}

TEST_CASE("A peer that breaks the protocol is disconnected and the socket serves the next one", "[msg]") {
    const std::string good_hello = hello_frame(peer_x);
    auto [what, bytes] = GENERATE_COPY(table<std::string, std::string>({
        {"an over-long length prefix", test::raw_header(1U << 30) + "\x03"},
        {"a HELLO of another version", hello_frame(peer_x, 2)},
        {"DATA before the HELLO", test::raw_frame("\x03" "early"s)},
        {"a truncated HELLO", test::raw_frame("\x01\x01" "short"s)},
        {"a truncated DATA_REQ", good_hello + test::raw_frame("\x04" "tooshort"s)},
        {"an empty envelope", good_hello + test::raw_header(0)},
    }));
    CAPTURE(what);
    asio::io_context io;
    SocketOptions options;
    options.max_frame_size = 1 << 20;
    Socket socket(io.get_executor(), options);
    test::run(io, bad_peer(socket, bytes));
}

// ---- errors ----------------------------------------------------------------------------------

namespace {

asio::awaitable<void> misuse(Socket& publisher, Socket& limited) {
    std::string payload = "x";
    try {
        co_await publisher.send(payload);
        FAIL("at-least-once with publish must be refused");
    } catch (const ConfigError& e) {
        CHECK_THAT(e.what(), Catch::Contains("at-least-once") && Catch::Contains("publish"));
    }
    std::string oversized(64, 'x');
    try {
        co_await limited.send(std::move(oversized));
        FAIL("a payload over max_frame_size must be refused");
    } catch (const CodecError& e) {
        CHECK_THAT(e.what(), Catch::Contains("maximum frame size"));
    }
    limited.close();
    try {
        co_await limited.send(payload);
        FAIL("send after close must throw");
    } catch (const ConnectionError& e) {
        CHECK_THAT(e.what(), Catch::Contains("closed"));
    }
}

asio::awaitable<void> recv_then_close(asio::io_context& io, Socket& socket) {
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { socket.close(); co_return; }, asio::detached);
    try {
        co_await socket.recv();
        FAIL("recv on a closed socket must throw");
    } catch (const ConnectionError& e) {
        CHECK(e.code() == make_error_code(errc::closed));
    }
    const auto none = co_await socket.next();
    CHECK_FALSE(none);
}

}  // namespace

TEST_CASE("Misuse gets a clear error: at-least-once with publish, an oversized payload, sending after close",
          "[msg]") {
    asio::io_context io;
    SocketOptions publish_reliably;
    publish_reliably.send_mode = SendMode::publish;
    publish_reliably.delivery = Delivery::at_least_once;
    Socket publisher(io.get_executor(), publish_reliably);
    SocketOptions small;
    small.max_frame_size = 64;
    Socket limited(io.get_executor(), small);
    test::run(io, misuse(publisher, limited));
}

TEST_CASE("Closing the socket ends a waiting recv with ConnectionError and ends the iteration", "[msg]") {
    asio::io_context io;
    Socket socket(io.get_executor());
    test::run(io, recv_then_close(io, socket));
}

TEST_CASE("Invalid socket options are a ConfigError", "[msg]") {
    asio::io_context io;
    SocketOptions options;
    options.heartbeat_timeout = 0s;
    CHECK_THROWS_AS(Socket(io.get_executor(), options), ConfigError);
    CHECK_THROWS_AS(backoff_delay(1s, 10ms), ConfigError);
}

TEST_CASE("Backoff doubles per failure up to its cap, with jitter below the nominal delay", "[msg]") {
    const auto delay = backoff_delay(100ms, 1s, 0.5);
    for (unsigned failures = 0; failures < 8; ++failures) {
        const auto nominal = std::min<std::chrono::steady_clock::duration>(100ms * (1 << failures), 1s);
        const auto d = delay(failures);
        CHECK(d <= nominal);
        CHECK(d >= nominal / 2);
    }
    CHECK(fixed_delay()(7) == 100ms);
}
