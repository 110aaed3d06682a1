#include "mas/channel/server.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include "mas/channel/tls_context.hpp"
#include "support/loopback.hpp"

using namespace mas;
using namespace std::chrono_literals;
using test::Loopback;
using test::TransportKind;

namespace {

asio::awaitable<void> echo(Channel channel) {
    for (;;) {
        auto request = co_await channel.recv();
        co_await request.reply(request.content());
    }
}

ClientConnected echo_server() {
    return [](Channel channel) -> asio::awaitable<void> {
        try {
            co_await echo(std::move(channel));
        } catch (const ConnectionError&) {
            // The client went away: the normal end of an echo session.
        }
    };
}

asio::awaitable<Json> call_once(Endpoint endpoint, Json content, ConnectOptions options = {}) {
    auto channel = co_await open_connection(std::move(endpoint), std::move(options));
    co_return co_await channel.send(std::move(content));
}

}  // namespace

TEST_CASE("A TCP server on port 0 reports the port it got, for IPv4, IPv6 and host names", "[channel]") {
    const std::string host = GENERATE("127.0.0.1", "::1", "localhost");
    CAPTURE(host);
    asio::io_context io;
    auto server = test::run(io, start_server(Endpoint::tcp(host, 0), echo_server()));
    CHECK(server.endpoint().port != 0);
    CHECK(server.endpoint().host == host);
    CHECK(test::run(io, call_once(server.endpoint(), "hi")) == Json("hi"));
}

