#include "mas/rpc/connection.hpp"

#include <string>
#include <unordered_set>
#include <vector>

#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include "mas/rpc/remote_error.hpp"
#include "rpc/connection_state.hpp"
#include "support/rpc_loopback.hpp"

using namespace mas;
using Catch::Contains;
using Catch::EndsWith;
using test::RpcLoopback;
using test::TransportKind;

namespace {

TransportKind any_transport() {
    return GENERATE(TransportKind::tcp, TransportKind::unix_socket, TransportKind::tls, TransportKind::local);
}

class Addition : public rpc::Service {
public:
    Addition() { expose("add", &Addition::add, {"a", "b"}); }
    int add(int a, int b) { return a + b; }
};

class Subtraction : public rpc::Service {
public:
    Subtraction() { expose("sub", &Subtraction::sub, {"a", "b"}); }
    int sub(int a, int b) { return a - b; }
};

// The aiomas guide's services: functions, a sub-service and a ServiceDict, a coroutine, a
// function that calls back a service the client passed, and one that throws.
class MathServer : public rpc::Service {
public:
    MathServer() {
        expose("add", &MathServer::add, {"a", "b"});
        expose("ping", &MathServer::ping, {"callback", "value"});
        expose("twice", &MathServer::twice, {"x"});
        expose("boom", &MathServer::boom);
        add_service("addition", addition_);
        add_service("subtraction", dict_);
        dict_.add("minus", subtraction_);
    }
    double add(double a, double b) { return a + b; }
    asio::awaitable<int> ping(rpc::Proxy callback, int value) { co_return co_await callback["pong"].call<int>(value); }
    asio::awaitable<int> twice(int x) { co_return 2 * x; }
    int boom() { throw std::runtime_error("boom!"); }
    int not_exposed() { return 0; }

private:
    Addition addition_;
    Subtraction subtraction_;
    rpc::ServiceDict dict_;
};

class Pong : public rpc::Service {
public:
    explicit Pong(int delta) : delta_(delta) { expose("pong", &Pong::pong, {"x"}); }
    int pong(int x) { return x + delta_; }

private:
    int delta_;
};

class Client : public rpc::Service {
public:
    Client() : pong_(1), sub_(-1) {
        expose("pong", &Client::pong, {"x"});
        add_service("sub", sub_);
    }
    int pong(int x) { return pong_.pong(x); }
    Pong pong_;
    Pong sub_;
};

// Completes when `connection` has ended (at once if it already has). Through the library's own
// callbacks, so that the user's one stays the test's.
asio::awaitable<void> wait_reset(rpc::Connection connection) {
    using Signal = asio::experimental::channel<void(std::error_code, bool)>;
    auto signal = std::make_shared<Signal>(connection.channel().executor(), 1);
    connection.remote().connection()->add_reset_callback(
        [signal](std::exception_ptr) { signal->try_send(std::error_code(), true); });
    co_await signal->async_receive(asio::use_awaitable);
}

std::string remote_failure(asio::io_context& io, asio::awaitable<Json> op) {
    try {
        test::run(io, std::move(op));
    } catch (const rpc::RemoteError& e) {
        return e.remote_traceback();
    }
    return "no failure";
}

}  // namespace

TEST_CASE("RPC calls reach exposed functions and nested services over every transport", "[rpc]") {
    const auto kind = any_transport();
    CAPTURE(test::to_string(kind));
    MathServer math;
    RpcLoopback loop(kind, math.router());
    auto connection = test::run(loop.io, loop.connect());
    auto remote = connection.remote();
    CHECK(test::run(loop.io, remote["add"](1, 2)) == Json(3.0));
    CHECK(test::run(loop.io, remote["add"](1, rpc::kw("b", 2.5))) == Json(3.5));
    CHECK(test::run(loop.io, remote["addition"]["add"].call<int>(3, 4)) == 7);
    CHECK(test::run(loop.io, remote["subtraction"]["minus"]["sub"].call<int>(4, 3)) == 1);
    CHECK(test::run(loop.io, remote["twice"].call<int>(21)) == 42);
}

