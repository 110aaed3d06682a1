#include "soak_servers.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <memory>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <spdlog/spdlog.h>

#include "mas/agent/agent.hpp"
#include "mas/agent/container.hpp"
#include "mas/core/block_on.hpp"
#include "mas/rpc/connection.hpp"
#include "mas/rpc/service.hpp"

namespace mas::soak {

std::int64_t expected_sum(std::int64_t a, std::int64_t b) { return a + b; }
std::string expected_echo(const std::string& text) { return text; }

namespace {

using asio::ip::tcp;

void say_ready(std::uint16_t port) {
    // The driver waits for this line: the server takes connections from here on.
    std::printf("ready %u\n", static_cast<unsigned>(port));
    std::fflush(stdout);
}

// A reply that comes a little later: calls are in flight, not only queued, when a kill comes.
asio::awaitable<std::string> later(std::string text, std::int64_t ms) {
    asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
    co_await timer.async_wait(asio::use_awaitable);
    co_return expected_echo(text);
}

class SoakService : public rpc::Service {
public:
    SoakService() {
        expose("add", [](std::int64_t a, std::int64_t b) { return expected_sum(a, b); }, {"a", "b"});
        expose("echo", [](const std::string& text) { return expected_echo(text); }, {"text"});
        expose("later_echo", &later, {"text", "ms"});
    }
};

class SoakAgent : public agent::Agent {
public:
    explicit SoakAgent(agent::Container& container) : Agent(container) {
        expose("add", [](std::int64_t a, std::int64_t b) { return expected_sum(a, b); }, {"a", "b"});
        expose("echo", [](const std::string& text) { return expected_echo(text); }, {"text"});
        expose("later_echo", &later, {"text", "ms"});
    }
};

asio::awaitable<void> serve_forever() {
    asio::steady_timer forever(co_await asio::this_coro::executor, asio::steady_timer::duration::max());
    co_await forever.async_wait(asio::use_awaitable);
}

asio::awaitable<void> rpc_server(std::uint16_t port) {
    SoakService service;
    auto endpoint = Endpoint::tcp("127.0.0.1", port);
    rpc::RpcClientConnected no_callback;
    ServerOptions options;
    auto server = co_await rpc::start_server(std::move(endpoint), service, std::move(no_callback), std::move(options));
    say_ready(server.endpoint().port);
    co_await serve_forever();
}

asio::awaitable<void> agent_server(std::uint16_t port) {
    auto address = agent::container_address(Endpoint::tcp("127.0.0.1", port));
    agent::ContainerOptions options;
    auto container = co_await agent::Container::create(std::move(address), std::move(options));
    container->spawn<SoakAgent>();
    say_ready(agent::container_endpoint(container->addr()).port);
    co_await serve_forever();
}

// One direction of a relayed connection; closing both sockets ends the other direction too.
asio::awaitable<void> pump(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
    std::array<char, 16384> buffer{};
    asio::error_code ec;
    for (;;) {
        const auto n = co_await from->async_read_some(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
        co_await asio::async_write(*to, asio::buffer(buffer.data(), n), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
    }
    from->close(ec);
    to->close(ec);
}

asio::awaitable<void> relay_one(tcp::socket client, std::uint16_t target) {
    auto executor = co_await asio::this_coro::executor;
    auto in = std::make_shared<tcp::socket>(std::move(client));
    auto out = std::make_shared<tcp::socket>(executor);
    asio::error_code ec;
    const tcp::endpoint to(asio::ip::make_address_v4("127.0.0.1"), target);
    co_await out->async_connect(to, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        spdlog::warn("relay: cannot reach port {}: {}", target, ec.message());
        in->close(ec);
        co_return;
    }
    asio::co_spawn(executor, pump(in, out), asio::detached);
    asio::co_spawn(executor, pump(out, in), asio::detached);
}

asio::awaitable<void> relay(std::uint16_t port, std::uint16_t target) {
    auto executor = co_await asio::this_coro::executor;
    tcp::acceptor acceptor(executor, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port));
    say_ready(acceptor.local_endpoint().port());
    for (;;) {
        auto client = co_await acceptor.async_accept(asio::use_awaitable);
        asio::co_spawn(executor, relay_one(std::move(client), target), asio::detached);
    }
}

int run(asio::awaitable<void> main) {
    asio::io_context io;
    block_on(io, std::move(main));
    return 0;
}

}  // namespace

int run_rpc_server(std::uint16_t port) { return run(rpc_server(port)); }
int run_agent_server(std::uint16_t port) { return run(agent_server(port)); }
int run_relay(std::uint16_t port, std::uint16_t target) { return run(relay(port, target)); }

}  // namespace mas::soak
