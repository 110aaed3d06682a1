// rpc-math: the RPC examples of the aiomas guide in C++.
//
// The server exposes a MathServer: `add(a, b)`, a nested service `addition/add`, a name-to-function
// map `subtraction/sub`, `ping(callback, value)`, which calls `pong` back on a service the client
// passed, and `boom()`, which raises. The client calls each of them and prints what it got. The
// wire format is aiomas', so either side can be a Python aiomas peer:
//
//   rpc-math server 127.0.0.1:5555     # serves until Ctrl-C / SIGTERM
//   rpc-math client 127.0.0.1:5555     # retries for up to 10 s until the server is up
//   rpc-math demo                      # both in one process, on a free port

#include <stdexcept>

#include <spdlog/spdlog.h>

#include "example_app.hpp"
#include "mas/rpc/connection.hpp"
#include "mas/rpc/remote_error.hpp"

namespace {

using mas::example::say;
using mas::example::show;
namespace rpc = mas::rpc;

// Named as Python names it, so a Python client reads "ZeroDivisionError: boom!".
struct ZeroDivisionError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Python's `a + b` for numbers: integers stay integers.
mas::Json add_numbers(std::string_view path, const mas::Json& a, const mas::Json& b) {
    say("server: {}({}, {})", path, show(a), show(b));
    if (a.is_integer() && b.is_integer()) return a.get<std::int64_t>() + b.get<std::int64_t>();
    return a.get<double>() + b.get<double>();
}

class Addition : public rpc::Service {
public:
    Addition() { expose("add", &Addition::add, {"a", "b"}); }
    mas::Json add(const mas::Json& a, const mas::Json& b) { return add_numbers("addition/add", a, b); }
};

class MathServer : public rpc::Service {
public:
    MathServer() {
        expose("add", &MathServer::add, {"a", "b"});
        expose("ping", &MathServer::ping, {"callback", "value"});
        expose("boom", &MathServer::boom);
        add_service("addition", addition_);
        // A plain Service used as a name-to-function map.
        subtraction_.expose("sub", [](std::int64_t a, std::int64_t b) { return a - b; }, {"a", "b"});
        add_service("subtraction", subtraction_);
    }

    mas::Json add(const mas::Json& a, const mas::Json& b) { return add_numbers("add", a, b); }

    asio::awaitable<mas::Json> ping(rpc::Proxy callback, std::int64_t value) {
        say("server: ping({}), calling pong back", value);
        co_return co_await callback["pong"](value);
    }

    int boom() { throw ZeroDivisionError("boom!"); }

private:
    Addition addition_;
    rpc::Service subtraction_;
};

// The client's own service, which the server calls back.
class Client : public rpc::Service {
public:
    Client() { expose("pong", &Client::pong, {"value"}); }
    std::int64_t pong(std::int64_t value) {
        say("client: pong({})", value);
        return value + 1;
    }
};

asio::awaitable<mas::example::Serving> serve(mas::Endpoint endpoint) {
    auto math = std::make_shared<MathServer>();
    mas::ServerOptions options;
    options.codec = mas::example::codec();  // --codec
    auto server = co_await rpc::start_server(std::move(endpoint), *math, {}, std::move(options));
    mas::example::Serving serving;
    serving.address = server.endpoint().to_string();
    serving.keep_alive = std::make_shared<std::pair<mas::Server, std::shared_ptr<MathServer>>>(server, math);
    co_return serving;
}

// Not a coroutine: the options only need to live until open_connection has taken them.
asio::awaitable<rpc::Connection> connect(mas::Endpoint endpoint, Client& client,
                                         std::chrono::steady_clock::duration timeout) {
    mas::ConnectOptions options;
    options.timeout = timeout;
    options.codec = mas::example::codec();
    return rpc::open_connection(std::move(endpoint), client, std::move(options));
}

asio::awaitable<void> talk(mas::Endpoint endpoint, std::chrono::steady_clock::duration timeout) {
    Client client;
    auto opening = connect(std::move(endpoint), client, timeout);
    auto connection = co_await std::move(opening);
    auto remote = connection.remote();
    say("client: add(3, 4) = {}", show(co_await remote["add"](3, 4)));
    say("client: add(1, b=2.5) = {}", show(co_await remote["add"](1, rpc::kw("b", 2.5))));
    say("client: addition/add(3, 4) = {}", show(co_await remote["addition"]["add"](3, 4)));
    say("client: subtraction/sub(4, 3) = {}", show(co_await remote["subtraction"]["sub"](4, 3)));
    say("client: ping(client, 41) = {}", show(co_await remote["ping"](client, 41)));
    try {
        co_await remote["boom"]();
        say("client: boom() returned");
    } catch (const rpc::RemoteError& e) {
        say("client: boom() failed remotely: {}", e.summary());
    }
    connection.close();
}

}  // namespace

int main(int argc, char** argv) {
    mas::example::AppRoles roles;
    roles.name = "rpc-math";
    roles.description = "The aiomas guide's RPC examples: a MathServer with nested services, a call back and a "
                        "remote exception.";
    roles.serve = serve;
    roles.talk = talk;
    return mas::example::run_example(roles, argc, argv);
}