TEST_CASE("Proxies compare and hash by peer address and path, as aiomas' proxies do", "[rpc]") {
    MathServer math;
    RpcLoopback loop(TransportKind::tcp, math.router());
    RpcLoopback other(TransportKind::tcp, math.router());
    auto first = test::run(loop.io, loop.connect());
    auto second = test::run(loop.io, loop.connect());
    auto elsewhere = test::run(other.io, other.connect());
    const auto addition = first.remote()["addition"];
    CHECK(addition.peer() == "127.0.0.1:" + std::to_string(loop.server->endpoint().port));
    CHECK(addition == first.remote()["addition"]);
    // Another connection to the same server: the same address.
    CHECK(addition == second.remote()["addition"]);
    CHECK_FALSE(addition == first.remote()["subtraction"]);
    CHECK_FALSE(addition == first.remote());
    CHECK_FALSE(addition == elsewhere.remote()["addition"]);
    const std::unordered_set<rpc::Proxy> proxies{addition, second.remote()["addition"], first.remote()["subtraction"],
                                                 elsewhere.remote()["addition"]};
    CHECK(proxies.size() == 3);
    CHECK(proxies.contains(first.remote()["subtraction"]));
}

TEST_CASE("A service passed as an argument is called back over the same connection", "[rpc]") {
    const auto kind = any_transport();
    CAPTURE(test::to_string(kind));
    MathServer math;
    Client client;
    RpcLoopback loop(kind, math.router());
    auto connection = test::run(loop.io, loop.connect(&client.router()));
    auto remote = connection.remote();
    CHECK(test::run(loop.io, remote["ping"].call<int>(client, 41)) == 42);
    CHECK(test::run(loop.io, remote["ping"].call<int>(client.sub_, 4)) == 3);
}

TEST_CASE("The server can call the client through the accepted connection's remote proxy", "[rpc]") {
    MathServer math;
    Client client;
    RpcLoopback loop(TransportKind::tcp, math.router());
    auto connection = test::run(loop.io, loop.connect(&client.router()));
    auto accepted = test::run(loop.io, loop.next_accepted());
    CHECK(test::run(loop.io, accepted.remote()["sub"]["pong"].call<int>(10)) == 9);
}

TEST_CASE("An exception in a remote function arrives as RemoteError with its type, message and path", "[rpc]") {
    MathServer math;
    RpcLoopback loop(TransportKind::tcp, math.router());
    auto connection = test::run(loop.io, loop.connect());
    auto remote = connection.remote();
    try {
        test::run(loop.io, remote["boom"]());
        FAIL("no exception");
    } catch (const rpc::RemoteError& e) {
        CHECK(e.summary() == "std::runtime_error: boom!");
        CHECK(e.path() == "boom");
        CHECK_THAT(e.remote_traceback(), Contains("Traceback (most recent call last):"));
        CHECK_THAT(std::string(e.what()), Contains("Origin: "));
    }
    // The connection keeps serving after a failure.
    CHECK(test::run(loop.io, remote["add"](1, 1)) == Json(2.0));
}

