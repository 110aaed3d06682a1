#pragma once
// ChannelImpl: the state of one connection. Everything here runs on the channel's executor, so
// there are no locks: one reader coroutine, one writer coroutine, and the callers' coroutines
// interleave only at co_await points.

#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <asio/steady_timer.hpp>

#include "channel/frame_buffer.hpp"
#include "channel/transport.hpp"
#include "core/completion.hpp"
#include "core/wait_list.hpp"
#include "mas/channel/channel.hpp"

namespace mas::detail {

class ChannelImpl : public std::enable_shared_from_this<ChannelImpl> {
public:
    ChannelImpl(TransportPtr transport, const ChannelOptions& options);
    ~ChannelImpl();

    /// Starts the reader and writer coroutines. Call once, right after construction.
    void start();

    // Static, taking the owner by value, so that the coroutine frame keeps the channel alive
    // without a second forwarding frame in Channel.
    static asio::awaitable<Json> send(std::shared_ptr<ChannelImpl> self, Json content);
    static asio::awaitable<Request> recv(std::shared_ptr<ChannelImpl> self);
    /// Whether a writer must call wait_writable() first (buffer full or channel closed).
    [[nodiscard]] bool write_blocked() const noexcept {
        return closed_ || out_.size() >= options_.write_high_water;
    }
    /// Suspends while the write buffer is above its high-water mark; throws if closed.
    asio::awaitable<void> wait_writable();
    /// Queues a reply frame; used by Request. Throws mas::ConnectionError if closed.
    void queue_reply(std::uint64_t id, MessageType type, const Json& content);
    void close(std::error_code why, const std::string& reason) noexcept;
    /// Called with the reason when this channel closes, whoever closes it (a reconnecting
    /// channel's Redialer listens here).
    void on_close(std::function<void(const std::string&)> callback) { on_close_ = std::move(callback); }

    [[nodiscard]] bool is_open() const noexcept { return !closed_; }
    [[nodiscard]] const std::string& peer() const noexcept { return peer_; }
    [[nodiscard]] asio::any_io_executor executor() const { return executor_; }
    [[nodiscard]] std::size_t buffered_bytes() const noexcept { return out_.size(); }
    [[nodiscard]] std::size_t queued_requests() const noexcept { return incoming_.size(); }

private:
    using CallCompletion = Completion<std::exception_ptr, Json>;
    struct Incoming {
        std::uint64_t id;
        Json content;
    };

    asio::awaitable<void> read_loop();
    /// Hands queued frames to the transport unless a write is already under way.
    void start_write();
    /// Hands everything queued to the transport in one write.
    void write_queued();
    void on_written(std::error_code ec);
    void enqueue_frame(MessageType type, std::uint64_t id, const Json& content);
    /// Parses every complete frame in the read buffer; returns false if the channel was closed.
    bool dispatch_frames();
    void handle_message(Message msg);
    void handle_reply(Message msg);
    void cancel_call(std::uint64_t id);
    void fail_protocol(const std::string& reason);
    std::exception_ptr closed_error() const;

    TransportPtr transport_;
    asio::any_io_executor executor_;
    std::shared_ptr<const Codec> codec_;
    ChannelOptions options_;
    std::string peer_;
    Registry& registry_;

    std::uint64_t next_id_ = 0;
    std::unordered_map<std::uint64_t, CallCompletion> pending_;
    std::unordered_set<std::uint64_t> abandoned_;  // cancelled calls whose reply may still come

    std::string out_;      // frames queued for the writer
    std::string writing_;  // the batch the transport is writing now
    bool writer_busy_ = false;     // a write is under way or deferred
    bool write_deferred_ = false;  // start_write() deferred a write that has not started yet
    WaitList writable_{registry_, true};

    FrameBuffer in_;
    std::deque<Incoming> incoming_;
    WaitList readable_{registry_, false};      // recv() callers waiting for a request
    WaitList reader_resume_{registry_, true};  // the reader, paused while too many requests wait

    bool closed_ = false;
    std::error_code close_code_;
    std::string close_reason_;
    std::unique_ptr<asio::steady_timer> linger_;
    std::function<void(const std::string&)> on_close_;
};

}  // namespace mas::detail
