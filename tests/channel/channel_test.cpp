#include "mas/channel/channel.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include "support/loopback.hpp"

using namespace mas;
using test::Loopback;
using test::TransportKind;

namespace {

TransportKind any_transport() {
    return GENERATE(TransportKind::tcp, TransportKind::unix_socket, TransportKind::tls, TransportKind::local);
}

// Answers every request on `channel` with the content, or with "cya" for "ohai".
asio::awaitable<void> echo(Channel channel) {
    for (;;) {
        auto request = co_await channel.recv();
        if (request.content() == Json("ohai")) {
            co_await request.reply("cya");
        } else {
            co_await request.reply(request.content());
        }
    }
}

void spawn_echo(Channel channel) {
    auto executor = channel.executor();
    asio::co_spawn(executor, echo(std::move(channel)), [](std::exception_ptr) {});
}

}  // namespace

TEST_CASE("A request gets its reply over every transport", "[channel]") {
    const auto kind = any_transport();
    CAPTURE(test::to_string(kind));
    Loopback loop(kind);
    auto result = test::run(loop.io, [&]() -> asio::awaitable<Json> {
        auto client = co_await loop.connect();
        spawn_echo(co_await loop.next_accepted());
        auto first = co_await client.send("ohai");
        // g++ 12 miscompiles an initializer_list inside a co_await expression (GCC PR 100611
        // family), so lists are built in statements of their own.
        Json spam = Json::array({"spam", 1});
        auto second = co_await client.send(spam);
        Json both = Json::array({first, second});
        co_return both;
    }());
    CHECK(result == Json::array({"cya", Json::array({"spam", 1})}));
}

TEST_CASE("Many requests can be in flight on one channel and replies may come in any order", "[channel]") {
    const auto kind = any_transport();
    CAPTURE(test::to_string(kind));
    Loopback loop(kind);
    constexpr int count = 200;
    auto results = test::run(loop.io, [&]() -> asio::awaitable<std::vector<int>> {
        auto client = co_await loop.connect();
        auto server_side = co_await loop.next_accepted();
        // The server collects every request first and answers them in reverse order.
        asio::co_spawn(
            server_side.executor(),
            [server_side]() mutable -> asio::awaitable<void> {
                std::vector<Request> requests;
                for (int i = 0; i < count; ++i) requests.push_back(co_await server_side.recv());
                std::reverse(requests.begin(), requests.end());
                for (auto& r : requests) co_await r.reply(r.content().get<int>() * 2);
            },
            asio::detached);
        std::vector<int> out(count, -1);
        int done = 0;
        asio::steady_timer all_done(client.executor(), asio::steady_timer::time_point::max());
        for (int i = 0; i < count; ++i) {
            asio::co_spawn(
                client.executor(),
                [&, i]() -> asio::awaitable<void> {
                    out[i] = (co_await client.send(i)).get<int>();
                    if (++done == count) all_done.cancel();
                },
                asio::detached);
        }
        co_await all_done.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        co_return out;
    }());
    for (int i = 0; i < count; ++i) CHECK(results[i] == 2 * i);
}

TEST_CASE("Both ends can send requests over the same connection at the same time", "[channel]") {
    const auto kind = any_transport();
    CAPTURE(test::to_string(kind));
    Loopback loop(kind);
    auto result = test::run(loop.io, [&]() -> asio::awaitable<Json> {
        auto client = co_await loop.connect();
        auto server_side = co_await loop.next_accepted();
        spawn_echo(client);
        spawn_echo(server_side);
        using namespace asio::experimental::awaitable_operators;
        auto [a, b] = co_await (client.send("from client") && server_side.send("from server"));
        Json both = Json::array({a, b});
        co_return both;
    }());
    CHECK(result == Json::array({"from client", "from server"}));
}

TEST_CASE("A failure reply raises RemoteError with the peer's address and text", "[channel]") {
    const auto kind = any_transport();
    CAPTURE(test::to_string(kind));
    Loopback loop(kind);
    test::run(loop.io, [&]() -> asio::awaitable<void> {
        auto client = co_await loop.connect();
        auto server_side = co_await loop.next_accepted();
        asio::co_spawn(
            server_side.executor(),
            [server_side]() mutable -> asio::awaitable<void> {
                auto request = co_await server_side.recv();
                co_await request.fail(std::invalid_argument("nope"));
            },
            asio::detached);
        try {
            co_await client.send("ohai");
            FAIL("send should have thrown");
        } catch (const RemoteError& e) {
            CHECK(e.remote_traceback() == "std::invalid_argument: nope\n");
            CHECK(e.summary() == "std::invalid_argument: nope");
            CHECK(e.origin() == client.peer());
            CHECK_THAT(e.what(), Catch::Contains("Origin: " + client.peer()));
        }
    }());
}

