#pragma once
// What the smart-socket tests share: the networks they run over, a one-shot event, sending and
// receiving runs of messages, and raw frames for peers that speak the protocol by hand.

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "mas/channel/tls_context.hpp"
#include "mas/core/error.hpp"
#include "mas/msg/socket.hpp"
#include "support/raw_peer.hpp"
#include "support/run.hpp"
#include "support/test_pki.hpp"

namespace mas::msg::testing {

using namespace std::string_literals;

inline constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

enum class Net { tcp, tls, unix_socket };

// Where to bind and how to connect over one kind of network.
struct Setup {
    explicit Setup(Net net) : net(net) {
        switch (net) {
        case Net::tcp: listen = Endpoint::tcp("127.0.0.1", 0); break;
        case Net::unix_socket: listen = Endpoint::unix_socket((dir->path() / "msg.sock").string()); break;
        case Net::tls: {
            listen = Endpoint::tcp("127.0.0.1", 0);
            const auto pki = test::make_test_pki(dir->path());
            bind.ssl = std::make_shared<asio::ssl::context>(
                make_tls_server_context(pki.server.cert_file, pki.server.key_file));
            connect.ssl = std::make_shared<asio::ssl::context>(make_tls_client_context(pki.server.ca_file));
            break;
        }
        }
    }
    Net net;
    std::shared_ptr<test::TempDir> dir = std::make_shared<test::TempDir>();
    Endpoint listen;
    BindOptions bind;
    ConnectOptions connect;
};

inline const char* name_of(Net net) { return net == Net::tcp ? "tcp" : net == Net::tls ? "tls" : "unix"; }

// A one-shot event a callback can set and a coroutine can wait for.
class Event {
public:
    explicit Event(const asio::any_io_executor& executor) : timer_(executor, asio::steady_timer::time_point::max()) {}
    void set() {
        set_ = true;
        timer_.cancel();
    }
    asio::awaitable<void> wait() {
        while (!set_) co_await timer_.async_wait(use_tuple);
    }

private:
    asio::steady_timer timer_;
    bool set_ = false;
};

inline std::vector<std::string> numbered(const std::string& prefix, int count) {
    std::vector<std::string> out;
    for (int i = 0; i < count; ++i) out.push_back(prefix + std::to_string(i));
    return out;
}

inline asio::awaitable<void> send_all(Socket& socket, std::vector<std::string> payloads) {
    for (auto& payload : payloads) co_await socket.send(std::move(payload));
}

inline asio::awaitable<std::vector<std::string>> receive(Socket& socket, std::size_t count) {
    std::vector<std::string> got;
    while (got.size() < count) {
        auto payload = co_await socket.recv();
        got.push_back(std::move(payload));
    }
    co_return got;
}

inline std::string hello_frame(const Identity& identity, std::uint8_t version = 1) {
    return test::raw_frame("\x01"s + static_cast<char>(version) + std::string(identity.begin(), identity.end()));
}

inline std::string data_req_frame(const MsgId& id, const std::string& payload) {
    return test::raw_frame("\x04"s + std::string(id.begin(), id.end()) + payload);
}

inline const Identity peer_x = parse_identity("0123456789abcdef0123456789abcdef");

}  // namespace mas::msg::testing
