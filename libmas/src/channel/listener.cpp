#include "channel/listener.hpp"

#include <algorithm>
#include <filesystem>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <fmt/format.h>

#include "channel/channel_log.hpp"
#include "channel/stream_transport.hpp"
#include "mas/core/error.hpp"
#include "mas/core/with_timeout.hpp"

namespace mas::detail {
namespace {

[[noreturn]] void fail_listen(const Endpoint& endpoint, std::error_code ec) {
    throw ConnectionError(fmt::format("cannot listen on {}: {}", endpoint.to_string(), ec.message()), ec);
}

}  // namespace

Listener::Listener(asio::any_io_executor executor, Endpoint endpoint, ListenOptions options, OnAccept on_accept)
    : executor_(std::move(executor)),
      endpoint_(std::move(endpoint)),
      options_(std::move(options)),
      on_accept_(std::move(on_accept)) {}

asio::awaitable<void> Listener::listen() {
    if (options_.ssl && endpoint_.kind != Endpoint::Kind::tcp) {
        throw ConfigError("TLS is only supported over TCP, not on " + endpoint_.to_string());
    }
    switch (endpoint_.kind) {
    case Endpoint::Kind::tcp: co_await listen_tcp(); break;
    case Endpoint::Kind::unix_socket: listen_unix(); break;
    case Endpoint::Kind::local: local_.emplace(executor_, endpoint_.path); break;
    }
    auto on_exit = [owner = options_.owner](std::exception_ptr error) {
        if (!error) return;
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            channel_log().error("{} stopped accepting: {}", owner, e.what());
        }
    };
    asio::co_spawn(executor_, accept_loop(), on_exit);
    channel_log().debug("{}: listening on {}", options_.owner, endpoint_.to_string());
}

void Listener::close() noexcept {
    if (!accepting_) return;
    accepting_ = false;
    std::error_code ignored;
    if (tcp_) tcp_->close(ignored);
    if (unix_) {
        unix_->close(ignored);
        std::filesystem::remove(endpoint_.path, ignored);
    }
    if (local_) local_->close();
    if (retry_timer_) retry_timer_->cancel();
    // A client still in its TLS handshake has no transport yet; closing its socket ends it.
    for (auto* socket : handshaking_) socket->close(ignored);
}

asio::awaitable<void> Listener::listen_tcp() {
    asio::ip::tcp::resolver resolver(executor_);
    auto [resolve_error, results] =
        co_await resolver.async_resolve(endpoint_.host, std::to_string(endpoint_.port), use_tuple);
    if (resolve_error || results.empty()) fail_listen(endpoint_, resolve_error);
    const auto address = results.begin()->endpoint();
    std::error_code ec;
    tcp_.emplace(executor_);
    tcp_->open(address.protocol(), ec);
    if (!ec) tcp_->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) tcp_->bind(address, ec);
    if (!ec) tcp_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) fail_listen(endpoint_, ec);
    endpoint_.port = tcp_->local_endpoint().port();
}

void Listener::listen_unix() {
    namespace fs = std::filesystem;
    std::error_code ec;
    // A socket file left by a dead server would make bind fail; replace it, as asyncio does.
    if (fs::is_socket(fs::symlink_status(endpoint_.path, ec))) fs::remove(endpoint_.path, ec);
    unix_.emplace(executor_);
    const asio::local::stream_protocol::endpoint address(endpoint_.path);
    unix_->open(address.protocol(), ec);
    if (!ec) unix_->bind(address, ec);
    if (!ec) unix_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) fail_listen(endpoint_, ec);
}

