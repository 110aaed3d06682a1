#pragma once
// SocketImpl: the state of one smart socket, on one executor and without locks. Connections
// report to it (HELLO done, payload received, ACK received, ended); it routes sends, buffers
// them while no peer is there, and resends unacknowledged at-least-once messages.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include "channel/listener.hpp"
#include "core/wait_list.hpp"
#include "mas/msg/socket.hpp"
#include "msg/connection.hpp"
#include "msg/receive_queue.hpp"
#include "msg/unacked_table.hpp"

namespace mas::msg::detail {

class SocketImpl : public std::enable_shared_from_this<SocketImpl> {
public:
    using Clock = std::chrono::steady_clock;

    SocketImpl(asio::any_io_executor executor, SocketOptions options);

    asio::awaitable<Endpoint> bind(Endpoint endpoint, BindOptions options);
    void connect(Endpoint endpoint, ConnectOptions options);
    asio::awaitable<void> send(std::string payload, const Identity* to);
    bool try_send(std::string_view payload, const Identity* to);
    asio::awaitable<std::string> recv();
    asio::awaitable<Message> recv_identity();
    asio::awaitable<std::optional<Message>> next();
    std::optional<std::string> try_recv();
    std::optional<Message> try_recv_identity();
    asio::awaitable<void> wait_connections(std::size_t count);
    asio::awaitable<void> flush();
    void close() noexcept;

    // ---- reports from connections ----
    /// The peer's HELLO was valid; false if its identity is already connected (a duplicate).
    bool activate(const std::shared_ptr<Connection>& connection);
    /// Inline: called for every message received.
    void deliver(const Identity& from, std::string_view payload) {
        received_.push(from, payload);
        if (!readable_.empty()) readable_.notify_all();
    }
    void acknowledged(const MsgId& id);
    /// `unsent`: payloads that never reached the transport and may go to another peer.
    void ended(const Connection& connection, std::vector<std::string> unsent);
    /// A connection finished a write; `idle`: nothing more is queued on it.
    void drained(bool idle = false);
    /// Whether connections should pause reading (too many messages wait for recv()).
    [[nodiscard]] bool receive_full() const noexcept { return received_.size() >= options_.max_queued_messages; }
    asio::awaitable<void> wait_receive_space() { return reader_resume_.wait(); }

    [[nodiscard]] const SocketOptions& options() const noexcept { return options_; }
    [[nodiscard]] const Identity& identity() const noexcept { return identity_; }
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] bool is_closed() const noexcept { return closed_; }
    [[nodiscard]] asio::any_io_executor executor() const { return executor_; }
    [[nodiscard]] std::vector<Identity> peers() const;
    [[nodiscard]] std::size_t connection_count() const noexcept { return active_.size(); }
    [[nodiscard]] std::size_t buffered_messages() const noexcept { return unsent_.size(); }
    [[nodiscard]] std::size_t unacknowledged() const noexcept { return unacked_.size(); }

private:
    struct Outgoing {
        std::string payload;
        std::optional<MsgId> id;  // at-least-once
    };
    struct Unacked {
        std::string payload;
        std::optional<Identity> to;
        int resends_left;
        Clock::time_point deadline;
        bool buffered;  // waiting in unsent_ for a peer; its clock starts when it goes out
    };
    struct Connector;

    asio::awaitable<void> connect_loop(std::shared_ptr<Connector> connector);
    void serve(mas::detail::TransportPtr transport);
    std::shared_ptr<Connection> find(const Identity& identity) const;
    /// Throws what send() and try_send() throw before anything is sent.
    void check_sendable(std::size_t size, const Identity* to) const;
    /// Sends or buffers at once; the caller has checked the message and the high-water mark.
    void dispatch(std::string_view payload, const Identity* to);
    /// Sends to a peer by the send mode, or buffers if there is none.
    void route(Outgoing message);
    void write_to(Connection& connection, const Outgoing& message, bool requeue);
    /// Sends an at-least-once message and starts its resend clock.
    void send_tracked(Connection& connection, const MsgId& id, Unacked& entry);
    /// The peer whose turn it is in round-robin order; there must be one.
    Connection& next_in_turn();
    /// Keeps an at-least-once message in the buffer until a peer is there; its resend clock
    /// starts when it goes out.
    void buffer_unacked(const MsgId& id, Unacked& entry);
    void flush_buffered();
    [[nodiscard]] bool write_blocked() const noexcept;
    [[nodiscard]] bool settled() const noexcept;
    void arm_resend_timer();
    asio::awaitable<void> resend_loop();
    void resend_due();
    [[noreturn]] void throw_closed() const;
    /// Wakes paused readers once the queue has room again.
    void taken();
    asio::awaitable<void> wait_for_messages();
    asio::awaitable<void> wait_writable();

    asio::any_io_executor executor_;
    SocketOptions options_;
    Identity identity_;
    std::string name_;  // "socket 1a2b3c4d" in log lines
    mas::detail::Registry& registry_;

    std::vector<std::shared_ptr<Connection>> connections_;  // all, including those in HELLO
    std::vector<std::shared_ptr<Connection>> active_;       // HELLO done, in connection order
    std::size_t next_robin_ = 0;
    std::vector<std::shared_ptr<mas::detail::Listener>> listeners_;
    std::vector<std::shared_ptr<Connector>> connectors_;

    std::deque<Outgoing> unsent_;
    std::size_t unsent_bytes_ = 0;
    ReceiveQueue received_;

    UnackedTable<Unacked> unacked_;
    std::deque<std::pair<Clock::time_point, MsgId>> resend_order_;  // deadlines, oldest first
    std::optional<asio::steady_timer> resend_timer_;
    bool resend_loop_running_ = false;
    std::uint64_t msg_counter_ = 0;

    mas::detail::WaitList readable_{registry_, true};
    mas::detail::WaitList writable_{registry_, true};
    mas::detail::WaitList reader_resume_{registry_, true};
    mas::detail::WaitList connections_changed_{registry_, true};
    mas::detail::WaitList settled_{registry_, true};  // flush() callers
    bool closed_ = false;
};

}  // namespace mas::msg::detail
