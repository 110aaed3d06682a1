#include "msg/socket_impl.hpp"

#include <algorithm>
#include <cstring>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <openssl/rand.h>

#include "channel/connect.hpp"
#include "mas/core/error.hpp"
#include "mas/core/log.hpp"
#include "mas/core/with_timeout.hpp"
#include "msg/msg_log.hpp"

namespace mas::msg::detail {
namespace {

constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

void validate(const SocketOptions& o) {
    using Duration = std::chrono::steady_clock::duration;
    const auto positive = [](Duration d, const char* name) {
        if (d <= Duration::zero()) throw ConfigError(fmt::format("socket option {} must be positive", name));
    };
    positive(o.heartbeat_interval, "heartbeat_interval");
    positive(o.heartbeat_timeout, "heartbeat_timeout");
    positive(o.resend_timeout, "resend_timeout");
    positive(o.connect_timeout, "connect_timeout");
    if (o.max_resends < 0) throw ConfigError("socket option max_resends must not be negative");
    if (!o.reconnect_delay) throw ConfigError("socket option reconnect_delay must be set");
    if (o.max_frame_size < 1 + 16 + 1) throw ConfigError("socket option max_frame_size must be at least 18 bytes");
    if (o.write_high_water == 0) throw ConfigError("socket option write_high_water must be positive");
    if (o.max_queued_messages == 0) throw ConfigError("socket option max_queued_messages must be positive");
}

std::uint64_t random_u64() {
    std::uint64_t value = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&value), sizeof value) != 1) {
        throw Error("cannot draw random bytes for message ids (OpenSSL RAND_bytes failed)");
    }
    return value;
}

}  // namespace

spdlog::logger& msg_log() {
    static const auto instance = mas::log("mas.msg");
    return *instance;
}

struct SocketImpl::Connector {
    Endpoint endpoint;
    ConnectOptions options;
    std::optional<asio::steady_timer> timer;
    std::shared_ptr<Connection> current;
};

SocketImpl::SocketImpl(asio::any_io_executor executor, SocketOptions options)
    : executor_(std::move(executor)),
      options_((validate(options), std::move(options))),
      identity_(options_.identity ? *options_.identity : random_identity()),
      name_("socket " + to_hex(identity_).substr(0, 8)),
      registry_(mas::detail::registry_of(executor_)),
      unacked_(random_u64()) {}

// ---- bind and connect ------------------------------------------------------------------------

asio::awaitable<Endpoint> SocketImpl::bind(Endpoint endpoint, BindOptions options) {
    auto self = shared_from_this();
    if (closed_) throw_closed();
    mas::detail::ListenOptions listen_options;
    listen_options.ssl = options.ssl;
    listen_options.tls_handshake_timeout = options.tls_handshake_timeout;
    listen_options.owner = name_;
    auto on_accept = [weak = weak_from_this()](mas::detail::TransportPtr transport) {
        if (auto socket = weak.lock(); socket && !socket->closed_) socket->serve(std::move(transport));
    };
    auto listener = std::make_shared<mas::detail::Listener>(executor_, std::move(endpoint),
                                                            std::move(listen_options), std::move(on_accept));
    co_await listener->listen();
    if (closed_) {
        listener->close();
        throw_closed();
    }
    listeners_.push_back(listener);
    msg_log().debug("{}: bound to {}", name_, listener->endpoint().to_string());
    co_return listener->endpoint();
}

void SocketImpl::serve(mas::detail::TransportPtr transport) {
    auto connection = std::make_shared<Connection>(shared_from_this(), std::move(transport));
    connections_.push_back(connection);
    asio::co_spawn(executor_, connection->run(), asio::detached);  // run() never throws
}