TEST_CASE("A Unix socket server replaces a stale socket file and removes it on close", "[channel]") {
    test::TempDir dir;
    const auto path = (dir.path() / "s.sock").string();
    {
        // A socket file left behind by a server that died.
        asio::io_context io;
        asio::local::stream_protocol::acceptor stale(io, asio::local::stream_protocol::endpoint(path));
    }
    REQUIRE(std::filesystem::exists(path));
    asio::io_context io;
    auto server = test::run(io, start_server(Endpoint::unix_socket(path), echo_server()));
    CHECK(test::run(io, call_once(Endpoint::unix_socket(path), 7)) == Json(7));
    server.close();
    CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("Listening on an endpoint that is in use is a ConnectionError naming it", "[channel]") {
    asio::io_context io;
    auto first = test::run(io, start_server(Endpoint::tcp("127.0.0.1", 0), echo_server()));
    CHECK_THROWS_WITH(test::run(io, start_server(first.endpoint(), echo_server())),
                      Catch::Contains("cannot listen on " + first.endpoint().to_string()));
    auto local = test::run(io, start_server(Endpoint::local("taken"), echo_server()));
    CHECK_THROWS_AS(test::run(io, start_server(Endpoint::local("taken"), echo_server())), ConfigError);
}

TEST_CASE("Connecting without a timeout to a closed endpoint fails at once with ConnectionError", "[channel]") {
    asio::io_context io;
    Endpoint closed_port = [&] {
        // A port that was free a moment ago and has no listener now.
        asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
        return Endpoint::tcp("127.0.0.1", probe.local_endpoint().port());
    }();
    for (const auto& endpoint : {closed_port, Endpoint::local("nobody-here"), Endpoint::unix_socket("/nonexistent/s")}) {
        CAPTURE(endpoint.to_string());
        try {
            (void)test::run(io, open_connection(endpoint));
            FAIL("no ConnectionError");
        } catch (const ConnectionError& e) {
            CHECK_THAT(e.what(), Catch::Contains("cannot connect to " + endpoint.to_string()));
        }
    }
}

TEST_CASE("Connecting with a timeout retries until the server is up", "[channel]") {
    const auto kind = GENERATE(TransportKind::tcp, TransportKind::unix_socket, TransportKind::local);
    // aiomas' timeout=None: no deadline at all.
    const bool forever = GENERATE(false, true);
    CAPTURE(test::to_string(kind), forever);
    asio::io_context io;
    auto setup = test::make_transport(kind);
    if (kind == TransportKind::tcp) {
        asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
        setup.listen.port = probe.local_endpoint().port();
    }
    std::optional<Server> server;
    auto result = test::run(io, [&]() -> asio::awaitable<Json> {
        // The server comes up only after the client has started trying: a late server.
        asio::steady_timer later(io, 300ms);
        later.async_wait([&](std::error_code) {
            asio::co_spawn(io, [&]() -> asio::awaitable<void> {
                server.emplace(co_await start_server(setup.listen, echo_server()));
            }, asio::detached);
        });
        auto options = setup.client;
        options.timeout = forever ? retry_forever : std::chrono::steady_clock::duration(20s);
        co_return co_await call_once(setup.listen, "late", options);
    }());
    CHECK(result == Json("late"));
}

TEST_CASE("Connecting with a timeout gives up with ConnectionError when the deadline passes", "[channel]") {
    asio::io_context io;
    ConnectOptions options;
    options.timeout = 250ms;
    CHECK_THROWS_AS(test::run(io, open_connection(Endpoint::local("never-up"), options)), ConnectionError);
}

TEST_CASE("Closing a server closes its connections and fails their pending requests", "[channel]") {
    const auto kind = GENERATE(TransportKind::tcp, TransportKind::unix_socket, TransportKind::tls, TransportKind::local);
    CAPTURE(test::to_string(kind));
    Loopback loop(kind);
    test::run(loop.io, [&]() -> asio::awaitable<void> {
        auto client = co_await loop.connect();
        auto server_side = co_await loop.next_accepted();
        CHECK(loop.server->connection_count() == 1);
        asio::co_spawn(
            server_side.executor(),
            [&, server_side]() mutable -> asio::awaitable<void> {
                (void)co_await server_side.recv();
                loop.server->close();
            },
            asio::detached);
        CHECK_THROWS_AS(co_await client.send("pending"), ConnectionError);
        CHECK(loop.server->connection_count() == 0);
    }());
}

TEST_CASE("A server that stops accepting refuses new clients and leaves its connections open", "[channel]") {
    const auto kind = GENERATE(TransportKind::tcp, TransportKind::unix_socket, TransportKind::tls, TransportKind::local);
    CAPTURE(test::to_string(kind));
    Loopback loop(kind);
    test::run(loop.io, [&]() -> asio::awaitable<void> {
        auto client = co_await loop.connect();
        auto server_side = co_await loop.next_accepted();
        loop.server->stop_accepting();
        CHECK(loop.server->connection_count() == 0);
        CHECK_THROWS_AS(co_await loop.connect(), ConnectionError);
        auto session = echo_server()(server_side);
        asio::co_spawn(server_side.executor(), std::move(session), asio::detached);
        loop.server->close();
        loop.server.reset();
        CHECK(co_await client.send("still open") == Json("still open"));
    }());
}

TEST_CASE("A connection handler that throws closes only its own connection", "[channel]") {
    asio::io_context io;
    int accepted = 0;
    auto server = test::run(io, start_server(Endpoint::local("throwing"), [&](Channel channel) -> asio::awaitable<void> {
        if (accepted++ == 0) throw std::runtime_error("handler bug");
        co_await echo(std::move(channel));
    }));
    CHECK_THROWS_AS(test::run(io, call_once(server.endpoint(), 1)), ConnectionError);
    CHECK(test::run(io, call_once(server.endpoint(), 2)) == Json(2));
}

TEST_CASE("A peer that connects and never sends does not hold up other clients", "[channel]") {
    const auto kind = GENERATE(TransportKind::tcp, TransportKind::tls);
    CAPTURE(test::to_string(kind));
    auto setup = test::make_transport(kind);
    asio::io_context io;
    auto server = test::run(io, start_server(setup.listen, echo_server(), setup.server));
    // A raw TCP socket that says nothing: for TLS it never even starts the handshake.
    asio::ip::tcp::socket idle(io);
    idle.connect({asio::ip::make_address("127.0.0.1"), server.endpoint().port});
    CHECK(test::run(io, call_once(server.endpoint(), "busy", setup.client)) == Json("busy"));
}

TEST_CASE("LocalQueue delivers the messages of several connections in a reproducible order", "[channel]") {
    auto record = [](const std::string& name) {
        asio::io_context io;
        std::vector<std::string> arrivals;
        auto server = test::run(io, start_server(Endpoint::local(name), [&](Channel channel) -> asio::awaitable<void> {
            for (;;) {
                auto request = co_await channel.recv();
                arrivals.push_back(request.content().get<std::string>());
                co_await request.reply(nullptr);
            }
        }));
        test::run(io, [&]() -> asio::awaitable<void> {
            int finished = 0;
            asio::steady_timer done(io, asio::steady_timer::time_point::max());
            for (int client = 0; client < 3; ++client) {
                asio::co_spawn(io, [&, client]() -> asio::awaitable<void> {
                    auto channel = co_await open_connection(Endpoint::local(name));
                    for (int i = 0; i < 5; ++i) {
                        co_await channel.send("c" + std::to_string(client) + "m" + std::to_string(i));
                    }
                    if (++finished == 3) done.cancel();
                }, asio::detached);
            }
            co_await done.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        }());
        return arrivals;
    };
    const auto first = record("order-a");
    REQUIRE(first.size() == 15);
    for (int run = 0; run < 5; ++run) CHECK(record("order-b" + std::to_string(run)) == first);
}

TEST_CASE("A slow reader makes the sender wait instead of buffering without bound", "[channel]") {
    ChannelOptions options;
    options.write_high_water = 64 * 1024;
    options.max_queued_requests = 4;
    Loopback loop(TransportKind::local, options);
    auto client = test::run(loop.io, loop.connect());
    auto server_side = test::run(loop.io, loop.next_accepted());
    // 200 requests of 16 KiB (3.2 MiB) towards a server that does not read yet.
    const std::string payload(16 * 1024, 'x');
    int replied = 0;
    asio::steady_timer all_replied(loop.io, asio::steady_timer::time_point::max());
    for (int i = 0; i < 200; ++i) {
        asio::co_spawn(loop.io, [&]() -> asio::awaitable<void> {
            co_await client.send(payload);
            if (++replied == 200) all_replied.cancel();
        }, asio::detached);
    }
    // LocalQueue is in-process and deterministic: when nothing is ready to run, everything that
    // could be sent has been, so this is the steady state, not a guess.
    while (loop.io.poll() > 0) {
    }
    CHECK(client.buffered_bytes() <= options.write_high_water + payload.size() + 64);
    CHECK(server_side.queued_requests() <= options.max_queued_requests);
    CHECK(replied == 0);
    // Once the server reads, everything goes through.
    asio::co_spawn(loop.io, echo(server_side), [](std::exception_ptr) {});
    test::run(loop.io, all_replied.async_wait(asio::experimental::as_tuple(asio::use_awaitable)));
    CHECK(replied == 200);
}

TEST_CASE("A TLS client verifies the server's host name, or the name it is told to expect", "[channel][tls]") {
    test::TempDir dir;
    auto pki = test::make_test_pki(dir.path());
    ServerOptions server_options;
    server_options.ssl = std::make_shared<asio::ssl::context>(make_ssl_server_context(pki.wrong_host_server));
    asio::io_context io;
    auto server = test::run(io, start_server(Endpoint::tcp("127.0.0.1", 0), echo_server(), server_options));
    ConnectOptions client;
    client.ssl = std::make_shared<asio::ssl::context>(make_ssl_client_context(pki.client));
    try {
        (void)test::run(io, call_once(server.endpoint(), "hi", client));
        FAIL("the client accepted a certificate for wrong.example");
    } catch (const ConnectionError& e) {
        CHECK_THAT(e.what(), Catch::Contains("TLS handshake failed"));
    }
    client.tls_server_name = "wrong.example";
    CHECK(test::run(io, call_once(server.endpoint(), "hi", client)) == Json("hi"));
}

TEST_CASE("Assigning over the last Server handle closes the server", "[channel]") {
    asio::io_context io;
    auto server = test::run(io, start_server(Endpoint::tcp("127.0.0.1", 0), echo_server()));
    const auto address = server.endpoint();
    CHECK(test::run(io, call_once(address, "before")) == Json("before"));
    server = Server();
    // The port is free again: a listener still accepting there would make this bind fail.
    auto again = test::run(io, start_server(address, echo_server()));
    CHECK(test::run(io, call_once(address, "after")) == Json("after"));
}
