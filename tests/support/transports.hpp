#pragma once
// The transports every channel behaviour is tested over: TCP, Unix sockets, TLS and LocalQueue.

#include <memory>
#include <string>

#include "mas/channel/channel_options.hpp"
#include "mas/core/endpoint.hpp"
#include "support/test_pki.hpp"

namespace mas::test {

enum class TransportKind { tcp, unix_socket, tls, local };

std::string to_string(TransportKind kind);

/// Everything needed to start a server and connect to it over one kind of transport.
struct TransportSetup {
    TransportKind kind;
    Endpoint listen;  ///< where the server should listen (port 0, a temp socket path, ...)
    ServerOptions server;
    ConnectOptions client;
    std::shared_ptr<TempDir> dir;  ///< keeps socket files and certificates alive
};

/// A setup for `kind` whose channel options start from `common` on both ends.
TransportSetup make_transport(TransportKind kind, const ChannelOptions& common = {});

/// The endpoint a client should connect to for a server that listens as `setup` says and
/// reported `bound` as its endpoint.
Endpoint connect_endpoint(const TransportSetup& setup, const Endpoint& bound);

}  // namespace mas::test
