#pragma once
// The connecting half shared by channels and smart sockets: one attempt to open a transport.

#include <asio/awaitable.hpp>

#include "channel/transport.hpp"
#include "mas/channel/channel_options.hpp"
#include "mas/core/endpoint.hpp"
#include "mas/core/error.hpp"

namespace mas::detail {

/// One connection attempt to `endpoint` (TCP with TLS when `options.ssl` is set, Unix, local),
/// on the calling coroutine's executor. Throws mas::ConnectionError (refused, unreachable,
/// handshake failed) or mas::ConfigError (TLS on a non-TCP endpoint).
asio::awaitable<TransportPtr> connect_transport(const Endpoint& endpoint, const ConnectOptions& options);

/// Throws mas::ConfigError for a policy that cannot work (negative delays, jitter outside [0, 1]).
void validate(const ReconnectPolicy& policy);

/// Whether a failed attempt may succeed later (the server is not up yet), as opposed to a
/// failure that retrying will not fix (a rejected TLS certificate).
bool worth_retrying(const ConnectionError& e);

}  // namespace mas::detail