TEST_CASE("A failure reply can carry any Json content, such as mosaik's list", "[channel]") {
    Loopback loop(TransportKind::tcp);
    test::run(loop.io, [&]() -> asio::awaitable<void> {
        auto client = co_await loop.connect();
        auto server_side = co_await loop.next_accepted();
        asio::co_spawn(
            server_side.executor(),
            [server_side]() mutable -> asio::awaitable<void> {
                auto request = co_await server_side.recv();
                auto content = Json::array({"ValueError", "boom", "Traceback (most recent call last):\n"});
                co_await request.fail_with_content(std::move(content));
            },
            asio::detached);
        try {
            co_await client.send("ohai");
            FAIL("send should have thrown");
        } catch (const RemoteError& e) {
            // A non-text failure reaches a libmas sender as its JSON text.
            CHECK(e.remote_traceback() == R"(["ValueError", "boom", "Traceback (most recent call last):\n"])");
        }
    }());
}

TEST_CASE("Closing a channel fails every pending request with ConnectionError at once", "[channel]") {
    const auto kind = any_transport();
    CAPTURE(test::to_string(kind));
    Loopback loop(kind);
    auto errors = test::run(loop.io, [&]() -> asio::awaitable<int> {
        auto client = co_await loop.connect();
        auto server_side = co_await loop.next_accepted();  // never answers
        int failed = 0;
        asio::steady_timer all_failed(client.executor(), asio::steady_timer::time_point::max());
        for (int i = 0; i < 3; ++i) {
            asio::co_spawn(
                client.executor(),
                [&, i]() -> asio::awaitable<void> {
                    try {
                        co_await client.send(i);
                    } catch (const ConnectionError& e) {
                        CHECK(e.code() == make_error_code(errc::closed));
                        if (++failed == 3) all_failed.cancel();
                    }
                },
                asio::detached);
        }
        // Let the requests reach the server before closing, so they are really pending.
        for (int i = 0; i < 3; ++i) (void)co_await server_side.recv();
        client.close();
        co_await all_failed.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        CHECK_FALSE(client.is_open());
        CHECK_THROWS_AS(co_await client.send("after close"), ConnectionError);
        co_return failed;
    }());
    CHECK(errors == 3);
}

TEST_CASE("Losing the peer fails pending requests and recv with ConnectionError", "[channel]") {
    const auto kind = any_transport();
    CAPTURE(test::to_string(kind));
    Loopback loop(kind);
    test::run(loop.io, [&]() -> asio::awaitable<void> {
        auto client = co_await loop.connect();
        auto server_side = co_await loop.next_accepted();
        asio::co_spawn(
            server_side.executor(),
            [server_side]() mutable -> asio::awaitable<void> {
                (void)co_await server_side.recv();
                server_side.close();  // the peer goes away with the request unanswered
            },
            asio::detached);
        CHECK_THROWS_AS(co_await client.send("ohai"), ConnectionError);
        CHECK_THROWS_AS(co_await client.recv(), ConnectionError);
    }());
}

TEST_CASE("Sending a message larger than the maximum throws at the sender and the channel keeps working",
          "[channel]") {
    const auto kind = any_transport();
    CAPTURE(test::to_string(kind));
    ChannelOptions options;
    options.max_message_size = 1024;
    Loopback loop(kind, options);
    test::run(loop.io, [&]() -> asio::awaitable<void> {
        auto client = co_await loop.connect();
        spawn_echo(co_await loop.next_accepted());
        try {
            co_await client.send(std::string(2000, 'x'));
            FAIL("send should have thrown");
        } catch (const CodecError& e) {
            CHECK_THAT(e.what(), Catch::Contains("exceeds the maximum message size of 1024"));
        }
        CHECK(co_await client.send("ohai") == Json("cya"));
    }());
}

TEST_CASE("A send abandoned by a timeout does not disturb later requests", "[channel]") {
    const auto kind = any_transport();
    CAPTURE(test::to_string(kind));
    Loopback loop(kind);
    test::run(loop.io, [&]() -> asio::awaitable<void> {
        auto client = co_await loop.connect();
        auto server_side = co_await loop.next_accepted();
        CHECK_THROWS_AS(co_await with_timeout(client.send("slow"), std::chrono::milliseconds(50), "send"), Timeout);
        // The server answers the abandoned request late, then echoes the next one.
        auto late = co_await server_side.recv();
        co_await late.reply("too late");
        spawn_echo(server_side);
        CHECK(co_await client.send("ohai") == Json("cya"));
        CHECK(client.is_open());
    }());
}
