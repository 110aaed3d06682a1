#pragma once
// Redialer: the state of a reconnecting client channel. It holds the current ChannelImpl, notices
// when it closes, and opens a new one in the background as the ReconnectPolicy says. Each
// connection is a ChannelImpl of its own, so the calls and received requests of a lost connection
// end with it and nothing of it is ever sent over the next one.

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include "core/wait_list.hpp"
#include "mas/channel/channel_options.hpp"
#include "mas/channel/request.hpp"
#include "mas/core/endpoint.hpp"
#include "mas/core/json.hpp"

namespace mas::detail {

class ChannelImpl;

class Redialer : public std::enable_shared_from_this<Redialer> {
public:
    /// `first`: the started first connection; `options.reconnect` must be set.
    Redialer(std::shared_ptr<ChannelImpl> first, Endpoint endpoint, ConnectOptions options);
    /// Closes: assigning over the last Channel handle destroys this before the handle's closing
    /// token runs, and the current connection must not stay open behind nobody's back.
    ~Redialer();
    Redialer(const Redialer&) = delete;
    Redialer& operator=(const Redialer&) = delete;

    /// Starts watching the first connection. Call once, right after construction.
    void start();

    static asio::awaitable<Json> send(std::shared_ptr<Redialer> self, Json content);
    static asio::awaitable<Request> recv(std::shared_ptr<Redialer> self);
    /// Closes for good: no more attempts; waiters fail with ConnectionError. Never throws.
    void close() noexcept;

    [[nodiscard]] bool is_open() const noexcept { return !closed_; }
    [[nodiscard]] std::string peer() const { return peer_; }
    [[nodiscard]] asio::any_io_executor executor() const { return executor_; }
    /// The connection in use, or null while reconnecting.
    [[nodiscard]] const std::shared_ptr<ChannelImpl>& current() const noexcept { return current_; }

private:
    /// send() for a call made while there is no connection: waits for the next one.
    static asio::awaitable<Json> send_when_connected(std::shared_ptr<Redialer> self, Json content);
    void watch(const std::shared_ptr<ChannelImpl>& impl);
    void lost(const std::string& reason);
    asio::awaitable<void> reconnect();
    asio::awaitable<std::shared_ptr<ChannelImpl>> attempt(unsigned number);
    /// Returns once connected; throws the error of the next failed attempt, or ConnectionError
    /// once closed.
    asio::awaitable<void> wait_for_connection();
    void give_up(const std::string& reason) noexcept;
    void report(ChannelState state, unsigned attempt, const std::string& reason) noexcept;
    [[nodiscard]] std::exception_ptr closed_error() const;

    asio::any_io_executor executor_;
    Endpoint endpoint_;
    ConnectOptions options_;
    ReconnectPolicy policy_;
    std::shared_ptr<ChannelImpl> current_;
    std::string peer_;
    bool closed_ = false;
    std::string close_reason_;
    std::uint64_t outcomes_ = 0;  // attempts finished, so that waiters see each one
    std::exception_ptr last_failure_;
    std::optional<asio::steady_timer> delay_;
    std::mt19937_64 random_;
    Registry& registry_;
    WaitList changed_{registry_, true};
};

}  // namespace mas::detail
