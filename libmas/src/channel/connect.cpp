// open_connection: TCP, Unix, TLS and local connections, with retries until a deadline.

#include <cerrno>
#include <chrono>

#include <asio/ssl/host_name_verification.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <fmt/format.h>

#include "channel/channel_impl.hpp"
#include "channel/channel_log.hpp"
#include "channel/connect.hpp"
#include "channel/local_queue.hpp"
#include "channel/redialer.hpp"
#include "channel/stream_transport.hpp"

namespace mas::detail {

std::string to_peer_string(const asio::ip::tcp::endpoint& endpoint) {
    const auto address = endpoint.address();
    if (address.is_v6()) return fmt::format("[{}]:{}", address.to_string(), endpoint.port());
    return fmt::format("{}:{}", address.to_string(), endpoint.port());
}

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail_connect(const Endpoint& endpoint, std::error_code ec, std::string_view what = {}) {
    throw ConnectionError(fmt::format("cannot connect to {}: {}{}", endpoint.to_string(), what, ec.message()), ec);
}

asio::awaitable<asio::ip::tcp::socket> connect_tcp(const Endpoint& endpoint) {
    auto executor = co_await asio::this_coro::executor;
    asio::ip::tcp::resolver resolver(executor);
    auto [resolve_error, results] =
        co_await resolver.async_resolve(endpoint.host, std::to_string(endpoint.port), use_tuple);
    if (resolve_error) fail_connect(endpoint, resolve_error, "cannot resolve host: ");
    std::error_code last = asio::error::host_not_found;
    for (const auto& entry : results) {
        asio::ip::tcp::socket socket(executor);
        auto [ec] = co_await socket.async_connect(entry.endpoint(), use_tuple);
        if (!ec) {
            // Request-reply traffic is latency bound; Nagle would add up to 40 ms per round trip.
            socket.set_option(asio::ip::tcp::no_delay(true));
            co_return socket;
        }
        last = ec;
    }
    fail_connect(endpoint, last);
}

asio::awaitable<TransportPtr> connect_tls(const Endpoint& endpoint, const ConnectOptions& options) {
    auto socket = co_await connect_tcp(endpoint);
    const auto peer = to_peer_string(socket.remote_endpoint());
    TlsStream stream(std::move(socket), *options.ssl);
    const auto& name = options.tls_server_name.empty() ? endpoint.host : options.tls_server_name;
    // SNI is only defined for host names, not for address literals.
    std::error_code not_an_address;
    asio::ip::make_address(name, not_an_address);
    if (not_an_address) SSL_set_tlsext_host_name(stream.native_handle(), name.c_str());
    stream.set_verify_mode(asio::ssl::verify_peer);
    stream.set_verify_callback(asio::ssl::host_name_verification(name));
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (ec) fail_connect(endpoint, ec, "TLS handshake failed: ");
    co_return std::make_unique<StreamTransport<TlsStream>>(std::move(stream), peer, options.ssl);
}

}  // namespace

asio::awaitable<TransportPtr> connect_transport(const Endpoint& endpoint, const ConnectOptions& options) {
    auto executor = co_await asio::this_coro::executor;
    switch (endpoint.kind) {
    case Endpoint::Kind::tcp: {
        if (options.ssl) co_return co_await connect_tls(endpoint, options);
        auto socket = co_await connect_tcp(endpoint);
        auto peer = to_peer_string(socket.remote_endpoint());
        co_return std::make_unique<StreamTransport<TcpStream>>(std::move(socket), std::move(peer));
    }
    case Endpoint::Kind::unix_socket: {
        if (options.ssl) throw ConfigError("TLS is only supported over TCP, not on " + endpoint.to_string());
        UnixStream socket(executor);
        auto [ec] = co_await socket.async_connect(asio::local::stream_protocol::endpoint(endpoint.path), use_tuple);
        if (ec) fail_connect(endpoint, ec);
        co_return std::make_unique<StreamTransport<UnixStream>>(std::move(socket), endpoint.to_string());
    }
    case Endpoint::Kind::local:
        if (options.ssl) throw ConfigError("TLS is only supported over TCP, not on " + endpoint.to_string());
        co_return co_await local_connect(endpoint.path);
    }
    throw ConfigError("unknown endpoint kind");
}

void validate(const ReconnectPolicy& policy) {
    using Duration = std::chrono::steady_clock::duration;
    if (policy.initial_delay < Duration::zero() || policy.max_delay < policy.initial_delay) {
        throw ConfigError("reconnect policy: need 0 <= initial_delay <= max_delay");
    }
    if (!(policy.jitter >= 0.0 && policy.jitter <= 1.0)) throw ConfigError("reconnect policy: jitter must be in [0, 1]");
    if (policy.connect_timeout <= Duration::zero()) throw ConfigError("reconnect policy: connect_timeout must be positive");
}

bool worth_retrying(const ConnectionError& e) {
    const auto ec = e.code();
    return ec == asio::error::connection_refused || ec == asio::error::host_not_found ||
           ec == asio::error::host_not_found_try_again || ec == asio::error::not_found ||
           // asio's system category does not map to std::errc, so compare the raw value.
           ec == std::error_code(ENOENT, asio::error::get_system_category()) ||
           ec == asio::error::network_unreachable ||
           ec == asio::error::timed_out || ec == asio::error::connection_reset;
}

}  // namespace mas::detail

namespace mas {

asio::awaitable<Channel> open_connection(Endpoint endpoint, ConnectOptions options) {
    using namespace detail;
    constexpr auto retry_interval = std::chrono::milliseconds(100);
    if (options.reconnect) validate(*options.reconnect);
    // A timeout too long to add to the clock (retry_forever among them) has no deadline.
    const auto start = Clock::now();
    const bool retry = options.timeout.has_value();
    const bool forever = retry && *options.timeout > Clock::time_point::max() - start;
    const auto deadline = retry && !forever ? start + *options.timeout : Clock::time_point::max();
    auto executor = co_await asio::this_coro::executor;
    TransportPtr transport;
    for (;;) {
        try {
            transport = co_await connect_transport(endpoint, options);
            break;
        } catch (const ConnectionError& e) {
            if (!retry || Clock::now() >= deadline || !worth_retrying(e)) throw;
            channel_log().debug("{}; retrying", e.what());
        }
        asio::steady_timer timer(executor, std::min<Clock::duration>(retry_interval, deadline - Clock::now()));
        co_await timer.async_wait(asio::use_awaitable);
    }
    auto impl = std::make_shared<ChannelImpl>(std::move(transport), options);
    impl->start();
    if (!options.reconnect) co_return Channel(std::move(impl));
    auto redialer = std::make_shared<Redialer>(std::move(impl), std::move(endpoint), std::move(options));
    redialer->start();
    co_return Channel(std::move(redialer));
}

}  // namespace mas
