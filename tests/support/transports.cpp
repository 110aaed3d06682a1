#include "support/transports.hpp"

#include <atomic>

#include "mas/channel/tls_context.hpp"

namespace mas::test {

std::string to_string(TransportKind kind) {
    switch (kind) {
    case TransportKind::tcp: return "tcp";
    case TransportKind::unix_socket: return "unix";
    case TransportKind::tls: return "tls";
    case TransportKind::local: return "local";
    }
    return "?";
}

TransportSetup make_transport(TransportKind kind, const ChannelOptions& common) {
    TransportSetup setup{kind, {}, {}, {}, std::make_shared<TempDir>()};
    static_cast<ChannelOptions&>(setup.server) = common;
    static_cast<ChannelOptions&>(setup.client) = common;
    static std::atomic<int> counter{0};
    switch (kind) {
    case TransportKind::tcp: setup.listen = Endpoint::tcp("127.0.0.1", 0); break;
    case TransportKind::unix_socket:
        setup.listen = Endpoint::unix_socket((setup.dir->path() / "server.sock").string());
        break;
    case TransportKind::local: setup.listen = Endpoint::local("test-" + std::to_string(counter++)); break;
    case TransportKind::tls: {
        setup.listen = Endpoint::tcp("127.0.0.1", 0);
        auto pki = make_test_pki(setup.dir->path());
        setup.server.ssl = std::make_shared<asio::ssl::context>(make_ssl_server_context(pki.server));
        setup.client.ssl = std::make_shared<asio::ssl::context>(make_ssl_client_context(pki.client));
        break;
    }
    }
    return setup;
}

Endpoint connect_endpoint(const TransportSetup&, const Endpoint& bound) { return bound; }

}  // namespace mas::test
