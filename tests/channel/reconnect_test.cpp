// Reconnecting client channels (ConnectOptions::reconnect): what is in flight fails, what comes
// later goes over a new connection, nothing is sent twice.
#include <sys/socket.h>

#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include "mas/channel/channel.hpp"
#include "mas/channel/server.hpp"
#include "mas/core/error.hpp"
#include "support/run.hpp"

using namespace mas;
using namespace std::chrono_literals;

namespace {

// Waits for the channel's state changes, in the order they happened.
class StateLog {
public:
    explicit StateLog(const asio::any_io_executor& executor)
        : changed_(executor, asio::steady_timer::time_point::max()) {}

    ReconnectPolicy policy() {
        ReconnectPolicy p;
        p.initial_delay = 5ms;
        p.max_delay = 20ms;
        p.on_state = [this](const ChannelEvent& event) {
            events.push_back(event);
            changed_.cancel();
        };
        return p;
    }
    /// Returns once an event with `state` has been seen after the first `from` events.
    asio::awaitable<void> wait_for(ChannelState state, std::size_t from = 0) {
        for (;;) {
            for (std::size_t i = from; i < events.size(); ++i) {
                if (events[i].state == state) co_return;
            }
            changed_.expires_at(asio::steady_timer::time_point::max());
            co_await changed_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        }
    }

    std::vector<ChannelEvent> events;

private:
    asio::steady_timer changed_;
};

// A server whose handler answers with the request's content but never answers "hang"; it records
// every request it gets.
struct RecordingServer {
    explicit RecordingServer(const asio::any_io_executor& executor)
        : arrived(executor, asio::steady_timer::time_point::max()) {}

    std::vector<Json> received;
    Server server;
    asio::steady_timer arrived;

    asio::awaitable<void> wait_received(std::size_t count) {
        while (received.size() < count) {
            arrived.expires_at(asio::steady_timer::time_point::max());
            co_await arrived.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        }
    }

    /// Starts serving on an ephemeral loopback port and opens a channel to it that reconnects
    /// with `policy`.
    asio::awaitable<Channel> start_and_connect(ReconnectPolicy policy) {
        const auto any_port = Endpoint::tcp("127.0.0.1", 0);
        server = co_await start_server(any_port, handler());
        ConnectOptions options;
        options.reconnect = std::move(policy);
        co_return co_await open_connection(server.endpoint(), options);
    }

    ClientConnected handler() {
        return [this](Channel channel) -> asio::awaitable<void> {
            try {
                for (;;) {
                    auto request = co_await channel.recv();
                    received.push_back(request.content());
                    arrived.cancel();
                    if (request.content() == Json("hang")) continue;  // keep it unanswered
                    co_await request.reply(request.content());
                }
            } catch (const ConnectionError&) {
                // The client or the server closed the connection.
            }
        };
    }
};

asio::awaitable<void> hang(Channel channel, bool& failed_with_connection_error) {
    try {
        Json content("hang");
        co_await channel.send(std::move(content));
    } catch (const ConnectionError&) {
        failed_with_connection_error = true;
    }
}

asio::awaitable<void> server_restart(asio::io_context& io, StateLog& log) {
    RecordingServer first(io.get_executor());
    auto channel = co_await first.start_and_connect(log.policy());
    const auto address = first.server.endpoint();
    Json ping1("ping 1");
    const auto before = co_await channel.send(ping1);
    CHECK(before == Json("ping 1"));

    bool in_flight_failed = false;
    asio::co_spawn(io, hang(channel, in_flight_failed), asio::detached);
    co_await first.wait_received(2);  // the "hang" request is at the server, unanswered
    first.server.close();
    co_await log.wait_for(ChannelState::disconnected);
    CHECK(in_flight_failed);
    CHECK(channel.is_open());  // still usable: it reconnects

    // While the server is down, a call fails with the error of the next attempt.
    try {
        Json down("while down");
        co_await channel.send(std::move(down));
        FAIL("a call while the server is down must fail");
    } catch (const ConnectionError& e) {
        CHECK_THAT(e.what(), Catch::Contains("refused"));
    }

    RecordingServer second(io.get_executor());
    second.server = co_await start_server(address, second.handler());
    const auto mark = log.events.size();
    co_await log.wait_for(ChannelState::connected, mark);
    Json ping2("ping 2");
    const auto after = co_await channel.send(ping2);
    CHECK(after == Json("ping 2"));
    // Neither the call in flight nor the one made while down reached the new server.
    CHECK(second.received == std::vector<Json>{Json("ping 2")});
    channel.close();
    CHECK_FALSE(channel.is_open());
    second.server.close();
}

}  // namespace