TEST_CASE("Unknown paths, unexposed members and bad arguments get aiomas' failure texts", "[rpc]") {
    MathServer math;
    RpcLoopback loop(TransportKind::tcp, math.router());
    auto connection = test::run(loop.io, loop.connect());
    auto remote = connection.remote();
    CHECK_THAT(remote_failure(loop.io, remote["not_exposed"]()),
               EndsWith("\nLookupError: Name \"not_exposed\" not found in \"\"\n"));
    CHECK_THAT(remote_failure(loop.io, remote["does_not_exist"]()),
               EndsWith("\nLookupError: Name \"does_not_exist\" not found in \"\"\n"));
    CHECK_THAT(remote_failure(loop.io, remote["add"]["sub"](1)), EndsWith("\nLookupError: Name \"sub\" not found in \"add\"\n"));
    CHECK_THAT(remote_failure(loop.io, remote["addition"]["mul"](1)),
               EndsWith("\nLookupError: Name \"mul\" not found in \"addition\"\n"));
    CHECK_THAT(remote_failure(loop.io, remote["add"](1)),
               EndsWith("\nTypeError: MathServer.add() missing 1 required positional argument: 'b'\n"));
    CHECK_THAT(remote_failure(loop.io, remote["add"](1, 2, 3)),
               EndsWith("\nTypeError: MathServer.add() takes 2 positional arguments but 3 were given\n"));
    CHECK_THAT(remote_failure(loop.io, remote["add"](1, rpc::kw("c", 2))),
               EndsWith("\nTypeError: MathServer.add() got an unexpected keyword argument 'c'\n"));
    CHECK_THAT(remote_failure(loop.io, remote["add"](1, "two")), Contains("TypeError: MathServer.add() argument 'b'"));
    CHECK(test::run(loop.io, remote["add"](1, 1)) == Json(2.0));
}

TEST_CASE("A request that is not [path, args, kwargs] gets a ValueError failure", "[rpc]") {
    MathServer math;
    RpcLoopback loop(TransportKind::tcp, math.router());
    auto connection = test::run(loop.io, loop.connect());
    auto channel = connection.channel();
    auto op = [&]() -> asio::awaitable<Json> {
        Json content = Json::array({"add", 1, 2});
        co_return co_await channel.send(content);
    };
    try {
        test::run(loop.io, op());
        FAIL("no failure");
    } catch (const RemoteError& e) {
        CHECK_THAT(e.summary(), Contains("ValueError: an RPC request must be [path, args, kwargs]"));
    }
}

TEST_CASE("A service outside the connection's own tree cannot be sent", "[rpc]") {
    MathServer math;
    Client client;
    Pong stranger(0);
    RpcLoopback loop(TransportKind::tcp, math.router());
    auto with_service = test::run(loop.io, loop.connect(&client.router()));
    auto without_service = test::run(loop.io, loop.connect());
    CHECK_THROWS_AS(with_service.remote()["ping"](stranger, 1), CodecError);
    CHECK_THROWS_AS(without_service.remote()["ping"](client, 1), CodecError);
}

TEST_CASE("Pending calls fail and the reset callback runs when the peer closes the connection", "[rpc]") {
    const auto kind = any_transport();
    CAPTURE(test::to_string(kind));
    MathServer math;
    Client client;
    RpcLoopback loop(kind, math.router());
    auto connection = test::run(loop.io, loop.connect(&client.router()));
    auto accepted = test::run(loop.io, loop.next_accepted());
    int resets = 0;
    std::exception_ptr reason;
    connection.on_connection_reset([&](std::exception_ptr e) {
        ++resets;
        reason = e;
    });
    auto ended = wait_reset(connection);
    loop.server->close();
    CHECK_THROWS_AS(test::run(loop.io, connection.remote()["add"](1, 2)), ConnectionError);
    test::run(loop.io, std::move(ended));
    CHECK(resets == 1);
    CHECK_THROWS_AS(std::rethrow_exception(reason), ConnectionError);
    CHECK_FALSE(connection.is_open());
    // A callback registered after the end still learns of it.
    test::run(loop.io, wait_reset(connection));
    bool late = false;
    connection.on_connection_reset([&](std::exception_ptr) { late = true; });
    test::run(loop.io, wait_reset(connection));  // posted after the late callback's call
    CHECK(late);
}

