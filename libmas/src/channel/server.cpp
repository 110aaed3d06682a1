#include "mas/channel/server.hpp"

#include <filesystem>
#include <optional>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/this_coro.hpp>
#include <fmt/format.h>

#include "channel/channel_impl.hpp"
#include "channel/channel_log.hpp"
#include "channel/local_queue.hpp"
#include "channel/stream_transport.hpp"
#include "mas/core/with_timeout.hpp"

namespace mas::detail {
namespace {

[[noreturn]] void fail_listen(const Endpoint& endpoint, std::error_code ec) {
    throw ConnectionError(fmt::format("cannot listen on {}: {}", endpoint.to_string(), ec.message()), ec);
}

}  // namespace

class ServerImpl : public std::enable_shared_from_this<ServerImpl> {
public:
    ServerImpl(asio::any_io_executor executor, Endpoint endpoint, ClientConnected on_connect, ServerOptions options)
        : executor_(std::move(executor)),
          endpoint_(std::move(endpoint)),
          on_connect_(std::move(on_connect)),
          options_(std::move(options)) {}

    asio::awaitable<void> listen() {
        if (options_.ssl && endpoint_.kind != Endpoint::Kind::tcp) {
            throw ConfigError("TLS is only supported over TCP, not on " + endpoint_.to_string());
        }
        switch (endpoint_.kind) {
        case Endpoint::Kind::tcp: co_await listen_tcp(); break;
        case Endpoint::Kind::unix_socket: listen_unix(); break;
        case Endpoint::Kind::local: local_.emplace(executor_, endpoint_.path); break;
        }
        auto on_exit = [](std::exception_ptr error) {
            if (!error) return;
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                channel_log().error("server stopped accepting: {}", e.what());
            }
        };
        asio::co_spawn(executor_, accept_loop(), on_exit);
        channel_log().debug("listening on {}", endpoint_.to_string());
    }

    void stop_accepting() noexcept {
        if (!accepting_) return;
        accepting_ = false;
        std::error_code ignored;
        if (tcp_) tcp_->close(ignored);
        if (unix_) {
            unix_->close(ignored);
            std::filesystem::remove(endpoint_.path, ignored);
        }
        if (local_) local_->close();
        // A client still in its TLS handshake has no channel yet; closing its socket ends it.
        for (auto* socket : handshaking_) socket->close(ignored);
        // The accepted channels are on their own from now on, as asyncio's after Server.close().
        channels_.clear();
    }

    void close() noexcept {
        if (closed_) return;
        closed_ = true;
        for (auto& weak : channels_) {
            if (auto channel = weak.lock()) channel->close(make_error_code(errc::closed), "server closed");
        }
        stop_accepting();
    }

    [[nodiscard]] const Endpoint& endpoint() const noexcept { return endpoint_; }

    [[nodiscard]] std::size_t connection_count() const noexcept {
        std::size_t n = 0;
        for (const auto& weak : channels_) {
            auto channel = weak.lock();
            n += channel && channel->is_open() ? 1 : 0;
        }
        return n;
    }

private:
    asio::awaitable<void> listen_tcp() {
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

    void listen_unix() {
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

    asio::awaitable<void> accept_loop() {
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
                channel_log().warn("server {}: accept failed: {}", endpoint_.to_string(), ec.message());
                continue;
            }
            if (transport) serve(std::move(transport));
        }
    }

    // Returns null when the TLS handshake goes on in its own coroutine (so a slow client cannot
    // hold up the others).
    asio::awaitable<TransportPtr> accepted_tcp(asio::ip::tcp::socket socket) {
        std::error_code ignored;
        socket.set_option(asio::ip::tcp::no_delay(true), ignored);
        auto peer = to_peer_string(socket.remote_endpoint(ignored));
        if (!options_.ssl) co_return std::make_unique<StreamTransport<TcpStream>>(std::move(socket), std::move(peer));
        asio::co_spawn(executor_, handshake(std::move(socket), std::move(peer)), asio::detached);
        co_return nullptr;
    }

    asio::awaitable<void> handshake(asio::ip::tcp::socket socket, std::string peer) {
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
                    channel_log().warn("server {}: TLS handshake with {} failed: {}", endpoint_.to_string(), peer,
                                  ec.message());
                }
                co_return;
            }
        } catch (const Timeout& e) {
            channel_log().warn("server {}: {} with {}", endpoint_.to_string(), e.what(), peer);
            co_return;
        }
        if (!accepting_) co_return;
        serve(std::make_unique<StreamTransport<TlsStream>>(std::move(stream), std::move(peer), options_.ssl));
    }

    void serve(TransportPtr transport) {
        auto impl = std::make_shared<ChannelImpl>(std::move(transport), options_);
        impl->start();
        std::erase_if(channels_, [](const auto& weak) {
            auto channel = weak.lock();
            return !channel || !channel->is_open();
        });
        channels_.push_back(impl);
        channel_log().debug("server {}: accepted {}", endpoint_.to_string(), impl->peer());
        auto on_exit = [impl](std::exception_ptr error) {
            if (!error) return;
            try {
                std::rethrow_exception(error);
            } catch (const ConnectionError& e) {
                // The peer hung up while the handler waited on it: the usual end of a session.
                channel_log().debug("server: connection handler for {} ended: {}", impl->peer(), e.what());
            } catch (const std::exception& e) {
                channel_log().error("server: connection handler for {} failed: {}", impl->peer(), e.what());
                impl->close(make_error_code(errc::closed), std::string("connection handler failed: ") + e.what());
            }
        };
        // The handler coroutine may outlive this server (a user lambda's captures live in the
        // closure), so each connection runs with its own copy of the callback.
        asio::co_spawn(
            executor_,
            [callback = on_connect_, channel = Channel(impl)]() mutable { return callback(std::move(channel)); },
            on_exit);
    }

    asio::any_io_executor executor_;
    Endpoint endpoint_;
    ClientConnected on_connect_;
    ServerOptions options_;
    std::optional<asio::ip::tcp::acceptor> tcp_;
    std::optional<asio::local::stream_protocol::acceptor> unix_;
    std::optional<LocalListener> local_;
    std::vector<std::weak_ptr<ChannelImpl>> channels_;
    std::vector<asio::ip::tcp::socket*> handshaking_;  // sockets of handshake() coroutines
    bool accepting_ = true;  // false after stop_accepting() or close()
    bool closed_ = false;
};

}  // namespace mas::detail

namespace mas {

Server::Server(std::shared_ptr<detail::ServerImpl> impl)
    : impl_(std::move(impl)), owner_(nullptr, [weak = std::weak_ptr(impl_)](void*) {
          if (auto server = weak.lock()) server->close();
      }) {}

const Endpoint& Server::endpoint() const noexcept { return impl_->endpoint(); }
void Server::close() noexcept { impl_->close(); }
void Server::stop_accepting() noexcept { impl_->stop_accepting(); }
std::size_t Server::connection_count() const noexcept { return impl_->connection_count(); }

asio::awaitable<Server> start_server(Endpoint endpoint, ClientConnected on_connect, ServerOptions options) {
    if (!on_connect) throw ConfigError("start_server needs a client-connected callback");
    auto executor = co_await asio::this_coro::executor;
    auto impl = std::make_shared<detail::ServerImpl>(executor, std::move(endpoint), std::move(on_connect),
                                                     std::move(options));
    co_await impl->listen();
    co_return Server(std::move(impl));
}

}  // namespace mas
