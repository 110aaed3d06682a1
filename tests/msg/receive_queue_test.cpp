#include "msg/receive_queue.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

using mas::msg::Identity;
using mas::msg::detail::ReceiveQueue;

namespace {

Identity identity_of(int n) {
    Identity id{};
    id[0] = static_cast<std::uint8_t>(n);
    return id;
}

// Small payloads share the queue's buffer, large ones (over 4 KiB) do not; mixing them must not
// change what comes out.
std::string payload_of(int n) {
    if (n % 97 == 0) return std::string(5000 + static_cast<std::size_t>(n), static_cast<char>('a' + n % 26));
    return "message-" + std::to_string(n);
}

}  // namespace

TEST_CASE("ReceiveQueue hands out messages in order with their senders while it is filled and drained in turns",
          "[msg]") {
    ReceiveQueue queue;
    int pushed = 0;
    int popped = 0;
    // Uneven turns, so that consumed entries pile up in front and are compacted away.
    for (const int batch : {3000, 10, 2500, 1, 4000, 700}) {
        for (int i = 0; i < batch; ++i, ++pushed) queue.push(identity_of(pushed % 3), payload_of(pushed));
        const int take = batch / 2 + 1;
        for (int i = 0; i < take && !queue.empty(); ++i, ++popped) {
            if (popped % 2 == 0) {
                const auto message = queue.pop();
                REQUIRE(message.payload == payload_of(popped));
                REQUIRE(message.identity == identity_of(popped % 3));
            } else {
                REQUIRE(queue.pop_payload() == payload_of(popped));
            }
        }
        CHECK(queue.size() == static_cast<std::size_t>(pushed - popped));
    }
    while (!queue.empty()) REQUIRE(queue.pop_payload() == payload_of(popped++));
    CHECK(popped == pushed);
    // Empty, then used again.
    queue.push(identity_of(1), "again");
    CHECK(queue.pop().payload == "again");
    CHECK(queue.empty());
}