TEST_CASE("A connection has one reset callback: a new one replaces it and an empty one removes it, as in aiomas",
          "[rpc]") {
    MathServer math;
    RpcLoopback loop(TransportKind::tcp, math.router());
    auto replaced = test::run(loop.io, loop.connect());
    auto removed = test::run(loop.io, loop.connect());
    std::vector<std::string> calls;
    replaced.on_connection_reset([&](std::exception_ptr) { calls.emplace_back("first"); });
    replaced.on_connection_reset([&](std::exception_ptr) { calls.emplace_back("second"); });
    removed.on_connection_reset([&](std::exception_ptr) { calls.emplace_back("removed"); });
    removed.on_connection_reset({});
    replaced.close();
    removed.close();
    // The library's own callbacks run in the same pass as the user's one.
    test::run(loop.io, wait_reset(replaced));
    test::run(loop.io, wait_reset(removed));
    CHECK(calls == std::vector<std::string>{"second"});
}

TEST_CASE("A callback proxy whose connection is gone fails with ConnectionError", "[rpc]") {
    class Keeper : public rpc::Service {
    public:
        Keeper() { expose("keep", &Keeper::keep, {"callback"}); }
        void keep(rpc::Proxy callback) { kept = std::move(callback); }
        rpc::Proxy kept;
    };
    Keeper keeper;
    Client client;
    RpcLoopback loop(TransportKind::tcp, keeper.router());
    auto connection = test::run(loop.io, loop.connect(&client.router()));
    auto accepted = test::run(loop.io, loop.next_accepted());
    test::run(loop.io, connection.remote()["keep"](client));
    REQUIRE(keeper.kept.is_open());
    auto ended = wait_reset(accepted);
    connection.close();
    test::run(loop.io, std::move(ended));
    CHECK_THROWS_AS(test::run(loop.io, keeper.kept["pong"](1)), ConnectionError);
}

TEST_CASE("Dropping the last handle and proxy closes a client connection", "[rpc]") {
    MathServer math;
    RpcLoopback loop(TransportKind::tcp, math.router());
    auto connection = test::run(loop.io, loop.connect());
    auto accepted = test::run(loop.io, loop.next_accepted());
    auto ended = wait_reset(accepted);
    auto remote = connection.remote();
    connection = rpc::Connection();
    CHECK(test::run(loop.io, remote["add"](2, 2)) == Json(4.0));  // the proxy keeps it open
    CHECK(accepted.is_open());
    remote = rpc::Proxy();
    test::run(loop.io, std::move(ended));
    CHECK_FALSE(accepted.is_open());
}

namespace {

struct RestartingServer {
    Addition service;
    Server server;
};

asio::awaitable<void> rpc_server_restart(asio::io_context& io) {
    asio::steady_timer changed(io, asio::steady_timer::time_point::max());
    int reconnected = 0;
    ConnectOptions options;
    options.reconnect = ReconnectPolicy();
    options.reconnect->initial_delay = std::chrono::milliseconds(5);
    options.reconnect->on_state = [&](const ChannelEvent& event) {
        if (event.state == ChannelState::connected) ++reconnected;
        changed.cancel();
    };
    RestartingServer first;
    const auto any_port = Endpoint::tcp("127.0.0.1", 0);
    first.server = co_await rpc::start_server(any_port, first.service);
    const auto address = first.server.endpoint();
    auto opening = rpc::open_connection(address, nullptr, options);
    auto connection = co_await std::move(opening);
    auto add = connection.remote()["add"];
    const int before = co_await add.call<int>(1, 2);
    CHECK(before == 3);

    first.server.close();
    RestartingServer second;
    second.server = co_await rpc::start_server(address, second.service);
    while (reconnected == 0) {
        changed.expires_at(asio::steady_timer::time_point::max());
        co_await changed.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }
    // The same proxy, over the new connection.
    const int after = co_await add.call<int>(20, 22);
    CHECK(after == 42);
    CHECK(connection.is_open());
    connection.close();
}

}  // namespace

TEST_CASE("An RPC client with a reconnect policy calls its server again after the server restarts", "[rpc]") {
    asio::io_context io;
    test::run(io, rpc_server_restart(io));
}
