#include "mas/msg/socket.hpp"

#include <random>

#include "mas/channel/channel_options.hpp"
#include "mas/core/error.hpp"

#include "msg/socket_impl.hpp"

namespace mas::msg {

ReconnectDelay fixed_delay(std::chrono::steady_clock::duration delay) {
    return [delay](unsigned) { return delay; };
}

ReconnectDelay backoff_delay(std::chrono::steady_clock::duration first, std::chrono::steady_clock::duration max,
                             double jitter) {
    if (first <= std::chrono::steady_clock::duration::zero() || max < first) {
        throw ConfigError("backoff_delay needs 0 < first <= max");
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) throw ConfigError("backoff_delay's jitter must be within [0, 1]");
    // The same schedule as a reconnecting channel's.
    ReconnectPolicy policy;
    policy.initial_delay = first;
    policy.max_delay = max;
    policy.jitter = jitter;
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    return [policy, engine](unsigned failures) { return policy.delay(failures, *engine); };
}

Socket::Socket(asio::any_io_executor executor, SocketOptions options)
    : impl_(std::make_shared<detail::SocketImpl>(std::move(executor), std::move(options))) {}

Socket::~Socket() {
    if (impl_) impl_->close();
}

Socket::Socket(Socket&&) noexcept = default;

Socket& Socket::operator=(Socket&& other) noexcept {
    if (this != &other) {
        if (impl_) impl_->close();
        impl_ = std::move(other.impl_);
    }
    return *this;
}

asio::awaitable<Endpoint> Socket::bind(Endpoint endpoint, BindOptions options) {
    return impl_->bind(std::move(endpoint), std::move(options));
}

void Socket::connect(Endpoint endpoint, ConnectOptions options) { impl_->connect(std::move(endpoint), std::move(options)); }

asio::awaitable<void> Socket::send(std::string payload) { return impl_->send(std::move(payload), nullptr); }

asio::awaitable<void> Socket::send(std::string payload, const Identity& to) {
    // The identity is copied into the frame of a small coroutine: `to` may not outlive the call.
    return [](std::shared_ptr<detail::SocketImpl> impl, std::string payload, Identity to) -> asio::awaitable<void> {
        co_await impl->send(std::move(payload), &to);
    }(impl_, std::move(payload), to);
}

bool Socket::try_send(std::string_view payload) { return impl_->try_send(payload, nullptr); }

bool Socket::try_send(std::string_view payload, const Identity& to) { return impl_->try_send(payload, &to); }

asio::awaitable<std::string> Socket::recv() { return impl_->recv(); }

asio::awaitable<Message> Socket::recv_identity() { return impl_->recv_identity(); }
std::optional<std::string> Socket::try_recv() { return impl_->try_recv(); }
std::optional<Message> Socket::try_recv_identity() { return impl_->try_recv_identity(); }
asio::awaitable<std::optional<Message>> Socket::next() { return impl_->next(); }
asio::awaitable<void> Socket::flush() { return impl_->flush(); }
asio::awaitable<void> Socket::wait_connections(std::size_t count) { return impl_->wait_connections(count); }

void Socket::close() noexcept {
    if (impl_) impl_->close();
}

const Identity& Socket::identity() const noexcept { return impl_->identity(); }
const SocketOptions& Socket::options() const noexcept { return impl_->options(); }
std::vector<Identity> Socket::peers() const { return impl_->peers(); }
std::size_t Socket::connection_count() const noexcept { return impl_->connection_count(); }
std::size_t Socket::buffered_messages() const noexcept { return impl_->buffered_messages(); }
std::size_t Socket::unacknowledged() const noexcept { return impl_->unacknowledged(); }

}  // namespace mas::msg
