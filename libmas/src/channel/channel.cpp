#include "channel/channel_impl.hpp"
#include "channel/channel_log.hpp"
#include "channel/redialer.hpp"

#include <algorithm>
#include <cstring>

#include <asio/async_result.hpp>
#include <asio/co_spawn.hpp>
#include <asio/defer.hpp>
#include <asio/error.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "mas/core/log.hpp"

namespace mas::detail {

spdlog::logger& channel_log() {
    static const auto instance = mas::log("mas.channel");
    return *instance;
}

namespace {

std::string_view shorten(std::string_view text) { return text.substr(0, 200); }

}  // namespace

// ---- ChannelImpl -----------------------------------------------------------------------------

ChannelImpl::ChannelImpl(TransportPtr transport, const ChannelOptions& options)
    : transport_(std::move(transport)),
      executor_(transport_->executor()),
      codec_(options.codec ? options.codec : std::make_shared<const JsonCodec>()),
      options_(options),
      peer_(transport_->peer()),
      registry_(registry_of(executor_)) {}

ChannelImpl::~ChannelImpl() = default;

void ChannelImpl::start() {
    auto on_exit = [self = shared_from_this()](std::exception_ptr error) {
        if (!error) return;
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            channel_log().error("channel {}: internal error: {}", self->peer_, e.what());
            self->close(make_error_code(errc::protocol_error), std::string("internal error: ") + e.what());
        }
    };
    asio::co_spawn(executor_, read_loop(), on_exit);
}

asio::awaitable<Json> ChannelImpl::send(std::shared_ptr<ChannelImpl> self, Json content) {
    if (self->write_blocked()) co_await self->wait_writable();
    const auto id = self->next_id_++;  // used up even if encoding fails, as aiomas does
    self->enqueue_frame(MessageType::request, id, content);
    ChannelImpl* channel = self.get();
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr, Json)>(
        [channel, id](auto handler) {
            auto slot = asio::get_associated_cancellation_slot(handler);
            if (slot.is_connected()) {
                slot.assign([channel, id](asio::cancellation_type) { channel->cancel_call(id); });
            }
            // Untracked: while a call is pending the channel's reader has an operation outstanding.
            channel->pending_.emplace(id, CallCompletion(std::move(handler), channel->registry_, false));
        },
        asio::use_awaitable);
}

void ChannelImpl::cancel_call(std::uint64_t id) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    auto completion = std::move(it->second);
    pending_.erase(it);
    abandoned_.insert(id);
    completion.complete(std::make_exception_ptr(std::system_error(asio::error::operation_aborted)), Json());
}

asio::awaitable<Request> ChannelImpl::recv(std::shared_ptr<ChannelImpl> self) {
    while (self->incoming_.empty() && !self->closed_) co_await self->readable_.wait();
    if (self->closed_) std::rethrow_exception(self->closed_error());
    auto item = std::move(self->incoming_.front());
    self->incoming_.pop_front();
    if (self->incoming_.size() < self->options_.max_queued_requests) self->reader_resume_.notify_all();
    co_return Request(self, item.id, std::move(item.content));
}

void ChannelImpl::queue_reply(std::uint64_t id, MessageType type, const Json& content) {
    if (closed_) std::rethrow_exception(closed_error());
    try {
        enqueue_frame(type, id, content);
    } catch (const CodecError& e) {
        // The peer is waiting for this id, so it must get an answer: tell it why.
        channel_log().warn("channel {}: reply to request {} cannot be sent: {}", peer_, id, e.what());
        enqueue_frame(MessageType::failure, id, Json(failure_text(e)));
    }
}

asio::awaitable<void> ChannelImpl::wait_writable() {
    while (!closed_ && out_.size() >= options_.write_high_water) co_await writable_.wait();
    if (closed_) std::rethrow_exception(closed_error());
}

void ChannelImpl::enqueue_frame(MessageType type, std::uint64_t id, const Json& content) {
    const auto before = out_.size();
    append_frame(*codec_, type, id, content, options_.max_message_size, out_);
    if (channel_log().should_log(spdlog::level::trace)) {
        std::string_view frame(out_.data() + before + frame_header_size, out_.size() - before - frame_header_size);
        channel_log().trace("{} -> {} bytes: {}", peer_, frame.size(), shorten(frame));
    }
    start_write();
}

