#include "channel/local_queue.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>

#include <asio/async_result.hpp>
#include <asio/bind_executor.hpp>
#include <asio/error.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "mas/core/endpoint.hpp"
#include "mas/core/error.hpp"

namespace mas::detail {
namespace {

constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
// Like a socket buffer: a writer waits once this much is unread, so flow control works as
// it does over TCP.
constexpr std::size_t pipe_capacity = 256 * 1024;

std::error_code end_of_stream(bool closed_by_reader) {
    if (closed_by_reader) return asio::error::operation_aborted;
    return asio::error::eof;
}

// One direction of a connection.
class Pipe {
public:
    using Done = Completion<std::error_code, std::size_t>;

    void read(asio::mutable_buffer buffer, Done done) {
        std::lock_guard lock(mutex_);
        if (available() > 0) {
            done.complete({}, take(buffer));
        } else if (closed_) {
            done.complete(end_of_stream(reader_closed_), 0);
        } else {
            reader_buffer_ = buffer;
            reader_ = std::move(done);
        }
    }

    void write(asio::const_buffer buffer, Done done) {
        std::lock_guard lock(mutex_);
        if (closed_) {
            done.complete(asio::error::broken_pipe, 0);
        } else if (available() < pipe_capacity) {
            data_.append(static_cast<const char*>(buffer.data()), buffer.size());
            if (reader_) reader_.complete({}, take(reader_buffer_));
            done.complete({}, buffer.size());
        } else {
            writer_buffer_ = buffer;
            writer_ = std::move(done);
        }
    }

    // `by_reader`: the reading end closed, so its own pending read is aborted rather than EOF.
    void close(bool by_reader) {
        std::lock_guard lock(mutex_);
        if (closed_) return;
        closed_ = true;
        reader_closed_ = by_reader;
        if (reader_) reader_.complete(end_of_stream(by_reader), 0);
        if (writer_) writer_.complete(asio::error::broken_pipe, 0);
    }

private:
    std::size_t available() const { return data_.size() - offset_; }

    // Called with the lock held and data available.
    std::size_t take(asio::mutable_buffer buffer) {
        const auto n = std::min(buffer.size(), available());
        std::memcpy(buffer.data(), data_.data() + offset_, n);
        offset_ += n;
        if (offset_ == data_.size()) {
            data_.clear();
            offset_ = 0;
        }
        if (writer_ && available() < pipe_capacity) {
            data_.append(static_cast<const char*>(writer_buffer_.data()), writer_buffer_.size());
            writer_.complete({}, writer_buffer_.size());
        }
        return n;
    }

    std::mutex mutex_;
    std::string data_;
    std::size_t offset_ = 0;
    bool closed_ = false;
    bool reader_closed_ = false;
    asio::mutable_buffer reader_buffer_;
    Done reader_;
    asio::const_buffer writer_buffer_;
    Done writer_;
};

class LocalTransport final : public Transport {
public:
    LocalTransport(asio::any_io_executor executor, std::shared_ptr<Pipe> in, std::shared_ptr<Pipe> out,
                   std::string peer)
        : executor_(std::move(executor)), in_(std::move(in)), out_(std::move(out)), peer_(std::move(peer)) {}
    ~LocalTransport() override { close(); }

    asio::awaitable<std::size_t> read_some(asio::mutable_buffer buffer, std::error_code& ec) override {
        auto [error, n] = co_await asio::async_initiate<decltype(use_tuple), void(std::error_code, std::size_t)>(
            [this, buffer](auto handler) { in_->read(buffer, Pipe::Done(std::move(handler))); }, use_tuple);
        ec = error;
        co_return n;
    }

    void async_write(asio::const_buffer buffer, std::function<void(std::error_code)> done) override {
        auto handler = asio::bind_executor(
            executor_, [done = std::move(done)](std::error_code ec, std::size_t) { done(ec); });
        out_->write(buffer, Pipe::Done(std::move(handler)));
    }

