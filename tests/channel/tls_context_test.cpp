#include "mas/channel/tls_context.hpp"

#include <array>
#include <chrono>
#include <exception>
#include <string>
#include <string_view>
#include <system_error>

#include <asio/buffer.hpp>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/address.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/read_until.hpp>
#include <asio/ssl.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <catch2/catch.hpp>
#include <openssl/ssl.h>

#include "mas/core/error.hpp"
#include "support/test_pki.hpp"

namespace {

using asio::ip::tcp;
using Catch::Matchers::Contains;
using TlsStream = asio::ssl::stream<tcp::socket>;

constexpr auto hang_guard = std::chrono::seconds(20);
constexpr auto as_tuple = asio::experimental::as_tuple(asio::use_awaitable);
constexpr std::string_view greeting = "hello over TLS\n";

struct ServerOutcome {
    bool done = false;
    std::error_code handshake;
    std::string received;
};

struct ClientOutcome {
    bool done = false;
    std::error_code handshake;
    std::error_code exchange;  // the first failure after the handshake: write, read or shutdown
    std::string reply;
    std::string protocol;
    std::string cipher;
};

// Accepts one connection and echoes one line; a failed handshake ends the connection, as a
// real server's connection handler would.
asio::awaitable<void> serve_one(tcp::acceptor& acceptor, asio::ssl::context& ctx,
                                ServerOutcome& out) {
    TlsStream stream(co_await acceptor.async_accept(asio::use_awaitable), ctx);
    auto [handshake] = co_await stream.async_handshake(asio::ssl::stream_base::server, as_tuple);
    out.handshake = handshake;
    if (!handshake) {
        auto [read, n] = co_await asio::async_read_until(
            stream, asio::dynamic_buffer(out.received), '\n', as_tuple);
        if (!read) {
            co_await asio::async_write(stream, asio::buffer(out.received), asio::use_awaitable);
            co_await stream.async_shutdown(asio::use_awaitable);
        }
    }
    out.done = true;
}

void verify_host(TlsStream& stream, const std::string& host) {
    stream.set_verify_callback(asio::ssl::host_name_verification(host));
    asio::error_code not_an_address;
    asio::ip::make_address(host, not_an_address);
    // SNI carries host names only; RFC 6066 forbids IP literals in it.
    if (not_an_address) REQUIRE(SSL_set_tlsext_host_name(stream.native_handle(), host.c_str()) == 1);
}

asio::awaitable<std::error_code> exchange_line(TlsStream& stream, std::string& reply) {
    auto [write, written] = co_await asio::async_write(stream, asio::buffer(greeting), as_tuple);
    if (write) co_return write;
    auto [read, n] = co_await asio::async_read_until(stream, asio::dynamic_buffer(reply), '\n',
                                                     as_tuple);
    if (read) co_return read;
    auto [shutdown] = co_await stream.async_shutdown(as_tuple);
    co_return shutdown;
}

asio::awaitable<void> connect_client(tcp::endpoint server, asio::ssl::context& ctx,
                                     std::string host, ClientOutcome& out) {
    TlsStream stream(co_await asio::this_coro::executor, ctx);
    co_await stream.next_layer().async_connect(server, asio::use_awaitable);
    verify_host(stream, host);
    auto [handshake] = co_await stream.async_handshake(asio::ssl::stream_base::client, as_tuple);
    out.handshake = handshake;
    if (!handshake) {
        out.protocol = SSL_get_version(stream.native_handle());
        out.cipher = SSL_get_cipher_name(stream.native_handle());
        out.exchange = co_await exchange_line(stream, out.reply);
    }
    out.done = true;
}

// What a plain aiomas client sends first: a length-prefixed request frame.
asio::awaitable<void> connect_plaintext(tcp::endpoint server, bool& done) {
    tcp::socket socket(co_await asio::this_coro::executor);
    co_await socket.async_connect(server, asio::use_awaitable);
    constexpr std::string_view request = R"([0, 0, ["ping", [], {}]])";
    const std::array<unsigned char, 4> header{0, 0, 0, static_cast<unsigned char>(request.size())};
    const std::array buffers{asio::buffer(header), asio::buffer(request)};
    co_await asio::async_write(socket, buffers, asio::use_awaitable);
    // The server's alert or close ends this read: the event that the server has given up.
    std::string ignored;
    co_await asio::async_read(socket, asio::dynamic_buffer(ignored), as_tuple);
    done = true;
}

// TLS 1.3 is what two libmas ends negotiate by default; TLS 1.2 is the oldest version allowed.
void limit_version(asio::ssl::context& ctx, int max_version) {
    REQUIRE(SSL_CTX_set_max_proto_version(ctx.native_handle(), max_version) == 1);
}

struct Loopback {
    mas::test::TempDir dir;
    mas::test::TestPki pki = mas::test::make_test_pki(dir.path());
    asio::io_context io;
    tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    ServerOutcome server;
    ClientOutcome client;

