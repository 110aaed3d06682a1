#pragma once
// MsgStream: the soak's smart-socket part. A sender with at-least-once delivery reaches a receiver
// through the relay process the soak kills; both sockets live in the driver, so every message
// the sender got an acknowledgement for is in the receiver's hands, and any id the receiver never
// sees is a message lost by the sockets, not by a dying process.

#include <chrono>
#include <cstdint>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include "mas/msg/socket.hpp"

namespace mas::soak {

struct MsgStats {
    std::uint64_t sent = 0;
    std::uint64_t received = 0;    // with repeats
    std::uint64_t distinct = 0;    // ids seen at least once
    std::uint64_t lost = 0;        // sent, never seen
    std::uint64_t given_up = 0;    // reported undelivered by the sender after its resends
    bool flushed = false;          // every message acknowledged before the deadline
};

class MsgStream {
public:
    MsgStream(asio::any_io_executor executor, unsigned rate_per_s);

    /// Makes room for the ids of `count` messages now, so that the driver's memory at the start
    /// already holds the soak's own bookkeeping and its growth is the library's.
    void expect(std::uint64_t count);
    /// Binds the receiver on a free loopback port and returns it.
    asio::awaitable<std::uint16_t> bind_receiver();
    /// Starts the sender's connect end towards the relay.
    void connect_sender(std::uint16_t relay_port);
    /// Receives until the receiver is closed.
    asio::awaitable<void> receive();
    /// Sends numbered messages at the set rate until `end`.
    asio::awaitable<void> send_until(std::chrono::steady_clock::time_point end);
    /// Waits up to `timeout` for every message to be acknowledged and seen, closes both sockets
    /// and counts.
    asio::awaitable<MsgStats> finish(std::chrono::steady_clock::duration timeout);
    [[nodiscard]] std::uint64_t sent() const noexcept { return sent_; }

private:
    asio::awaitable<void> wait_all_seen();

    asio::any_io_executor executor_;
    unsigned rate_;
    std::uint64_t given_up_ = 0;
    msg::Socket sender_;
    msg::Socket receiver_;
    std::uint64_t sent_ = 0;
    std::uint64_t received_ = 0;
    std::uint64_t distinct_ = 0;
    std::vector<std::uint8_t> seen_;
    // Never expires: the receiver cancels it once every id sent was seen, while finish() waits.
    asio::steady_timer all_seen_;
    bool finishing_ = false;
};

}  // namespace mas::soak
