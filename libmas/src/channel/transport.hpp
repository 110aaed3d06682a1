#pragma once
// Transport: the byte stream under a Channel (TCP, Unix, TLS or in-process). Channel reads in
// large chunks and writes whole batches, so one virtual call per batch is cheap enough.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>

namespace mas::detail {

class Transport {
public:
    virtual ~Transport() = default;

    /// Reads at least one byte; sets `ec` (eof, reset, operation_aborted after close) instead of
    /// throwing, because end-of-stream is routine in a read loop.
    virtual asio::awaitable<std::size_t> read_some(asio::mutable_buffer buffer, std::error_code& ec) = 0;
    /// Starts writing the whole buffer; `done` runs on the transport's executor, never inline.
    /// A callback rather than a coroutine so that a sender can start the write itself, without
    /// waking a writer coroutine first.
    virtual void async_write(asio::const_buffer buffer, std::function<void(std::error_code)> done) = 0;
    /// Writes what the system takes at once, without blocking and without a trip through the
    /// event loop; returns the bytes written (0 with `ec` unset if it would block, or if this
    /// transport cannot write that way, as TLS and the in-process queue cannot). The caller
    /// continues with async_write() for the rest.
    virtual std::size_t write_now(asio::const_buffer /*buffer*/, std::error_code& ec) {
        ec.clear();
        return 0;
    }
    /// Closes the stream; pending reads and writes complete with an error. Never throws.
    virtual void close() noexcept = 0;
    /// The peer's address for messages and RemoteError::origin(), e.g. "127.0.0.1:4242".
    [[nodiscard]] virtual std::string peer() const = 0;
    [[nodiscard]] virtual asio::any_io_executor executor() const = 0;
};

using TransportPtr = std::unique_ptr<Transport>;

}  // namespace mas::detail
