#include "msg_stream.hpp"

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>

#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "mas/core/error.hpp"
#include "mas/core/with_timeout.hpp"

namespace mas::soak {
namespace {

using Clock = std::chrono::steady_clock;

msg::SocketOptions sender_options(std::uint64_t& given_up) {
    msg::SocketOptions options;
    options.delivery = msg::Delivery::at_least_once;
    options.send_mode = msg::SendMode::round_robin;
    // A dead relay is noticed by the broken connection; the heartbeats catch a silent one.
    options.heartbeat_interval = std::chrono::seconds(1);
    options.heartbeat_timeout = std::chrono::seconds(5);
    options.resend_timeout = std::chrono::seconds(1);
    // Resent for as long as the soak could take: a message given up counts as lost.
    options.max_resends = 100'000;
    options.on_undelivered = [&given_up](const std::string&) { ++given_up; };
    return options;
}

msg::SocketOptions receiver_options() {
    msg::SocketOptions options;
    options.heartbeat_interval = std::chrono::seconds(1);
    options.heartbeat_timeout = std::chrono::seconds(5);
    return options;
}

// Ids go first, padded so that a message is the size of a small measurement record.
std::string payload(std::uint64_t id) { return fmt::format("{}:{:-<56}", id, ""); }

asio::awaitable<void> pause(Clock::duration d) {
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace

MsgStream::MsgStream(asio::any_io_executor executor, unsigned rate_per_s)
    : executor_(executor),
      rate_(std::max(rate_per_s, 1U)),
      sender_(executor, sender_options(given_up_)),
      receiver_(executor, receiver_options()),
      all_seen_(executor, Clock::time_point::max()) {}

void MsgStream::expect(std::uint64_t count) { seen_.assign(count, 0); }

asio::awaitable<std::uint16_t> MsgStream::bind_receiver() {
    auto any_port = Endpoint::tcp("127.0.0.1", 0);
    msg::BindOptions options;
    const auto bound = co_await receiver_.bind(std::move(any_port), std::move(options));
    co_return bound.port;
}

void MsgStream::connect_sender(std::uint16_t relay_port) { sender_.connect(Endpoint::tcp("127.0.0.1", relay_port)); }

asio::awaitable<void> MsgStream::receive() {
    while (auto message = co_await receiver_.next()) {
        ++received_;
        const std::string_view text = message->payload;
        std::uint64_t id = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
        if (ec != std::errc() || end == text.data() + text.size() || *end != ':' || id >= sent_) {
            // Only what was sent can arrive: anything else is a corrupted message.
            spdlog::error("msg: received a message that was never sent: \"{}\"", text.substr(0, 80));
            continue;
        }
        if (id >= seen_.size()) seen_.resize(std::max<std::size_t>(id + 1, seen_.size() * 2));
        if (!seen_[id]) {
            seen_[id] = 1;
            ++distinct_;
            if (finishing_ && distinct_ == sent_) all_seen_.cancel();
        }
    }
}

asio::awaitable<void> MsgStream::send_until(Clock::time_point end) {
    // In ticks of 10 ms, so that the rate holds without a timer per message.
    const auto per_tick = std::max<std::uint64_t>(rate_ / 100, 1);
    auto next = Clock::now();
    while (Clock::now() < end) {
        for (std::uint64_t k = 0; k < per_tick; ++k) {
            auto message = payload(sent_++);
            co_await sender_.send(std::move(message));
        }
        next += std::chrono::milliseconds(10);
        if (next > Clock::now()) co_await pause(next - Clock::now());
    }
}

asio::awaitable<void> MsgStream::wait_all_seen() {
    while (distinct_ < sent_) co_await all_seen_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
}

asio::awaitable<MsgStats> MsgStream::finish(Clock::duration timeout) {
    MsgStats stats;
    const auto deadline = Clock::now() + timeout;
    try {
        auto flushed = sender_.flush();
        const std::string what = "msg: acknowledgement of every message";
        co_await with_timeout(std::move(flushed), timeout, what);
        stats.flushed = true;
    } catch (const Error& e) {
        spdlog::error("{} ({} unacknowledged)", e.what(), sender_.unacknowledged());
    }
    // Acknowledged means received by the receiver's socket; its loop may not have taken it yet.
    finishing_ = true;
    try {
        auto all = wait_all_seen();
        const std::string what = "msg: every message at the receiver";
        co_await with_timeout(std::move(all), std::max(deadline - Clock::now(), Clock::duration::zero()), what);
    } catch (const Timeout& e) {
        spdlog::error("{}", e.what());
    }
    sender_.close();
    receiver_.close();
    stats.sent = sent_;
    stats.received = received_;
    stats.distinct = distinct_;
    stats.lost = sent_ - distinct_;
    stats.given_up = given_up_;
    co_return stats;
}

}  // namespace mas::soak
