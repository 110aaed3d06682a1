#include "mas/channel/server.hpp"

#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/this_coro.hpp>

#include "channel/channel_impl.hpp"
#include "channel/channel_log.hpp"
#include "channel/listener.hpp"

namespace mas::detail {

class ServerImpl : public std::enable_shared_from_this<ServerImpl> {
public:
    ServerImpl(asio::any_io_executor executor, ClientConnected on_connect, ServerOptions options)
        : executor_(std::move(executor)), on_connect_(std::move(on_connect)), options_(std::move(options)) {}
    // Assigning over the last Server handle destroys this before the handle's closing token
    // runs, so the destructor must close too: the listener would otherwise accept forever.
    ~ServerImpl() { close(); }
    ServerImpl(const ServerImpl&) = delete;
    ServerImpl& operator=(const ServerImpl&) = delete;

    asio::awaitable<void> listen(Endpoint endpoint) {
        ListenOptions listen_options;
        listen_options.ssl = options_.ssl;
        listen_options.tls_handshake_timeout = options_.tls_handshake_timeout;
        // Weak: the Server handles own this server; the listener must not keep it alive.
        auto on_accept = [weak = weak_from_this()](TransportPtr transport) {
            if (auto self = weak.lock()) self->serve(std::move(transport));
        };
        listener_ = std::make_shared<Listener>(executor_, std::move(endpoint), std::move(listen_options),
                                               std::move(on_accept));
        co_await listener_->listen();
    }

    void stop_accepting() noexcept {
        if (!listener_ || !listener_->accepting()) return;
        listener_->close();
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

    [[nodiscard]] const Endpoint& endpoint() const noexcept { return listener_->endpoint(); }

    [[nodiscard]] std::size_t connection_count() const noexcept {
        std::size_t n = 0;
        for (const auto& weak : channels_) {
            auto channel = weak.lock();
            n += channel && channel->is_open() ? 1 : 0;
        }
        return n;
    }

private:
    void serve(TransportPtr transport) {
        auto impl = std::make_shared<ChannelImpl>(std::move(transport), options_);
        impl->start();
        std::erase_if(channels_, [](const auto& weak) {
            auto channel = weak.lock();
            return !channel || !channel->is_open();
        });
        channels_.push_back(impl);
        channel_log().debug("server {}: accepted {}", endpoint().to_string(), impl->peer());
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
    ClientConnected on_connect_;
    ServerOptions options_;
    std::shared_ptr<Listener> listener_;
    std::vector<std::weak_ptr<ChannelImpl>> channels_;
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
    auto impl = std::make_shared<detail::ServerImpl>(executor, std::move(on_connect), std::move(options));
    co_await impl->listen(std::move(endpoint));
    co_return Server(std::move(impl));
}

}  // namespace mas
