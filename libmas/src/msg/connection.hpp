#pragma once
// Connection: one transport of a smart socket. It sends its HELLO, checks the peer's, then reads
// frames until the connection ends, while a watchdog sends heartbeats after send-idleness and
// tears the connection down after receive-silence. Frames to send are appended to a buffer that
// goes out in one write per batch, as in a channel.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include "channel/frame_buffer.hpp"
#include "channel/transport.hpp"
#include "mas/msg/envelope.hpp"

namespace mas::msg::detail {

class SocketImpl;

class Connection : public std::enable_shared_from_this<Connection> {
public:
    using Clock = std::chrono::steady_clock;

    Connection(std::shared_ptr<SocketImpl> socket, mas::detail::TransportPtr transport);

    /// The whole life of the connection: HELLO exchange, reading, and the report to the socket
    /// when it ends. Never throws.
    asio::awaitable<void> run();

    /// `requeue`: whether the payload may go to another peer if this connection dies before
    /// the frame was handed to the transport (plain round-robin and publish data).
    void append_data(std::string_view payload, bool requeue);
    void append_data_req(const MsgId& id, std::string_view payload);
    void append_ack(const MsgId& id);

    enum class End {
        local,    ///< closed here on purpose: queued frames get close_linger to go out
        by_peer,  ///< the peer closed it
        failure   ///< lost, timed out, broken or refused: logged as a warning
    };
    /// Ends the connection; the read loop then reports to the socket.
    void close(const std::string& reason, End how) noexcept;

    [[nodiscard]] bool active() const noexcept { return active_; }
    [[nodiscard]] bool closed() const noexcept { return closed_; }
    [[nodiscard]] const Identity& peer_identity() const noexcept { return peer_identity_; }
    /// "127.0.0.1:4242" before the HELLO, "127.0.0.1:4242 (1a2b...)" after.
    [[nodiscard]] std::string describe() const;
    [[nodiscard]] std::size_t buffered_bytes() const noexcept { return out_.size(); }
    /// Nothing queued and no write under way.
    [[nodiscard]] bool idle() const noexcept { return out_.empty() && !writer_busy_; }

private:
    asio::awaitable<void> read_loop();
    asio::awaitable<void> watchdog();
    /// Handles every complete frame in the read buffer; false once the connection must end.
    bool dispatch_frames();
    bool handle_frame(std::string_view envelope);
    bool handle_hello(const Envelope& hello);
    void start_write();
    void on_written(std::error_code ec);
    /// Closes the transport once; pending reads and writes then fail.
    void shut() noexcept;
    /// Payloads of requeue-able frames that were never handed to the transport.
    std::vector<std::string> take_unsent();

    std::shared_ptr<SocketImpl> socket_;
    mas::detail::TransportPtr transport_;
    std::string peer_address_;
    Identity peer_identity_{};
    bool active_ = false;
    bool closed_ = false;
    bool transport_closed_ = false;

    mas::detail::FrameBuffer in_;

    std::string out_;      // frames not handed to the transport yet
    std::string writing_;  // the batch being written
    // Offsets in out_ of the DATA frames that must not go to another peer if this connection dies
    // before writing them (sent to this peer's identity); every other DATA frame may. Frames of
    // other types are never moved: HELLO, HEARTBEAT and ACK belong to this connection, and an
    // unacknowledged DATA_REQ is resent by the socket's timer.
    std::vector<std::size_t> out_kept_;
    bool writer_busy_ = false;

    Clock::time_point last_sent_;
    Clock::time_point last_received_;
    std::optional<asio::steady_timer> watchdog_timer_;
    std::optional<asio::steady_timer> linger_timer_;
};

}  // namespace mas::msg::detail