    void close() noexcept override {
        out_->close(false);
        in_->close(true);
    }

    std::string peer() const override { return peer_; }
    asio::any_io_executor executor() const override { return executor_; }

private:
    asio::any_io_executor executor_;
    std::shared_ptr<Pipe> in_;
    std::shared_ptr<Pipe> out_;
    std::string peer_;
};

}  // namespace

// Touched only on the listener's executor, except `executor` and `name`, which never change.
struct LocalListener::State {
    asio::any_io_executor executor;
    std::string name;
    std::deque<TransportPtr> backlog;
    Completion<std::error_code> acceptor;
    bool closed = false;
    std::uint64_t accepted = 0;
};

namespace {

std::mutex registry_mutex;
std::map<std::string, std::weak_ptr<LocalListener::State>, std::less<>>& registry() {
    static std::map<std::string, std::weak_ptr<LocalListener::State>, std::less<>> instance;
    return instance;
}

}  // namespace

LocalListener::LocalListener(asio::any_io_executor executor, std::string name)
    : state_(std::make_shared<State>()) {
    state_->executor = std::move(executor);
    state_->name = std::move(name);
    std::lock_guard lock(registry_mutex);
    auto& entry = registry()[state_->name];
    if (!entry.expired()) {
        throw ConfigError(fmt::format("local endpoint local://{} is already in use", state_->name));
    }
    entry = state_;
}

LocalListener::~LocalListener() { close(); }

void LocalListener::close() noexcept {
    {
        std::lock_guard lock(registry_mutex);
        auto it = registry().find(state_->name);
        if (it != registry().end() && it->second.lock() == state_) registry().erase(it);
    }
    state_->closed = true;
    state_->backlog.clear();
    state_->acceptor.complete(asio::error::operation_aborted);
}

asio::awaitable<TransportPtr> LocalListener::accept(std::error_code& ec) {
    auto state = state_;
    // A raw pointer, not a shared_ptr capture: g++ 12 destroys a lambda temporary inside a
    // co_await expression twice (GCC PR 100611). `state` keeps the object alive meanwhile.
    State* raw = state.get();
    while (state->backlog.empty() && !state->closed) {
        auto [error] = co_await asio::async_initiate<decltype(use_tuple), void(std::error_code)>(
            [raw](auto handler) { raw->acceptor = Completion<std::error_code>(std::move(handler)); }, use_tuple);
        (void)error;
    }
    if (state->closed) {
        ec = asio::error::operation_aborted;
        co_return nullptr;
    }
    auto transport = std::move(state->backlog.front());
    state->backlog.pop_front();
    co_return transport;
}

asio::awaitable<TransportPtr> local_connect(const std::string& name) {
    std::shared_ptr<LocalListener::State> listener;
    {
        std::lock_guard lock(registry_mutex);
        auto it = registry().find(name);
        if (it != registry().end()) listener = it->second.lock();
    }
    const auto endpoint = Endpoint::local(name).to_string();
    if (!listener) {
        throw ConnectionError(fmt::format("cannot connect to {}: no such local server", endpoint),
                              asio::error::connection_refused);
    }
    auto up = std::make_shared<Pipe>();
    auto down = std::make_shared<Pipe>();
    auto executor = co_await asio::this_coro::executor;
    // Hand the server end over on the listener's own executor, where its state lives.
    asio::post(listener->executor, [listener, up, down, endpoint] {
        if (listener->closed) {
            up->close(true);
            down->close(false);
            return;
        }
        auto peer = fmt::format("{}#{}", endpoint, listener->accepted++);
        listener->backlog.push_back(std::make_unique<LocalTransport>(listener->executor, up, down, std::move(peer)));
        listener->acceptor.complete({});
    });
    co_return std::make_unique<LocalTransport>(executor, down, up, endpoint);
}

}  // namespace mas::detail