void ChannelImpl::start_write() {
    if (writer_busy_ || out_.empty()) return;
    writer_busy_ = true;
    write_deferred_ = true;
    // Not at once, but when the handler that queued this frame returns (or, in the read loop,
    // when the frames of one read are handled): the frames queued meanwhile (the replies to a
    // whole read of requests, the next requests of callers whose replies came in) then leave in
    // one write, not one plus the rest.
    asio::defer(executor_, [self = shared_from_this()] { self->write_queued(); });
}

void ChannelImpl::write_queued() {
    if (!write_deferred_) return;  // the read loop got there first
    write_deferred_ = false;
    writing_.swap(out_);
    if (!writable_.empty()) writable_.notify_all();
    // Usually the system takes the whole batch at once: then there is no write operation whose
    // completion must come back through the event loop.
    std::error_code ec;
    const auto written = transport_->write_now(asio::buffer(writing_), ec);
    if (ec || written == writing_.size()) {
        on_written(ec);
        return;
    }
    transport_->async_write(asio::buffer(writing_) + written,
                            [self = shared_from_this()](std::error_code ec) { self->on_written(ec); });
}

void ChannelImpl::on_written(std::error_code ec) {
    writer_busy_ = false;
    writing_.clear();
    if (ec) {
        out_.clear();
        close(ec, fmt::format("write failed: {}", ec.message()));
    } else if (!out_.empty()) {
        // Already after the handlers that queued these frames: no reason to wait.
        writer_busy_ = true;
        write_deferred_ = true;
        write_queued();
        return;
    }
    if (closed_) {
        // Everything queued before close() has gone out (or cannot): now really close.
        transport_->close();
        if (linger_) linger_->cancel();
    }
}

asio::awaitable<void> ChannelImpl::read_loop() {
    auto self = shared_from_this();
    while (!closed_) {
        if (!dispatch_frames()) co_return;
        // What handling these frames queued goes out before this loop tries to read again.
        if (write_deferred_) write_queued();
        while (!closed_ && incoming_.size() >= options_.max_queued_requests) co_await reader_resume_.wait();
        if (closed_) co_return;
        std::error_code ec;
        auto n = co_await transport_->read_some(in_.space(), ec);
        if (closed_) co_return;
        if (ec) {
            close(ec, in_.end_of_reading(ec).reason);
            co_return;
        }
        in_.commit(n);
    }
}

namespace {
constexpr std::size_t early_write_every = 16;
}  // namespace

bool ChannelImpl::dispatch_frames() {
    std::optional<std::uint32_t> too_large;
    std::size_t handled = 0;
    while (!closed_) {
        const auto payload = in_.next(options_.max_message_size, too_large);
        if (!payload) break;
        if (channel_log().should_log(spdlog::level::trace)) {
            channel_log().trace("{} <- {} bytes: {}", peer_, payload->size(), shorten(*payload));
        }
        Message msg;
        try {
            msg = decode_message(*codec_, *payload, options_.max_message_size);
        } catch (const ProtocolError& e) {
            fail_protocol(e.what());
            return false;
        } catch (const CodecError& e) {
            // Bytes the codec cannot read at all (MsgPack or Blosc data that is not valid): the
            // stream cannot be trusted further, as for malformed JSON.
            fail_protocol(e.what());
            return false;
        }
        handle_message(std::move(msg));
        // In a long read, what the first frames produced goes out while the rest are handled, so
        // the peer can get on with it instead of waiting for the whole read to be done.
        if (++handled % early_write_every == 0 && write_deferred_) write_queued();
    }
    if (too_large) {
        const auto reason = fmt::format("frame length {} exceeds the maximum message size of {} bytes", *too_large,
                                        options_.max_message_size);
        channel_log().error("channel {}: protocol error, closing the connection: {}", peer_, reason);
        close(make_error_code(errc::message_too_large), "protocol error: " + reason);
        return false;
    }
    if (closed_) return false;
    in_.compact();
    return true;
}

void ChannelImpl::handle_message(Message msg) {
    if (msg.type != MessageType::request) {
        handle_reply(std::move(msg));
        return;
    }
    if (msg.problem) {
        // The request cannot be represented here; answer it rather than drop the connection.
        channel_log().warn("channel {}: request {} rejected: {}", peer_, msg.id, *msg.problem);
        enqueue_frame(MessageType::failure, msg.id, Json("mas::CodecError: " + *msg.problem + "\n"));
        return;
    }
    incoming_.push_back({msg.id, std::move(msg.content)});
    readable_.notify_all(true);
}

