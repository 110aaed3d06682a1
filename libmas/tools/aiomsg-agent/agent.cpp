#include "agent.hpp"

#include <chrono>

#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "mas/channel/tls_context.hpp"
#include "mas/core/error.hpp"
#include "mas/core/with_timeout.hpp"
#include "mas/msg/socket.hpp"

namespace mas::aiomsg_agent {
namespace {

constexpr auto flush_limit = std::chrono::seconds(10);

asio::awaitable<void> linger(double seconds) {
    if (seconds <= 0) co_return;
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor, std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                           std::chrono::duration<double>(seconds)));
    co_await timer.async_wait(asio::use_awaitable);
}

std::shared_ptr<asio::ssl::context> tls_context(const AgentConfig& config) {
    if (config.role == "bind") {
        if (config.tls_cert.empty() || config.tls_key.empty()) {
            throw ConfigError("--tls true with --role bind needs --tls-cert and --tls-key");
        }
        return std::make_shared<asio::ssl::context>(make_tls_server_context(config.tls_cert, config.tls_key));
    }
    if (config.tls_ca.empty()) throw ConfigError("--tls true with --role connect needs --tls-ca");
    return std::make_shared<asio::ssl::context>(make_tls_client_context(config.tls_ca));
}

asio::awaitable<void> attach(msg::Socket& socket, const AgentConfig& config) {
    const auto endpoint = Endpoint::tcp(config.host, config.port);
    if (config.role == "bind") {
        msg::BindOptions options;
        if (config.tls) options.ssl = tls_context(config);
        const auto bound = co_await socket.bind(endpoint, options);
        spdlog::info("bound to {}", bound.to_string());
    } else {
        msg::ConnectOptions options;
        if (config.tls) options.ssl = tls_context(config);
        options.tls_server_name = config.tls_server_name;
        socket.connect(endpoint, options);
    }
}

asio::awaitable<void> source(msg::Socket& socket, const AgentConfig& config) {
    for (std::int64_t i = 0; i < config.count; ++i) {
        std::string payload = config.prefix + std::to_string(i);
        co_await socket.send(std::move(payload));
    }
    co_await linger(config.linger_s);
}

asio::awaitable<void> sink(msg::Socket& socket, const AgentConfig& config, std::FILE* out) {
    for (std::int64_t i = 0; i < config.count; ++i) {
        const auto payload = co_await socket.recv();
        std::fwrite(payload.data(), 1, payload.size(), out);
        std::fputc('\n', out);
        std::fflush(out);
    }
}

asio::awaitable<void> echo(msg::Socket& socket, const AgentConfig& config) {
    for (std::int64_t i = 0; i < config.count; ++i) {
        auto message = co_await socket.recv_identity();
        co_await socket.send(std::move(message.payload), message.identity);
    }
    co_await linger(config.linger_s);
}

}  // namespace

asio::awaitable<void> run_agent(AgentConfig config, std::FILE* out) {
    auto executor = co_await asio::this_coro::executor;
    msg::SocketOptions options;
    options.send_mode = config.send_mode;
    options.delivery = config.delivery;
    options.identity = config.identity;
    msg::Socket socket(executor, options);
    co_await attach(socket, config);
    if (config.behavior == "source") {
        co_await source(socket, config);
    } else if (config.behavior == "echo") {
        co_await echo(socket, config);
    } else {
        co_await sink(socket, config, out);
    }
    // Before the process ends: what was queued (echoes, ACKs of a sink) must reach the wire, and a
    // source's at-least-once messages their ACKs; like aiomsg's close(), give up after a while.
    try {
        auto flush = socket.flush();
        co_await with_timeout(std::move(flush), flush_limit, "flushing before exit");
    } catch (const Timeout& e) {
        spdlog::warn("{}; {} messages unsent, {} unacknowledged", e.what(), socket.buffered_messages(),
                     socket.unacknowledged());
    }
    socket.close();
}

}  // namespace mas::aiomsg_agent