    // Takes an awaitable, or a coroutine lambda, which co_spawn keeps alive while it runs.
    template <class Work>
    void spawn(Work work) {
        asio::co_spawn(io, std::move(work), [](std::exception_ptr failure) {
            if (failure) std::rethrow_exception(failure);
        });
    }

    void run() {
        io.restart();
        io.run_for(hang_guard);
    }

    void exchange(asio::ssl::context& server_ctx, asio::ssl::context& client_ctx,
                  const std::string& host) {
        spawn(serve_one(acceptor, server_ctx, server));
        spawn(connect_client(acceptor.local_endpoint(), client_ctx, host, client));
        run();
        REQUIRE(server.done);
        REQUIRE(client.done);
    }

    void require_client_rejected() const {
        CHECK(server.handshake);
        CHECK(server.received.empty());
        // Under TLS 1.3 the client's handshake completes before the server has judged the
        // client's certificate, so the rejection can reach the client only on its first read.
        CHECK((client.handshake || client.exchange));
        CHECK(client.reply.empty());
    }
};

}  // namespace

TEST_CASE_METHOD(Loopback, "mutual authentication succeeds and a message round-trips",
                 "[channel][tls]") {
    const std::string host = GENERATE(as<std::string>{}, "localhost", "127.0.0.1");
    const int max_version = GENERATE(TLS1_2_VERSION, TLS1_3_VERSION);
    auto server_ctx = mas::make_ssl_server_context(pki.server);
    auto client_ctx = mas::make_ssl_client_context(pki.client);
    limit_version(client_ctx, max_version);

    exchange(server_ctx, client_ctx, host);

    REQUIRE_FALSE(server.handshake);
    REQUIRE_FALSE(client.handshake);
    CHECK_FALSE(client.exchange);
    CHECK(server.received == greeting);
    CHECK(client.reply == greeting);
    CHECK(client.protocol == (max_version == TLS1_3_VERSION ? "TLSv1.3" : "TLSv1.2"));
    CHECK_THAT(client.cipher, Contains("AES") && Contains("GCM"));
}

TEST_CASE_METHOD(Loopback, "a client without a certificate is rejected by the server",
                 "[channel][tls]") {
    const int max_version = GENERATE(TLS1_2_VERSION, TLS1_3_VERSION);
    auto server_ctx = mas::make_ssl_server_context(pki.server);
    // Everything of a proper client except the certificate and key.
    asio::ssl::context client_ctx(asio::ssl::context::tls_client);
    client_ctx.load_verify_file(pki.client.ca_file.string());
    client_ctx.set_verify_mode(asio::ssl::verify_peer);
    limit_version(client_ctx, max_version);

    exchange(server_ctx, client_ctx, "localhost");

    require_client_rejected();
    CHECK_THAT(server.handshake.message(), Contains("did not return a certificate"));
}

TEST_CASE_METHOD(Loopback, "a client whose certificate is from another CA is rejected",
                 "[channel][tls]") {
    auto server_ctx = mas::make_ssl_server_context(pki.server);
    auto client_ctx = mas::make_ssl_client_context(pki.foreign_client);

    exchange(server_ctx, client_ctx, "localhost");

    require_client_rejected();
    CHECK_THAT(server.handshake.message(), Contains("certificate verify failed"));
}

