#include "mas/channel/request.hpp"

#include <cstdlib>
#include <memory>
#include <typeinfo>

#include "channel/channel_impl.hpp"
#include "core/demangle.hpp"

namespace mas {

Request::Request(std::shared_ptr<detail::ChannelImpl> channel, std::uint64_t id, Json content)
    : channel_(std::move(channel)), id_(id), content_(std::move(content)) {}

asio::awaitable<void> Request::reply(Json value) {
    if (answered_) throw Error("request " + std::to_string(id_) + " was already answered");
    answered_ = true;
    if (channel_->write_blocked()) co_await channel_->wait_writable();
    channel_->queue_reply(id_, MessageType::success, value);
}

asio::awaitable<void> Request::fail(const std::exception& error) {
    return fail_with_text(failure_text(error));
}

asio::awaitable<void> Request::fail(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return fail_with_text(failure_text(e));
    } catch (...) {
        return fail_with_text("unknown exception: (not derived from std::exception)\n");
    }
}

asio::awaitable<void> Request::fail_with_text(std::string text) {
    return fail_with_content(Json(std::move(text)));
}

asio::awaitable<void> Request::fail_with_content(Json content) {
    if (answered_) throw Error("request " + std::to_string(id_) + " was already answered");
    answered_ = true;
    if (channel_->write_blocked()) co_await channel_->wait_writable();
    channel_->queue_reply(id_, MessageType::failure, std::move(content));
}

std::string exception_type_name(const std::exception& error) { return detail::demangle(typeid(error)); }

std::string failure_text(const std::exception& error) {
    return exception_type_name(error) + ": " + error.what() + "\n";
}

}  // namespace mas