void SocketImpl::connect(Endpoint endpoint, ConnectOptions options) {
    if (closed_) throw_closed();
    if (options.ssl && endpoint.kind != Endpoint::Kind::tcp) {
        throw ConfigError("TLS is only supported over TCP, not on " + endpoint.to_string());
    }
    auto connector = std::make_shared<Connector>();
    connector->endpoint = std::move(endpoint);
    connector->options = std::move(options);
    connector->timer.emplace(executor_);
    connectors_.push_back(connector);
    asio::co_spawn(executor_, connect_loop(std::move(connector)), [name = name_](std::exception_ptr error) {
        if (!error) return;
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            msg_log().error("{}: stopped reconnecting: {}", name, e.what());
        }
    });
}

asio::awaitable<void> SocketImpl::connect_loop(std::shared_ptr<Connector> connector) {
    auto self = shared_from_this();
    mas::ConnectOptions connect_options;
    connect_options.ssl = connector->options.ssl;
    connect_options.tls_server_name = connector->options.tls_server_name;
    const auto target = connector->endpoint.to_string();
    unsigned failures = 0;
    while (!closed_) {
        mas::detail::TransportPtr transport;
        try {
            auto attempt = mas::detail::connect_transport(connector->endpoint, connect_options);
            auto timed = with_timeout(std::move(attempt), options_.connect_timeout, "connecting to " + target);
            transport = co_await std::move(timed);
        } catch (const ConnectionError& e) {
            // Once per outage, not at every attempt; a refused certificate will not fix itself.
            if (!mas::detail::worth_retrying(e)) {
                if (failures == 0) msg_log().error("{}: {}; retrying", name_, e.what());
            } else if (failures == 0) {
                msg_log().info("{}: {}; retrying until it is up", name_, e.what());
            }
        } catch (const Timeout& e) {
            if (failures == 0) msg_log().info("{}: {}; retrying", name_, e.what());
        }
        if (closed_) break;
        if (transport) {
            auto connection = std::make_shared<Connection>(self, std::move(transport));
            connections_.push_back(connection);
            connector->current = connection;
            co_await connection->run();
            connector->current.reset();
            if (closed_) break;
            failures = connection->active() ? 0 : failures + 1;
        } else {
            ++failures;
        }
        connector->timer->expires_after(options_.reconnect_delay(failures));
        co_await connector->timer->async_wait(use_tuple);
    }
}

// ---- reports from connections ----------------------------------------------------------------

bool SocketImpl::activate(const std::shared_ptr<Connection>& connection) {
    if (closed_ || find(connection->peer_identity())) return false;
    active_.push_back(connection);
    msg_log().info("{}: peer {} connected", name_, to_hex(connection->peer_identity()));
    connections_changed_.notify_all();
    flush_buffered();
    return true;
}

void SocketImpl::acknowledged(const MsgId& id) {
    if (!unacked_.erase(id)) return;
    // Acknowledged messages leave their deadlines behind; those at the front go now, so that with
    // ACKs in order the queue holds no more than the messages in flight (others are skipped when
    // they come due).
    while (!resend_order_.empty()) {
        const auto& [deadline, front_id] = resend_order_.front();
        const auto* pending = unacked_.find(front_id);
        if (pending && !pending->buffered && pending->deadline == deadline) break;
        resend_order_.pop_front();
    }
    if (unacked_.empty() && !settled_.empty() && settled()) settled_.notify_all();
}

void SocketImpl::ended(const Connection& connection, std::vector<std::string> unsent) {
    std::erase_if(connections_, [&](const auto& c) { return c.get() == &connection; });
    const auto before = active_.size();
    std::erase_if(active_, [&](const auto& c) { return c.get() == &connection; });
    if (active_.size() != before) {
        msg_log().info("{}: peer {} disconnected", name_, to_hex(connection.peer_identity()));
        connections_changed_.notify_all();
    }
    if (!unsent.empty()) {
        if (closed_) {
            msg_log().warn("{}: {} messages for {} were not sent before the socket closed", name_, unsent.size(),
                           connection.describe());
        } else if (options_.send_mode == SendMode::publish && !active_.empty()) {
            // They were that peer's copies; the peers still here have theirs.
            msg_log().warn("{}: {} published messages for {} were lost with its connection", name_, unsent.size(),
                           connection.describe());
        } else {
            // Never handed to the transport, so certainly not received: they go out again, first.
            for (auto it = unsent.rbegin(); it != unsent.rend(); ++it) {
                unsent_bytes_ += it->size();
                unsent_.push_front(Outgoing{std::move(*it), std::nullopt});
            }
            flush_buffered();
        }
    }
    drained(true);
}