TEST_CASE_METHOD(Loopback,
                 "the client rejects a server whose certificate does not match the host name",
                 "[channel][tls]") {
    const std::string host = GENERATE(as<std::string>{}, "localhost", "127.0.0.1");
    auto server_ctx = mas::make_ssl_server_context(pki.wrong_host_server);
    auto client_ctx = mas::make_ssl_client_context(pki.client);

    exchange(server_ctx, client_ctx, host);

    REQUIRE(client.handshake);
    CHECK_THAT(client.handshake.message(), Contains("certificate verify failed"));
    CHECK(server.handshake);
    CHECK(server.received.empty());
}

TEST_CASE_METHOD(Loopback, "a TLS 1.1-only client cannot connect", "[channel][tls]") {
    auto server_ctx = mas::make_ssl_server_context(pki.server);
    auto client_ctx = mas::make_ssl_client_context(pki.client);
    CHECK(SSL_CTX_get_min_proto_version(server_ctx.native_handle()) == TLS1_2_VERSION);
    CHECK(SSL_CTX_get_min_proto_version(client_ctx.native_handle()) == TLS1_2_VERSION);
    SSL_CTX* native = client_ctx.native_handle();
    REQUIRE(SSL_CTX_set_min_proto_version(native, TLS1_VERSION) == 1);
    limit_version(client_ctx, TLS1_1_VERSION);
    // OpenSSL 3 allows TLS 1.1 (and its CBC ciphers) only at security level 0; without this
    // the client would refuse locally and the server's minimum would go untested.
    REQUIRE(SSL_CTX_set_cipher_list(native, "DEFAULT:@SECLEVEL=0") == 1);

    exchange(server_ctx, client_ctx, "localhost");

    REQUIRE(client.handshake);
    REQUIRE(server.handshake);
    CHECK_THAT(server.handshake.message(), Contains("unsupported protocol"));
    CHECK(server.received.empty());
}

TEST_CASE_METHOD(Loopback,
                 "a plaintext client makes the server's handshake fail and the server keeps "
                 "accepting",
                 "[channel][tls]") {
    auto server_ctx = mas::make_ssl_server_context(pki.server);
    auto client_ctx = mas::make_ssl_client_context(pki.client);
    ServerOutcome plaintext_server;
    bool plaintext_done = false;
    spawn([&]() -> asio::awaitable<void> {
        co_await serve_one(acceptor, server_ctx, plaintext_server);
        co_await serve_one(acceptor, server_ctx, server);
    });
    // The proper client starts only once the server has dropped the plaintext one, so the
    // server cannot accept them in the other order.
    spawn([&, endpoint = acceptor.local_endpoint()]() -> asio::awaitable<void> {
        co_await connect_plaintext(endpoint, plaintext_done);
        co_await connect_client(endpoint, client_ctx, "localhost", client);
    });
    run();

    REQUIRE(plaintext_done);
    REQUIRE(plaintext_server.done);
    CHECK(plaintext_server.handshake);
    REQUIRE(server.done);
    REQUIRE(client.done);
    CHECK_FALSE(server.handshake);
    CHECK_FALSE(client.handshake);
    CHECK(client.reply == greeting);
}

TEST_CASE("loading a missing CA, certificate or key file throws mas::ConfigError naming the file",
          "[channel][tls]") {
    mas::test::TempDir dir;
    const auto pki = mas::test::make_test_pki(dir.path());
    const auto missing = dir.path() / "missing.pem";
    auto files = pki.server;
    auto file = GENERATE(&mas::TlsFiles::ca_file, &mas::TlsFiles::cert_file,
                         &mas::TlsFiles::key_file);
    files.*file = missing;
    auto make_context = GENERATE(&mas::make_ssl_server_context, &mas::make_ssl_client_context);

    try {
        make_context(files);
        FAIL("no exception thrown");
    } catch (const mas::ConfigError& e) {
        CHECK_THAT(e.what(), Contains(missing.string()) && Contains("No such file or directory"));
    }
}

TEST_CASE("a key that does not belong to the certificate throws mas::ConfigError",
          "[channel][tls]") {
    mas::test::TempDir dir;
    const auto pki = mas::test::make_test_pki(dir.path());
    auto files = pki.server;
    files.key_file = pki.client.key_file;

    try {
        mas::make_ssl_server_context(files);
        FAIL("no exception thrown");
    } catch (const mas::ConfigError& e) {
        CHECK_THAT(e.what(), Contains(files.key_file.string()) && Contains("key values mismatch"));
    }
}
