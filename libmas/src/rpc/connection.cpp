#include "mas/rpc/connection.hpp"

#include <asio/post.hpp>

#include "mas/core/log.hpp"
#include "rpc/connection_state.hpp"

namespace mas::rpc {

namespace detail {

ConnectionState::ConnectionState(Channel ch, const Router* service)
    : channel(std::move(ch)), root(service), peer(channel.peer()) {}

void ConnectionState::end(std::exception_ptr reason) noexcept {
    if (ended_) return;
    ended_ = true;
    end_reason_ = reason;
    auto callbacks = std::move(reset_callbacks_);
    if (user_reset_callback_) callbacks.push_back(std::move(user_reset_callback_));
    for (auto& callback : callbacks) {
        try {
            callback(reason);
        } catch (const std::exception& e) {
            mas::log("mas.rpc")->error("connection-reset callback for {} threw: {}", peer, e.what());
        }
    }
}

void ConnectionState::add_reset_callback(ResetCallback callback) {
    if (!ended_) {
        reset_callbacks_.push_back(std::move(callback));
        return;
    }
    // Called later, not from inside the caller's own statement, as it would be had the
    // connection ended a moment after.
    asio::post(channel.executor(), [callback = std::move(callback), reason = end_reason_] { callback(reason); });
}

void ConnectionState::set_user_reset_callback(ResetCallback callback) {
    if (!ended_) {
        user_reset_callback_ = std::move(callback);
        return;
    }
    if (callback) add_reset_callback(std::move(callback));
}

}  // namespace detail

std::shared_ptr<const Codec> with_proxy_type(const std::shared_ptr<const Codec>& codec) {
    std::shared_ptr<Codec> extended = codec ? codec->clone() : std::make_shared<JsonCodec>();
    const auto& names = extended->type_names();
    if (names.empty() || names.back() != proxy_type_name) extended->add_serializer(proxy_type_name);
    return extended;
}

namespace {

// The user-side owner token: when the last handle or remote proxy is gone, the connection
// closes, which ends the serve loop and with it the loop's reference to the state.
std::shared_ptr<void> make_owner(const std::shared_ptr<detail::ConnectionState>& state) {
    return {nullptr, [state](void*) { state->channel.close(); }};
}

}  // namespace

Connection::Connection(std::shared_ptr<detail::ConnectionState> state, std::shared_ptr<void> owner)
    : state_(std::move(state)), owner_(std::move(owner)) {}

Proxy Connection::remote() const { return Proxy(state_, std::string(), owner_); }

Channel Connection::channel() const { return state_ ? state_->channel : Channel(); }

void Connection::on_connection_reset(ResetCallback callback) const {
    if (state_) state_->set_user_reset_callback(std::move(callback));
}

void Connection::close() const noexcept {
    if (state_) state_->channel.close();
}

bool Connection::is_open() const noexcept { return state_ && state_->channel.is_open(); }

std::string Connection::peer() const { return state_ ? state_->peer : std::string(); }

Connection serve(Channel channel, Router* service) {
    auto state = std::make_shared<detail::ConnectionState>(std::move(channel), service);
    detail::start_serving(state);
    return Connection(state, make_owner(state));
}

asio::awaitable<Connection> open_connection(Endpoint endpoint, Router* service, ConnectOptions options) {
    options.codec = with_proxy_type(options.codec);
    auto channel = co_await mas::open_connection(std::move(endpoint), std::move(options));
    co_return serve(std::move(channel), service);
}

asio::awaitable<Server> start_server(Endpoint endpoint, Router& service, RpcClientConnected on_connect,
                                     ServerOptions options) {
    options.codec = with_proxy_type(options.codec);
    Router* root = &service;
    ClientConnected accept = [root, on_connect = std::move(on_connect)](Channel channel) -> asio::awaitable<void> {
        auto state = std::make_shared<detail::ConnectionState>(std::move(channel), root);
        detail::start_serving(state);
        // No owner token: a server-side connection lives until the peer or the server closes it.
        if (on_connect) co_await on_connect(Connection(state, nullptr));
    };
    co_return co_await mas::start_server(std::move(endpoint), std::move(accept), std::move(options));
}

}  // namespace mas::rpc
