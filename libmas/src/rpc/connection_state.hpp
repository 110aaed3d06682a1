#pragma once
// The shared state of one RPC connection: its channel, the local service tree that serves the
// peer's requests, and the callbacks for its end. Owned by the serve loop while it runs and by
// every handle and proxy; the channel closes when the user-side owner token goes away.

#include <exception>
#include <memory>
#include <vector>

#include "mas/channel/channel.hpp"
#include "mas/rpc/connection.hpp"
#include "mas/rpc/router.hpp"

namespace mas::rpc::detail {

class ConnectionState : public std::enable_shared_from_this<ConnectionState> {
public:
    ConnectionState(Channel channel, const Router* root);

    /// Runs the reset callbacks once, with `reason`.
    void end(std::exception_ptr reason) noexcept;
    /// Adds a callback of the library's own (containers forget a connection this way); it
    /// runs whatever the user's callback is.
    void add_reset_callback(ResetCallback callback);
    /// Sets the user's callback (Connection::on_connection_reset), replacing the one before;
    /// an empty one removes it.
    void set_user_reset_callback(ResetCallback callback);

    Channel channel;
    const Router* root;  // null: this side serves nothing
    std::string peer;

private:
    std::vector<ResetCallback> reset_callbacks_;
    ResetCallback user_reset_callback_;
    std::exception_ptr end_reason_;
    bool ended_ = false;
};

/// Starts the loop that serves the peer's requests on `state`'s channel.
void start_serving(const std::shared_ptr<ConnectionState>& state);

}  // namespace mas::rpc::detail