void SocketImpl::drained(bool idle) {
    if (!writable_.empty() && !write_blocked()) writable_.notify_all();
    if (idle && !settled_.empty() && settled()) settled_.notify_all();
}

bool SocketImpl::settled() const noexcept {
    return unsent_.empty() && unacked_.empty() &&
           std::all_of(connections_.begin(), connections_.end(), [](const auto& c) { return c->idle(); });
}

// ---- sending ---------------------------------------------------------------------------------

asio::awaitable<void> SocketImpl::wait_writable() {
    auto self = shared_from_this();
    while (!closed_ && write_blocked()) co_await writable_.wait();
}

void SocketImpl::check_sendable(std::size_t size, const Identity* to) const {
    if (closed_) throw_closed();
    const bool reliable = options_.delivery == Delivery::at_least_once;
    if (reliable && !to && options_.send_mode == SendMode::publish) {
        throw ConfigError("at-least-once delivery is not available with the publish send mode (aiomsg protocol "
                          "section 6); use round-robin, or send to one identity");
    }
    if (size + 1 + (reliable ? 16 : 0) > options_.max_frame_size) {
        throw CodecError(fmt::format("message of {} bytes exceeds the maximum frame size of {} bytes", size,
                                     options_.max_frame_size));
    }
}

asio::awaitable<void> SocketImpl::send(std::string payload, const Identity* to) {
    // `to`, if set, lives in the caller's coroutine frame until this one has finished.
    check_sendable(payload.size(), to);
    if (write_blocked()) co_await wait_writable();
    if (closed_) throw_closed();
    dispatch(payload, to);
}

bool SocketImpl::try_send(std::string_view payload, const Identity* to) {
    check_sendable(payload.size(), to);
    if (write_blocked()) return false;
    dispatch(payload, to);
    return true;
}

void SocketImpl::dispatch(std::string_view payload, const Identity* to) {
    const bool reliable = options_.delivery == Delivery::at_least_once;
    if (!to && !reliable && !active_.empty()) {
        // The common case, straight into the connections' buffers.
        if (options_.send_mode == SendMode::publish) {
            for (const auto& c : active_) c->append_data(payload, true);
        } else {
            next_in_turn().append_data(payload, true);
        }
        return;
    }
    std::shared_ptr<Connection> peer;
    if (to) {
        peer = find(*to);
        if (!peer) {
            throw ConnectionError(fmt::format("{}: no peer with identity {} is connected", name_, to_hex(*to)),
                                  make_error_code(errc::not_found));
        }
    }
    if (!reliable) {
        Outgoing message{std::string(payload), std::nullopt};
        if (peer) {
            write_to(*peer, message, false);
        } else {
            route(std::move(message));
        }
        return;
    }
    const auto counter = msg_counter_++;
    const auto id = unacked_.id_of(counter);
    auto& entry = unacked_.insert(counter, Unacked{std::string(payload), to ? std::optional(*to) : std::nullopt,
                                                   options_.max_resends, Clock::time_point(), false});
    if (peer) {
        send_tracked(*peer, id, entry);
    } else if (!active_.empty()) {
        send_tracked(next_in_turn(), id, entry);
    } else {
        buffer_unacked(id, entry);
    }
}

Connection& SocketImpl::next_in_turn() {
    next_robin_ %= active_.size();
    return *active_[next_robin_++];
}

void SocketImpl::buffer_unacked(const MsgId& id, Unacked& entry) {
    entry.buffered = true;
    unsent_bytes_ += entry.payload.size();
    unsent_.push_back(Outgoing{entry.payload, id});
}

std::shared_ptr<Connection> SocketImpl::find(const Identity& identity) const {
    for (const auto& c : active_) {
        if (c->peer_identity() == identity) return c;
    }
    return nullptr;
}

