#pragma once
/// \file
/// ContainerOptions: how a Container talks and which clock it runs on.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <asio/ssl/context.hpp>

#include "mas/channel/channel_options.hpp"
#include "mas/core/json_codec.hpp"

namespace mas::agent {

class Clock;

/// Options of Container::create (user-provided constructor: see the g++ 12 note in
/// channel_options.hpp).
struct ContainerOptions {
    ContainerOptions() noexcept {}
    /// The container's clock; null means a RealTimeClock on the container's executor.
    std::shared_ptr<Clock> clock;
    /// The codec of every connection (aiomas' `codec=`), and extra custom types (aiomas'
    /// extra_serializers): the types registered with this codec, in order, become type ids 1..n
    /// after the date type (0), as in aiomas; its kind and settings are kept.
    /// Null: JSON as Python writes it, no extra types.
    std::shared_ptr<const Codec> codec;
    /// Limits of every connection (the codec field is ignored; see `codec`).
    ChannelOptions channel;
    /// TLS for the container's server (make_ssl_server_context); null for plain TCP.
    std::shared_ptr<asio::ssl::context> server_ssl;
    /// TLS for the connections it opens (make_ssl_client_context); null for plain TCP.
    std::shared_ptr<asio::ssl::context> client_ssl;
    /// TLS: the host name remote containers' certificates must carry; empty means each
    /// address's host.
    std::string tls_server_name;
    /// How connections to other containers come back after a loss: a remote container that is
    /// restarted at its address is reached again through the proxies already handed out (calls
    /// in flight during the loss fail with ConnectionError). Unset: a lost connection stays lost
    /// and the next connect() opens a new one.
    std::optional<ReconnectPolicy> reconnect = ReconnectPolicy();
};

}  // namespace mas::agent
