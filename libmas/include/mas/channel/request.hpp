#pragma once
/// \file
/// Request: a request received on a channel, to be answered once.

#include <cstdint>
#include <exception>
#include <memory>
#include <string_view>

#include <asio/awaitable.hpp>

#include "mas/core/json.hpp"

namespace mas {

namespace detail {
class ChannelImpl;
}

/// A request received through Channel::recv(). Answer it exactly once with reply() or fail();
/// the peer's send() returns the reply or throws RemoteError with the failure text.
class Request {
public:
    /// An empty request (Asio needs result types to be default-constructible); assign to it.
    Request() = default;
    Request(std::shared_ptr<detail::ChannelImpl> channel, std::uint64_t id, Json content);

    /// The request's content as the peer sent it.
    [[nodiscard]] const Json& content() const noexcept { return content_; }
    [[nodiscard]] Json& content() noexcept { return content_; }
    /// The peer's id of this request.
    [[nodiscard]] std::uint64_t id() const noexcept { return id_; }

    /// Sends `value` as the result. If the value cannot be encoded, the peer gets a failure
    /// reply naming the problem instead (as aiomas does). Suspends while the channel's write
    /// buffer is above its high-water mark. Throws mas::ConnectionError if the channel is closed,
    /// mas::Error if the request was already answered. Runs on the channel's executor.
    asio::awaitable<void> reply(Json value);

    /// Sends a failure whose text is `TypeName: message\n` (the last line of a Python
    /// traceback, which is what aiomas peers parse).
    asio::awaitable<void> fail(const std::exception& error);
    /// Sends a failure for the exception in `error`.
    asio::awaitable<void> fail(std::exception_ptr error);
    /// Sends a failure with exactly this text (e.g. a whole traceback).
    asio::awaitable<void> fail_with_text(std::string text);
    /// Sends a failure whose content is any Json value, for peers whose failure replies are not
    /// a text (mosaik sends `[type_name, message, traceback lines...]`). Same contract as
    /// fail_with_text.
    asio::awaitable<void> fail_with_content(Json content);

private:
    std::shared_ptr<detail::ChannelImpl> channel_;
    std::uint64_t id_ = 0;
    Json content_;
    bool answered_ = false;
};

/// The name libmas reports for an exception's type: its demangled C++ name without
/// `std::__cxx11::` and `(anonymous namespace)::` (e.g. `std::runtime_error`, `ZeroDivisionError`).
std::string exception_type_name(const std::exception& error);

/// The failure text libmas sends for an exception: `<type>: <message>\n`, where the type is the
/// demangled C++ type name (e.g. `std::runtime_error: boom`).
std::string failure_text(const std::exception& error);

}  // namespace mas