void SocketImpl::route(Outgoing message) {
    if (active_.empty()) {
        if (message.id) {
            if (auto* entry = unacked_.find(*message.id)) entry->buffered = true;
        }
        unsent_bytes_ += message.payload.size();
        unsent_.push_back(std::move(message));
        return;
    }
    if (options_.send_mode == SendMode::publish && !message.id) {
        for (const auto& c : active_) write_to(*c, message, true);
        return;
    }
    write_to(next_in_turn(), message, true);
}

void SocketImpl::write_to(Connection& connection, const Outgoing& message, bool requeue) {
    if (!message.id) {
        connection.append_data(message.payload, requeue);
        return;
    }
    if (auto* entry = unacked_.find(*message.id)) send_tracked(connection, *message.id, *entry);
}

void SocketImpl::send_tracked(Connection& connection, const MsgId& id, Unacked& entry) {
    connection.append_data_req(id, entry.payload);
    entry.buffered = false;
    entry.deadline = Clock::now() + options_.resend_timeout;
    resend_order_.emplace_back(entry.deadline, id);
    arm_resend_timer();
}

void SocketImpl::flush_buffered() {
    while (!unsent_.empty() && !active_.empty()) {
        auto message = std::move(unsent_.front());
        unsent_.pop_front();
        unsent_bytes_ -= message.payload.size();
        if (message.id && !unacked_.find(*message.id)) continue;  // acknowledged meanwhile
        route(std::move(message));
    }
}

bool SocketImpl::write_blocked() const noexcept {
    if (unsent_bytes_ >= options_.write_high_water) return true;
    return std::any_of(active_.begin(), active_.end(),
                       [&](const auto& c) { return c->buffered_bytes() >= options_.write_high_water; });
}

// ---- at-least-once ---------------------------------------------------------------------------

void SocketImpl::arm_resend_timer() {
    if (resend_loop_running_ || closed_) return;
    resend_loop_running_ = true;
    if (!resend_timer_) resend_timer_.emplace(executor_);
    asio::co_spawn(executor_, resend_loop(), [name = name_](std::exception_ptr error) {
        if (!error) return;
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            msg_log().error("{}: resending stopped: {}", name, e.what());
        }
    });
}

asio::awaitable<void> SocketImpl::resend_loop() {
    auto self = shared_from_this();
    while (!closed_ && !resend_order_.empty()) {
        resend_timer_->expires_at(resend_order_.front().first);
        co_await resend_timer_->async_wait(use_tuple);
        if (closed_) break;
        resend_due();
    }
    resend_loop_running_ = false;
}

void SocketImpl::resend_due() {
    const auto now = Clock::now();
    const auto next_deadline = now + options_.resend_timeout;
    while (!resend_order_.empty() && resend_order_.front().first <= now) {
        const auto [deadline, id] = resend_order_.front();
        resend_order_.pop_front();
        auto* pending = unacked_.find(id);
        // Acknowledged, waiting in the buffer for a peer, or already rescheduled.
        if (!pending || pending->buffered || pending->deadline != deadline) continue;
        auto& entry = *pending;
        if (entry.resends_left == 0) {
            auto payload = std::move(entry.payload);
            unacked_.erase(id);
            msg_log().error("{}: gave up on a message of {} bytes: not acknowledged after {} resends", name_,
                            payload.size(), options_.max_resends);
            if (unacked_.empty() && !settled_.empty() && settled()) settled_.notify_all();
            if (options_.on_undelivered) {
                try {
                    options_.on_undelivered(payload);
                } catch (const std::exception& e) {
                    msg_log().error("{}: on_undelivered threw: {}", name_, e.what());
                }
            }
            continue;
        }
        if (!entry.to && active_.empty()) {
            // Nobody to send it to: it waits in the buffer, and its clock starts when it goes out.
            buffer_unacked(id, entry);
            continue;
        }
        const auto peer = entry.to ? find(*entry.to) : nullptr;
        Connection* to = entry.to ? peer.get() : &next_in_turn();
        if (to) {
            --entry.resends_left;
            msg_log().debug("{}: resending an unacknowledged message to {}", name_, to->describe());
            to->append_data_req(id, entry.payload);
        }
        // A by-identity message whose peer is away waits for it without using up a resend.
        entry.deadline = next_deadline;
        resend_order_.emplace_back(next_deadline, id);
    }
}