TEST_CASE("A reconnecting channel fails the call in flight when its server goes away and carries later calls "
          "over a new connection once it is back",
          "[channel][integration]") {
    asio::io_context io;
    StateLog log(io.get_executor());
    test::run(io, server_restart(io, log));
    REQUIRE_FALSE(log.events.empty());
    CHECK(log.events.front().state == ChannelState::disconnected);
    CHECK(log.events.back().state == ChannelState::closed);
    CHECK(log.events.back().reason == "closed locally");
}

namespace {

asio::awaitable<void> give_up(asio::io_context& io, StateLog& log) {
    RecordingServer only(io.get_executor());
    auto policy = log.policy();
    policy.max_attempts = 2;
    auto channel = co_await only.start_and_connect(policy);
    only.server.close();
    co_await log.wait_for(ChannelState::closed);
    CHECK_FALSE(channel.is_open());
    Json content("too late");
    try {
        co_await channel.send(std::move(content));
        FAIL("a channel that gave up must refuse calls");
    } catch (const ConnectionError& e) {
        CHECK_THAT(e.what(), Catch::Contains("gave up after 2 attempts"));
    }
    try {
        co_await channel.recv();
        FAIL("a channel that gave up must end recv()");
    } catch (const ConnectionError& e) {
        CHECK(e.code() == make_error_code(errc::closed));
    }
}

}  // namespace

TEST_CASE("A reconnecting channel gives up after max_attempts, closes and says why", "[channel]") {
    asio::io_context io;
    StateLog log(io.get_executor());
    test::run(io, give_up(io, log));
    std::vector<ChannelState> states;
    for (const auto& e : log.events) states.push_back(e.state);
    CHECK(states == std::vector<ChannelState>{ChannelState::disconnected, ChannelState::reconnecting,
                                              ChannelState::reconnecting, ChannelState::closed});
    CHECK(log.events[1].attempt == 1);
    CHECK(log.events[2].attempt == 2);
}

TEST_CASE("A reconnect policy that cannot work is a ConfigError", "[channel]") {
    asio::io_context io;
    ConnectOptions options;
    options.reconnect = ReconnectPolicy();
    options.reconnect->jitter = 2.0;
    const auto any_port = Endpoint::tcp("127.0.0.1", 1);
    CHECK_THROWS_AS(test::run(io, open_connection(any_port, options)), ConfigError);
}

namespace {

asio::awaitable<void> drop_handle(asio::io_context& io, StateLog& log) {
    RecordingServer only(io.get_executor());
    auto channel = co_await only.start_and_connect(log.policy());
    channel = Channel();  // the last handle: the connection must close, and no reconnecting start
    co_await log.wait_for(ChannelState::closed);
    only.server.close();
}

}  // namespace

TEST_CASE("Assigning over the last handle of a reconnecting channel closes it for good", "[channel]") {
    asio::io_context io;
    StateLog log(io.get_executor());
    test::run(io, drop_handle(io, log));
    REQUIRE(log.events.size() == 1);
    CHECK(log.events[0].reason == "closed locally");
}

namespace {

// A listener on `port` whose accept queue is full: connecting to it hangs (the SYN is dropped)
// instead of failing, as with a host that does not answer.
struct StuckListener {
    StuckListener(asio::io_context& io, std::uint16_t port) : acceptor(io) {
        const asio::ip::tcp::endpoint where(asio::ip::make_address("127.0.0.1"), port);
        acceptor.open(where.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(where);
        acceptor.listen(0);
        // Fill the queue; these connections are never accepted.
        for (int i = 0; i < 2; ++i) {
            auto& socket = fillers.emplace_back(io);
            socket.open(where.protocol());
            socket.non_blocking(true);
            // The system call itself: asio's connect would wait for it to finish, which for the
            // second one is never. In progress or done, either way it takes a slot.
            ::connect(socket.native_handle(), where.data(), static_cast<socklen_t>(where.size()));
        }
    }
    asio::ip::tcp::acceptor acceptor;
    std::vector<asio::ip::tcp::socket> fillers;
};

asio::awaitable<void> hung_attempts(asio::io_context& io, StateLog& log) {
    RecordingServer only(io.get_executor());
    auto policy = log.policy();
    policy.max_attempts = 2;
    policy.connect_timeout = 100ms;
    auto channel = co_await only.start_and_connect(policy);
    const auto address = only.server.endpoint();
    only.server.close();
    StuckListener stuck(io, address.port);
    co_await log.wait_for(ChannelState::closed);
    CHECK_THAT(log.events.back().reason, Catch::Contains("gave up after 2 attempts") && Catch::Contains("timed out"));
}

}  // namespace

TEST_CASE("A reconnect attempt that hangs is abandoned after connect_timeout", "[channel]") {
    asio::io_context io;
    StateLog log(io.get_executor());
    test::run(io, hung_attempts(io, log));
}
