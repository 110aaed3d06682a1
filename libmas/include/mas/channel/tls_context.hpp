#pragma once
/// \file
/// TLS contexts configured the way aiomas' make_ssl_server_context / make_ssl_client_context do,
/// and their server-only-authentication variants for aiomsg peers.

#include <filesystem>

#include <asio/ssl/context.hpp>

namespace mas {

/// The PEM files of one TLS end: the CA that both ends trust, and this end's certificate chain
/// and private key.
struct TlsFiles {
    std::filesystem::path ca_file;
    std::filesystem::path cert_file;
    std::filesystem::path key_file;
};

/// A server context: TLS 1.2 or newer, ECDHE key exchange with AES-GCM only (TLS 1.3: the
/// AES-GCM suites), no compression, and clients must present a certificate signed by the CA
/// (mutual authentication). Throws mas::ConfigError naming the file that could not be loaded.
asio::ssl::context make_ssl_server_context(const TlsFiles& files);

/// A client context with the same protocol and cipher limits, presenting its own certificate
/// and verifying the server's certificate against the CA. The server's host name is checked when
/// connecting (open_connection sets SNI and host name verification from the endpoint's host).
/// Throws mas::ConfigError naming the file that could not be loaded.
asio::ssl::context make_ssl_client_context(const TlsFiles& files);

/// A server context for server-only authentication, as aiomsg's TLS uses it: the same protocol and
/// cipher limits, presenting `cert_file` (chain) and `key_file`, asking clients for no
/// certificate. Throws mas::ConfigError naming the file that could not be loaded.
asio::ssl::context make_tls_server_context(const std::filesystem::path& cert_file,
                                           const std::filesystem::path& key_file);

/// A client context for server-only authentication: the same limits, verifying the server's
/// certificate against `ca_file` (a CA, or a self-signed server certificate that is its own trust
/// anchor) and presenting none. Throws mas::ConfigError naming the file that could not be loaded.
asio::ssl::context make_tls_client_context(const std::filesystem::path& ca_file);

}  // namespace mas
