#include "mas/channel/tls_context.hpp"

#include <string_view>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "mas/core/error.hpp"

namespace mas {
namespace {

// The limits of aiomas' make_ssl_*_context: forward secrecy and AEAD only.
constexpr const char* tls12_ciphers = "ECDHE+AESGCM";
constexpr const char* tls13_ciphersuites = "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256";
constexpr const char* ecdh_groups = "P-256:P-384";
// Client certificates make OpenSSL refuse session resumption unless the server names a context.
constexpr std::string_view session_id_context = "libmas";

// asio reports only the earliest OpenSSL error (the root cause: fopen, PEM parsing, key
// mismatch) and leaves the rest queued; a stale queue would later make SSL_get_error report
// SSL_ERROR_SSL for an unrelated call on this thread, so it is dropped here.
[[noreturn]] void throw_load_error(std::string_view what, const std::filesystem::path& file,
                                   const asio::error_code& ec) {
    ERR_clear_error();
    throw ConfigError(fmt::format("cannot load TLS {} '{}': {}", what, file.string(), ec.message()));
}

// Setters that fail only on a programming error here or a broken OpenSSL build, not on user input.
void require_openssl(int result, std::string_view what) {
    if (result == 1) return;
    auto code = ERR_get_error();
    ERR_clear_error();
    char text[256] = {};
    ERR_error_string_n(code, text, sizeof text);
    throw Error(fmt::format("cannot configure TLS context ({}): {}", what, text));
}

asio::ssl::context make_bare_context(asio::ssl::context::method method) {
    asio::ssl::context ctx(method);
    SSL_CTX* native = ctx.native_handle();
    // asio starts every context at TLS 1.0; aiomas accepts nothing older than TLS 1.2.
    require_openssl(SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION), "minimum version");
    require_openssl(SSL_CTX_set_cipher_list(native, tls12_ciphers), "TLS 1.2 ciphers");
    require_openssl(SSL_CTX_set_ciphersuites(native, tls13_ciphersuites), "TLS 1.3 suites");
    require_openssl(SSL_CTX_set1_groups_list(native, ecdh_groups), "ECDH groups");
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression);
    return ctx;
}

void load_ca(asio::ssl::context& ctx, const std::filesystem::path& ca_file) {
    asio::error_code ec;
    ctx.load_verify_file(ca_file.string(), ec);
    if (ec) throw_load_error("CA file", ca_file, ec);
}

void load_identity(asio::ssl::context& ctx, const std::filesystem::path& cert_file,
                   const std::filesystem::path& key_file) {
    asio::error_code ec;
    ctx.use_certificate_chain_file(cert_file.string(), ec);
    if (ec) throw_load_error("certificate chain file", cert_file, ec);
    // OpenSSL also checks here that the key belongs to the certificate loaded just before.
    ctx.use_private_key_file(key_file.string(), asio::ssl::context::pem, ec);
    if (ec) throw_load_error("private key file", key_file, ec);
}

asio::ssl::context make_context(asio::ssl::context::method method, const TlsFiles& files) {
    auto ctx = make_bare_context(method);
    load_ca(ctx, files.ca_file);
    load_identity(ctx, files.cert_file, files.key_file);
    return ctx;
}

}  // namespace

asio::ssl::context make_ssl_server_context(const TlsFiles& files) {
    auto ctx = make_context(asio::ssl::context::tls_server, files);
    SSL_CTX* native = ctx.native_handle();
    SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE);
    require_openssl(
        SSL_CTX_set_session_id_context(
            native, reinterpret_cast<const unsigned char*>(session_id_context.data()),
            static_cast<unsigned int>(session_id_context.size())),
        "session id context");
    ctx.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
    return ctx;
}

asio::ssl::context make_ssl_client_context(const TlsFiles& files) {
    auto ctx = make_context(asio::ssl::context::tls_client, files);
    ctx.set_verify_mode(asio::ssl::verify_peer);
    return ctx;
}

asio::ssl::context make_tls_server_context(const std::filesystem::path& cert_file,
                                           const std::filesystem::path& key_file) {
    auto ctx = make_bare_context(asio::ssl::context::tls_server);
    SSL_CTX_set_options(ctx.native_handle(), SSL_OP_CIPHER_SERVER_PREFERENCE);
    load_identity(ctx, cert_file, key_file);
    ctx.set_verify_mode(asio::ssl::verify_none);
    return ctx;
}

asio::ssl::context make_tls_client_context(const std::filesystem::path& ca_file) {
    auto ctx = make_bare_context(asio::ssl::context::tls_client);
    load_ca(ctx, ca_file);
    ctx.set_verify_mode(asio::ssl::verify_peer);
    return ctx;
}

}  // namespace mas