void ChannelImpl::handle_reply(Message msg) {
    auto it = pending_.find(msg.id);
    if (it == pending_.end()) {
        if (abandoned_.erase(msg.id) > 0) {
            channel_log().debug("channel {}: dropped the late reply to cancelled request {}", peer_, msg.id);
            return;
        }
        fail_protocol(fmt::format("reply for request id {}, which has no pending request", msg.id));
        return;
    }
    auto completion = std::move(it->second);
    pending_.erase(it);
    if (msg.problem) {
        completion.complete(std::make_exception_ptr(CodecError(
                                fmt::format("the reply to request {} cannot be represented: {}", msg.id, *msg.problem))),
                            Json());
    } else if (msg.type == MessageType::success) {
        completion.complete_inline(nullptr, std::move(msg.content));
    } else {
        auto text = msg.content.is_string() ? msg.content.as_string() : codec_->encode(msg.content);
        completion.complete(std::make_exception_ptr(RemoteError(peer_, std::move(text))), Json());
    }
}

void ChannelImpl::fail_protocol(const std::string& reason) {
    channel_log().error("channel {}: protocol error, closing the connection: {}", peer_, reason);
    close(make_error_code(errc::protocol_error), "protocol error: " + reason);
}

std::exception_ptr ChannelImpl::closed_error() const {
    return std::make_exception_ptr(
        ConnectionError(fmt::format("connection to {} closed: {}", peer_, close_reason_), close_code_));
}

void ChannelImpl::close(std::error_code why, const std::string& reason) noexcept {
    if (closed_) return;
    closed_ = true;
    close_code_ = why;
    close_reason_ = reason;
    channel_log().debug("channel {}: closing: {}", peer_, reason);
    try {
        auto error = closed_error();
        auto pending = std::move(pending_);
        pending_.clear();
        for (auto& [id, completion] : pending) completion.complete(error, Json());
        readable_.notify_all();
        writable_.notify_all();
        reader_resume_.notify_all();
        if (!writer_busy_ && out_.empty()) {
            transport_->close();
        } else {
            // Let queued replies go out, but never wait forever on a peer that does not read.
            linger_ = std::make_unique<asio::steady_timer>(executor_, options_.close_linger);
            linger_->async_wait([self = shared_from_this()](std::error_code ec) {
                if (!ec) self->transport_->close();
            });
        }
    } catch (const std::exception& e) {
        channel_log().error("channel {}: error while closing: {}", peer_, e.what());
        transport_->close();
    }
    if (on_close_) {
        try {
            auto callback = std::move(on_close_);
            callback(reason);
        } catch (const std::exception& e) {
            channel_log().error("channel {}: close callback failed: {}", peer_, e.what());
        }
    }
}

}  // namespace mas::detail

// ---- Channel ---------------------------------------------------------------------------------

namespace mas {

Channel::Channel(std::shared_ptr<detail::ChannelImpl> impl)
    : impl_(std::move(impl)), owner_(nullptr, [weak = std::weak_ptr(impl_)](void*) {
          if (auto channel = weak.lock()) channel->close(make_error_code(errc::closed), "closed locally");
      }) {}

Channel::Channel(std::shared_ptr<detail::Redialer> redialer)
    : redialer_(std::move(redialer)), owner_(nullptr, [weak = std::weak_ptr(redialer_)](void*) {
          if (auto redialer = weak.lock()) redialer->close();
      }) {}

// A reconnecting channel goes through its Redialer; a plain one straight to its connection, so
// the common case pays one test of a pointer.
asio::awaitable<Json> Channel::send(Json content) {
    if (redialer_) return detail::Redialer::send(redialer_, std::move(content));
    return detail::ChannelImpl::send(impl_, std::move(content));
}

asio::awaitable<Request> Channel::recv() {
    if (redialer_) return detail::Redialer::recv(redialer_);
    return detail::ChannelImpl::recv(impl_);
}

void Channel::close() noexcept {
    if (redialer_) {
        redialer_->close();
    } else {
        impl_->close(make_error_code(errc::closed), "closed locally");
    }
}

bool Channel::is_open() const noexcept { return redialer_ ? redialer_->is_open() : impl_->is_open(); }
std::string Channel::peer() const { return redialer_ ? redialer_->peer() : impl_->peer(); }
asio::any_io_executor Channel::executor() const { return redialer_ ? redialer_->executor() : impl_->executor(); }

std::size_t Channel::buffered_bytes() const noexcept {
    const auto& impl = redialer_ ? redialer_->current() : impl_;
    return impl ? impl->buffered_bytes() : 0;
}

std::size_t Channel::queued_requests() const noexcept {
    const auto& impl = redialer_ ? redialer_->current() : impl_;
    return impl ? impl->queued_requests() : 0;
}

}  // namespace mas