asio::awaitable<void> Listener::accept_loop() {
    auto self = shared_from_this();
    while (accepting_) {
        std::error_code ec;
        TransportPtr transport;
        if (tcp_) {
            auto [error, socket] = co_await tcp_->async_accept(use_tuple);
            ec = error;
            if (!ec) transport = co_await accepted_tcp(std::move(socket));
        } else if (unix_) {
            auto [error, socket] = co_await unix_->async_accept(use_tuple);
            ec = error;
            if (!ec) transport = std::make_unique<StreamTransport<UnixStream>>(std::move(socket), endpoint_.to_string());
        } else {
            transport = co_await local_->accept(ec);
        }
        if (!accepting_) break;
        if (ec) {
            co_await after_accept_failure(ec);
            continue;
        }
        if (accept_failures_ > 0) {
            channel_log().warn("{} {}: accepting again after {} failed attempts", options_.owner,
                               endpoint_.to_string(), accept_failures_);
            accept_failures_ = 0;
        }
        if (transport) hand_out(std::move(transport));
    }
}

// Out of file descriptors (or memory), accept fails at once, again and again, until some
// connection closes: retrying at once spins a core and floods the log. So the next attempt waits,
// 1 ms doubling up to 1 s while the failures go on, and only the first failure of a run is logged
// as a warning. A one-off failure (a client that gave up before it was accepted) costs 1 ms.
asio::awaitable<void> Listener::after_accept_failure(std::error_code ec) {
    ++accept_failures_;
    if (accept_failures_ == 1) {
        channel_log().warn("{} {}: accept failed: {}; retrying with a growing pause (up to 1 s) until it works",
                           options_.owner, endpoint_.to_string(), ec.message());
    } else {
        channel_log().debug("{} {}: accept failed again ({} in a row): {}", options_.owner, endpoint_.to_string(),
                            accept_failures_, ec.message());
    }
    const auto doublings = std::min(accept_failures_ - 1, 10U);
    const auto pause = std::min<std::chrono::milliseconds>(std::chrono::milliseconds(1LL << doublings),
                                                           std::chrono::seconds(1));
    asio::steady_timer timer(executor_, pause);
    struct Unlist {
        asio::steady_timer*& timer;
        ~Unlist() { timer = nullptr; }
    } unlist{retry_timer_};
    retry_timer_ = &timer;
    co_await timer.async_wait(use_tuple);
}

// Returns null when the TLS handshake goes on in its own coroutine.
asio::awaitable<TransportPtr> Listener::accepted_tcp(asio::ip::tcp::socket socket) {
    std::error_code ignored;
    socket.set_option(asio::ip::tcp::no_delay(true), ignored);
    auto peer = to_peer_string(socket.remote_endpoint(ignored));
    if (!options_.ssl) co_return std::make_unique<StreamTransport<TcpStream>>(std::move(socket), std::move(peer));
    asio::co_spawn(executor_, handshake(std::move(socket), std::move(peer)), asio::detached);
    co_return nullptr;
}

asio::awaitable<void> Listener::handshake(asio::ip::tcp::socket socket, std::string peer) {
    auto self = shared_from_this();
    TlsStream stream(std::move(socket), *options_.ssl);
    struct Unlist {
        std::vector<asio::ip::tcp::socket*>& list;
        asio::ip::tcp::socket* socket;
        ~Unlist() { std::erase(list, socket); }
    } unlist{handshaking_, &stream.next_layer()};
    handshaking_.push_back(unlist.socket);
    try {
        auto [ec] = co_await with_timeout(stream.async_handshake(asio::ssl::stream_base::server, use_tuple),
                                          options_.tls_handshake_timeout, "TLS handshake");
        if (ec) {
            // After close() the handshake fails because close() closed the socket.
            if (accepting_) {
                channel_log().warn("{} {}: TLS handshake with {} failed: {}", options_.owner, endpoint_.to_string(),
                                   peer, ec.message());
            }
            co_return;
        }
    } catch (const Timeout& e) {
        channel_log().warn("{} {}: {} with {}", options_.owner, endpoint_.to_string(), e.what(), peer);
        co_return;
    }
    if (!accepting_) co_return;
    hand_out(std::make_unique<StreamTransport<TlsStream>>(std::move(stream), std::move(peer), options_.ssl));
}

void Listener::hand_out(TransportPtr transport) {
    // A copy: the callback may close this listener, which must not destroy the running function.
    auto on_accept = on_accept_;
    on_accept(std::move(transport));
}

}  // namespace mas::detail
