#include "channel/redialer.hpp"

#include <algorithm>

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "channel/channel_impl.hpp"
#include "channel/channel_log.hpp"
#include "channel/connect.hpp"
#include "mas/core/error.hpp"
#include "mas/core/with_timeout.hpp"

namespace mas {

std::chrono::steady_clock::duration ReconnectPolicy::delay(unsigned failures, std::mt19937_64& random) const {
    auto nominal = initial_delay;
    for (unsigned i = 0; i < failures && nominal < max_delay; ++i) nominal *= 2;
    nominal = std::min(nominal, max_delay);
    std::uniform_real_distribution<double> share(1.0 - jitter, 1.0);
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(nominal * share(random));
}

}  // namespace mas

namespace mas::detail {

Redialer::Redialer(std::shared_ptr<ChannelImpl> first, Endpoint endpoint, ConnectOptions options)
    : executor_(first->executor()),
      endpoint_(std::move(endpoint)),
      options_(std::move(options)),
      policy_(*options_.reconnect),
      current_(std::move(first)),
      peer_(current_->peer()),
      random_(std::random_device{}()),
      registry_(registry_of(executor_)) {}

Redialer::~Redialer() { close(); }

void Redialer::start() {
    delay_.emplace(executor_);
    watch(current_);
}

void Redialer::watch(const std::shared_ptr<ChannelImpl>& impl) {
    // Weak: the connection must not keep its redialer (and so itself) alive.
    impl->on_close([weak = weak_from_this(), raw = impl.get()](const std::string& reason) {
        auto self = weak.lock();
        if (self && self->current_.get() == raw) self->lost(reason);
    });
}

void Redialer::lost(const std::string& reason) {
    if (closed_) return;
    current_.reset();
    channel_log().warn("channel {}: connection lost ({}); reconnecting", endpoint_.to_string(), reason);
    report(ChannelState::disconnected, 0, reason);
    asio::co_spawn(executor_, reconnect(), [self = shared_from_this()](std::exception_ptr error) {
        if (!error) return;
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            self->give_up(fmt::format("reconnecting failed: {}", e.what()));
        }
    });
}

asio::awaitable<void> Redialer::reconnect() {
    auto self = shared_from_this();
    std::string reason;
    for (unsigned number = 1; !closed_ && (policy_.max_attempts == 0 || number <= policy_.max_attempts); ++number) {
        delay_->expires_after(policy_.delay(number - 1, random_));
        co_await delay_->async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        if (closed_) co_return;
        report(ChannelState::reconnecting, number, "");
        std::exception_ptr failure;
        try {
            auto impl = co_await attempt(number);
            if (!impl) co_return;  // closed meanwhile
            ++outcomes_;
            last_failure_ = nullptr;
            current_ = std::move(impl);
            peer_ = current_->peer();
            watch(current_);
            channel_log().info("channel {}: reconnected (attempt {})", endpoint_.to_string(), number);
            report(ChannelState::connected, number, "");
            changed_.notify_all();
            co_return;
        } catch (const Error& e) {
            // ConnectionError (refused, unreachable, handshake) or Timeout: try again later.
            failure = std::current_exception();
            reason = e.what();
        }
        ++outcomes_;
        last_failure_ = failure;
        channel_log().debug("channel {}: attempt {} failed: {}", endpoint_.to_string(), number, reason);
        changed_.notify_all();
    }
    if (!closed_) give_up(fmt::format("gave up after {} attempts: {}", policy_.max_attempts, reason));
}

asio::awaitable<std::shared_ptr<ChannelImpl>> Redialer::attempt(unsigned number) {
    auto op = connect_transport(endpoint_, options_);
    auto timed = with_timeout(std::move(op), policy_.connect_timeout,
                              fmt::format("reconnecting to {} (attempt {})", endpoint_.to_string(), number));
    auto transport = co_await std::move(timed);
    if (closed_) {
        transport->close();
        co_return nullptr;
    }
    auto impl = std::make_shared<ChannelImpl>(std::move(transport), options_);
    impl->start();
    co_return impl;
}

asio::awaitable<void> Redialer::wait_for_connection() {
    auto self = shared_from_this();
    const auto seen = outcomes_;
    while (!closed_ && !current_ && outcomes_ == seen) co_await changed_.wait();
    if (current_) co_return;
    if (closed_) std::rethrow_exception(closed_error());
    std::rethrow_exception(last_failure_);
}

// Connected, the call goes on the connection without a coroutine of its own (a call made while
// connected fails if that connection is lost, as one already sent does); only a call without a
// connection waits here for the next.
asio::awaitable<Json> Redialer::send(std::shared_ptr<Redialer> self, Json content) {
    if (!self->closed_ && self->current_) return ChannelImpl::send(self->current_, std::move(content));
    return send_when_connected(std::move(self), std::move(content));
}

asio::awaitable<Json> Redialer::send_when_connected(std::shared_ptr<Redialer> self, Json content) {
    if (self->closed_) std::rethrow_exception(self->closed_error());
    if (!self->current_) co_await self->wait_for_connection();
    co_return co_await ChannelImpl::send(self->current_, std::move(content));
}

asio::awaitable<Request> Redialer::recv(std::shared_ptr<Redialer> self) {
    for (;;) {
        if (self->closed_) std::rethrow_exception(self->closed_error());
        if (!self->current_) {
            try {
                co_await self->wait_for_connection();
            } catch (const ConnectionError&) {
                if (self->closed_) throw;
            } catch (const Timeout&) {
                // One attempt timed out; a receiver waits for the next.
            }
            continue;
        }
        auto impl = self->current_;
        try {
            co_return co_await ChannelImpl::recv(impl);
        } catch (const ConnectionError&) {
            if (self->closed_) throw;
            // That connection was lost: wait for the next one.
        }
    }
}

void Redialer::give_up(const std::string& reason) noexcept {
    if (closed_) return;
    closed_ = true;
    close_reason_ = reason;
    channel_log().error("channel {}: {}", endpoint_.to_string(), reason);
    report(ChannelState::closed, 0, reason);
    try {
        changed_.notify_all();
    } catch (const std::exception& e) {
        channel_log().error("channel {}: waking waiters failed: {}", endpoint_.to_string(), e.what());
    }
}

void Redialer::close() noexcept {
    if (closed_) return;
    closed_ = true;
    close_reason_ = "closed locally";
    if (delay_) delay_->cancel();
    if (current_) current_->close(make_error_code(errc::closed), "closed locally");
    report(ChannelState::closed, 0, close_reason_);
    try {
        changed_.notify_all();
    } catch (const std::exception& e) {
        channel_log().error("channel {}: waking waiters failed: {}", endpoint_.to_string(), e.what());
    }
}

void Redialer::report(ChannelState state, unsigned attempt, const std::string& reason) noexcept {
    if (!policy_.on_state) return;
    try {
        policy_.on_state(ChannelEvent{state, attempt, reason});
    } catch (const std::exception& e) {
        channel_log().error("channel {}: on_state callback threw: {}", endpoint_.to_string(), e.what());
    }
}

std::exception_ptr Redialer::closed_error() const {
    return std::make_exception_ptr(ConnectionError(
        fmt::format("connection to {} closed: {}", endpoint_.to_string(), close_reason_), make_error_code(errc::closed)));
}

}  // namespace mas::detail