// ---- receiving and state ---------------------------------------------------------------------

// recv(), recv_identity() and next() are each one coroutine frame per message as long as messages
// are waiting; only an empty queue costs a second frame and a reference that keeps this socket
// alive while the caller is suspended.
asio::awaitable<void> SocketImpl::wait_for_messages() {
    auto self = shared_from_this();
    while (received_.empty() && !closed_) co_await readable_.wait();
}

asio::awaitable<std::string> SocketImpl::recv() {
    if (received_.empty() && !closed_) co_await wait_for_messages();
    if (received_.empty()) throw_closed();
    auto payload = received_.pop_payload();
    taken();
    co_return payload;
}

asio::awaitable<Message> SocketImpl::recv_identity() {
    if (received_.empty() && !closed_) co_await wait_for_messages();
    if (received_.empty()) throw_closed();
    auto message = received_.pop();
    taken();
    co_return message;
}

asio::awaitable<std::optional<Message>> SocketImpl::next() {
    if (received_.empty() && !closed_) co_await wait_for_messages();
    if (received_.empty()) co_return std::nullopt;
    std::optional<Message> message(received_.pop());
    taken();
    co_return message;
}

std::optional<std::string> SocketImpl::try_recv() {
    if (received_.empty()) return std::nullopt;
    std::optional<std::string> payload(received_.pop_payload());
    taken();
    return payload;
}

std::optional<Message> SocketImpl::try_recv_identity() {
    if (received_.empty()) return std::nullopt;
    std::optional<Message> message(received_.pop());
    taken();
    return message;
}

void SocketImpl::taken() {
    if (!reader_resume_.empty() && !receive_full()) reader_resume_.notify_all();
}

asio::awaitable<void> SocketImpl::flush() {
    auto self = shared_from_this();
    while (!closed_ && !settled()) co_await settled_.wait();
    if (closed_) throw_closed();
}

asio::awaitable<void> SocketImpl::wait_connections(std::size_t count) {
    auto self = shared_from_this();
    while (!closed_ && active_.size() != count) co_await connections_changed_.wait();
    if (active_.size() != count) throw_closed();
}

std::vector<Identity> SocketImpl::peers() const {
    std::vector<Identity> result;
    result.reserve(active_.size());
    for (const auto& c : active_) result.push_back(c->peer_identity());
    return result;
}

void SocketImpl::close() noexcept {
    if (closed_) return;
    closed_ = true;
    msg_log().debug("{}: closing", name_);
    try {
        for (auto& listener : listeners_) listener->close();
        listeners_.clear();
        for (auto& connector : connectors_) connector->timer->cancel();
        connectors_.clear();
        // Each connection's own coroutine keeps it alive until it has ended; dropping them here
        // breaks the reference cycle with this socket even if the io_context never runs again.
        const auto connections = std::move(connections_);
        connections_.clear();
        active_.clear();
        for (const auto& c : connections) c->close("socket closed", Connection::End::local);
        if (resend_timer_) resend_timer_->cancel();
        if (!unsent_.empty()) {
            msg_log().warn("{}: closed with {} messages never sent (no peer connected)", name_, unsent_.size());
        }
        if (!unacked_.empty()) {
            msg_log().warn("{}: closed with {} at-least-once messages not acknowledged", name_, unacked_.size());
        }
        readable_.notify_all();
        writable_.notify_all();
        reader_resume_.notify_all();
        connections_changed_.notify_all();
        settled_.notify_all();
    } catch (const std::exception& e) {
        msg_log().error("{}: error while closing: {}", name_, e.what());
    }
}

void SocketImpl::throw_closed() const {
    throw ConnectionError(fmt::format("{} is closed", name_), make_error_code(errc::closed));
}

}  // namespace mas::msg::detail
