#include "msg/connection.hpp"

#include <algorithm>
#include <cstring>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "mas/channel/frame.hpp"
#include "mas/core/error.hpp"
#include "msg/msg_log.hpp"
#include "msg/socket_impl.hpp"

namespace mas::msg::detail {
namespace {

constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

std::string_view type_name(std::uint8_t type) {
    switch (type) {
    case 0x01: return "HELLO";
    case 0x02: return "HEARTBEAT";
    case 0x03: return "DATA";
    case 0x04: return "DATA_REQ";
    case 0x05: return "ACK";
    default: return "unknown";
    }
}

}  // namespace

Connection::Connection(std::shared_ptr<SocketImpl> socket, mas::detail::TransportPtr transport)
    : socket_(std::move(socket)),
      transport_(std::move(transport)),
      peer_address_(transport_->peer()) {}

std::string Connection::describe() const {
    if (!active_) return peer_address_;
    return fmt::format("{} ({})", peer_address_, to_hex(peer_identity_));
}

asio::awaitable<void> Connection::run() {
    auto self = shared_from_this();
    last_sent_ = last_received_ = Clock::now();
    append_hello(out_, socket_->identity());
    start_write();
    watchdog_timer_.emplace(socket_->executor());
    asio::co_spawn(socket_->executor(), watchdog(), asio::detached);
    try {
        co_await read_loop();
    } catch (const std::exception& e) {
        // Nothing in the loop is meant to throw; if it does, the connection still ends cleanly.
        close(fmt::format("internal error: {}", e.what()), End::failure);
    }
    if (!closed_) close("connection ended", End::failure);
    socket_->ended(*this, take_unsent());
}

asio::awaitable<void> Connection::read_loop() {
    while (!closed_) {
        if (!dispatch_frames()) co_return;
        while (!closed_ && socket_->receive_full()) co_await socket_->wait_receive_space();
        if (closed_) co_return;
        std::error_code ec;
        auto n = co_await transport_->read_some(in_.space(), ec);
        if (closed_) co_return;
        if (ec) {
            const auto end = in_.end_of_reading(ec);
            close(end.reason, end.clean ? End::by_peer : End::failure);
            co_return;
        }
        in_.commit(n);
        last_received_ = Clock::now();
    }
}

bool Connection::dispatch_frames() {
    std::optional<std::uint32_t> too_large;
    // Frames that came in the same read as the HELLO are handled here too, before the next read.
    while (!closed_) {
        const auto envelope = in_.next(socket_->options().max_frame_size, too_large);
        if (!envelope) break;
        // The common case first: plain data on an established connection needs no decoding.
        if (active_ && !envelope->empty() && (*envelope)[0] == static_cast<char>(EnvelopeType::data)) {
            socket_->deliver(peer_identity_, envelope->substr(1));
            continue;
        }
        if (!handle_frame(*envelope)) return false;
    }
    if (too_large) {
        close(fmt::format("protocol error: frame length {} exceeds the maximum frame size of {} bytes", *too_large,
                          socket_->options().max_frame_size),
              End::failure);
        return false;
    }
    if (closed_) return false;
    in_.compact();
    return true;
}

bool Connection::handle_frame(std::string_view envelope) {
    std::optional<Envelope> decoded;
    try {
        decoded = decode_envelope(envelope);
    } catch (const ProtocolError& e) {
        close(fmt::format("protocol error: {}", e.what()), End::failure);
        return false;
    }
    if (!decoded) {
        // Forward compatibility: a later version may add types; the protocol says to skip them.
        msg_log().debug("{}: {}: skipped a frame of unknown type 0x{:02x}", socket_->name(), describe(),
                        static_cast<std::uint8_t>(envelope[0]));
        return true;
    }
    if (!active_) {
        if (decoded->type != EnvelopeType::hello) {
            close(fmt::format("protocol error: expected HELLO, got {}",
                              type_name(static_cast<std::uint8_t>(decoded->type))),
                  End::failure);
            return false;
        }
        return handle_hello(*decoded);
    }
    switch (decoded->type) {
    case EnvelopeType::data: socket_->deliver(peer_identity_, decoded->payload); break;
    case EnvelopeType::data_req:
        socket_->deliver(peer_identity_, decoded->payload);
        // On the connection the DATA_REQ came over, as the protocol requires.
        append_ack(decoded->msg_id);
        break;
    case EnvelopeType::ack: socket_->acknowledged(decoded->msg_id); break;
    case EnvelopeType::heartbeat: break;
    case EnvelopeType::hello:
        msg_log().debug("{}: {}: ignored a second HELLO", socket_->name(), describe());
        break;
    }
    return !closed_;
}

bool Connection::handle_hello(const Envelope& hello) {
    if (hello.version != protocol_version) {
        close(fmt::format("peer speaks aiomsg protocol version {}, this socket only version {}", hello.version,
                          protocol_version),
              End::failure);
        return false;
    }
    peer_identity_ = hello.identity;
    if (!socket_->activate(shared_from_this())) {
        close(fmt::format("a peer with identity {} is already connected; keeping that connection",
                          to_hex(hello.identity)),
              End::failure);
        return false;
    }
    active_ = true;
    // The watchdog slept until the HELLO deadline; from now on it also has heartbeats to send.
    watchdog_timer_->cancel();
    msg_log().debug("{}: connected to {}", socket_->name(), describe());
    return true;
}

asio::awaitable<void> Connection::watchdog() {
    auto self = shared_from_this();
    const auto interval = socket_->options().heartbeat_interval;
    const auto timeout = socket_->options().heartbeat_timeout;
    while (!closed_) {
        const auto now = Clock::now();
        const auto deadline = last_received_ + timeout;
        if (now >= deadline) {
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
            close(active_ ? fmt::format("nothing received for {} ms (heartbeat timeout)", ms)
                          : fmt::format("no HELLO received within {} ms", ms),
                  End::failure);
            co_return;
        }
        auto beat = last_sent_ + interval;
        if (active_ && now >= beat) {
            // A write still under way counts as sending.
            if (!writer_busy_) {
                append_heartbeat(out_);
                start_write();
            }
            beat = now + interval;
        }
        watchdog_timer_->expires_at(active_ ? std::min(beat, deadline) : deadline);
        co_await watchdog_timer_->async_wait(use_tuple);
    }
}

void Connection::append_data(std::string_view payload, bool requeue) {
    if (!requeue) out_kept_.push_back(out_.size());
    msg::append_data(out_, payload);
    start_write();
}

void Connection::append_data_req(const MsgId& id, std::string_view payload) {
    msg::append_data_req(out_, id, payload);  // never requeued: the resend timer takes care of it
    start_write();
}

void Connection::append_ack(const MsgId& id) {
    msg::append_ack(out_, id);
    start_write();
}

void Connection::start_write() {
    if (writer_busy_ || out_.empty() || transport_closed_) return;
    writing_.swap(out_);
    out_kept_.clear();  // handed over: whatever happens now, these frames may have arrived
    writer_busy_ = true;
    last_sent_ = Clock::now();
    transport_->async_write(asio::buffer(writing_),
                            [self = shared_from_this()](std::error_code ec) { self->on_written(ec); });
}

void Connection::on_written(std::error_code ec) {
    writer_busy_ = false;
    writing_.clear();
    if (ec) {
        if (!closed_) close(fmt::format("write failed: {}", ec.message()), End::failure);
        shut();
        return;
    }
    if (!out_.empty()) {
        start_write();
    } else if (closed_) {
        // Everything queued before a graceful close has gone out: now really close.
        shut();
        return;
    }
    if (out_.size() < socket_->options().write_high_water) socket_->drained(idle());
}

void Connection::close(const std::string& reason, End how) noexcept {
    if (closed_) return;
    closed_ = true;
    if (watchdog_timer_) watchdog_timer_->cancel();
    if (how == End::failure) {
        msg_log().warn("{}: connection to {} {}: {}", socket_->name(), describe(), active_ ? "lost" : "refused",
                       reason);
    } else {
        msg_log().debug("{}: connection to {} closed: {}", socket_->name(), describe(), reason);
    }
    if (how == End::local && (writer_busy_ || !out_.empty())) {
        try {
            // Stop reading, but let what is queued go out; never wait forever on a peer that does not read.
            linger_timer_.emplace(socket_->executor(), socket_->options().close_linger);
            linger_timer_->async_wait([self = shared_from_this()](std::error_code ec) {
                if (!ec) self->shut();
            });
            return;
        } catch (const std::exception& e) {
            msg_log().error("{}: error while closing {}: {}", socket_->name(), describe(), e.what());
        }
    }
    shut();
}

void Connection::shut() noexcept {
    // Also ends a graceful close's wait: once the transport is closed there is nothing to flush.
    if (linger_timer_) linger_timer_->cancel();
    if (transport_closed_) return;
    transport_closed_ = true;
    transport_->close();
}

std::vector<std::string> Connection::take_unsent() {
    std::vector<std::string> payloads;
    auto kept = out_kept_.begin();
    for (std::size_t pos = 0; pos < out_.size();) {
        const auto length = read_frame_length(out_.data() + pos);
        const bool is_data = out_[pos + frame_header_size] == static_cast<char>(EnvelopeType::data);
        const bool is_kept = kept != out_kept_.end() && *kept == pos;
        if (is_kept) ++kept;
        if (is_data && !is_kept) payloads.emplace_back(out_.data() + pos + data_overhead, length - 1);
        pos += frame_header_size + length;
    }
    out_.clear();
    out_kept_.clear();
    return payloads;
}

}  // namespace mas::msg::detail
