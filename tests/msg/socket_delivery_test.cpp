// Smart sockets: at-least-once delivery (resends, giving up).
#include <catch2/catch.hpp>

#include "msg/socket_support.hpp"

using namespace mas;
using namespace mas::msg;
using namespace mas::msg::testing;
using namespace std::chrono_literals;
using namespace std::string_literals;

// ---- at-least-once ---------------------------------------------------------------------------

namespace {

// A relay between two sockets that drops the first ACK on its way back. The pumps share it, so
// it lives until both have seen their connection end.
struct Relay {
    Relay(test::RawPeer sender_side, test::RawPeer receiver_side)
        : sender_side(std::move(sender_side)), receiver_side(std::move(receiver_side)) {}
    test::RawPeer sender_side;
    test::RawPeer receiver_side;
    int dropped_acks = 0;
};

asio::awaitable<void> pump(std::shared_ptr<Relay> relay, bool towards_receiver) {
    auto& from = towards_receiver ? relay->sender_side : relay->receiver_side;
    auto& to = towards_receiver ? relay->receiver_side : relay->sender_side;
    try {
        for (;;) {
            const auto frame = co_await from.read_frame();
            const bool ack = !frame.payload.empty() && frame.payload[0] == '\x05';
            if (!towards_receiver && ack && relay->dropped_acks == 0) {
                ++relay->dropped_acks;
                continue;
            }
            const auto bytes = test::raw_frame(frame.payload);
            co_await to.write(bytes);
        }
    } catch (const std::system_error&) {
        from.close();
        to.close();
    }
}

asio::awaitable<void> lost_ack(asio::io_context& io, Socket& sender, Socket& receiver) {
    const auto any_port = Endpoint::tcp("127.0.0.1", 0);
    const auto bound = co_await receiver.bind(any_port);
    test::RawListener listener(io.get_executor());
    sender.connect(listener.endpoint());
    auto sender_side = co_await listener.accept();
    auto receiver_side = co_await test::raw_connect(bound.port);
    auto relay = std::make_shared<Relay>(std::move(sender_side), std::move(receiver_side));
    asio::co_spawn(io, pump(relay, true), asio::detached);
    asio::co_spawn(io, pump(relay, false), asio::detached);

    auto important_batch = std::vector<std::string>{"important"};
    co_await send_all(sender, std::move(important_batch));
    auto got2 = co_await receiver.recv();
    CHECK(got2 == "important");
    // Its ACK was dropped, so the sender sends it again; at-least-once means a duplicate here.
    auto got3 = co_await receiver.recv();
    CHECK(got3 == "important");
    co_await sender.flush();
    CHECK(relay->dropped_acks == 1);
    CHECK(sender.unacknowledged() == 0);
    sender.close();
    receiver.close();
}

asio::awaitable<void> never_acked(asio::io_context& io, Socket& sender, Event& given_up) {
    test::RawListener listener(io.get_executor());
    sender.connect(listener.endpoint());
    auto raw = co_await listener.accept();
    co_await raw.write(hello_frame(peer_x));
    const auto their_hello = co_await raw.read_frame();
    CHECK(their_hello.payload[0] == '\x01');
    auto lost_batch = std::vector<std::string>{"lost"};
    co_await send_all(sender, std::move(lost_batch));
    const auto first = co_await raw.read_frame();
    const auto again = co_await raw.read_frame();
    CHECK(first.payload[0] == '\x04');
    CHECK(first.payload.substr(17) == "lost");
    CHECK(again.payload == first.payload);  // the same message id
    co_await given_up.wait();
    CHECK(sender.unacknowledged() == 0);
}

}  // namespace

TEST_CASE("An at-least-once message whose ACK is lost is sent again until acknowledged", "[msg][integration]") {
    asio::io_context io;
    SocketOptions options;
    options.delivery = Delivery::at_least_once;
    options.resend_timeout = 100ms;
    Socket sender(io.get_executor(), options);
    Socket receiver(io.get_executor());
    test::run(io, lost_ack(io, sender, receiver));
}

TEST_CASE("An at-least-once message never acknowledged is given up after max_resends and reported", "[msg]") {
    asio::io_context io;
    Event given_up(io.get_executor());
    std::string undelivered;
    SocketOptions options;
    options.delivery = Delivery::at_least_once;
    options.resend_timeout = 30ms;
    options.max_resends = 1;
    options.on_undelivered = [&](const std::string& payload) {
        undelivered = payload;
        given_up.set();
    };
    Socket sender(io.get_executor(), options);
    test::run(io, never_acked(io, sender, given_up));
    CHECK(undelivered == "lost");
}
