#pragma once
/// \file
/// MosaikRemote: the requests a simulator may send to mosaik while mosaik waits for its `step`.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "mas/channel/channel.hpp"
#include "mas/core/error.hpp"
#include "mas/core/json.hpp"

namespace mas::mosaik {

/// mosaik answered a request with a failure reply `[type_name, message, traceback lines...]`.
class MosaikError : public RemoteError {
public:
    MosaikError(std::string origin, Json content);
    /// The Python exception type, e.g. "SimulationError".
    [[nodiscard]] const std::string& type_name() const noexcept { return type_name_; }
    /// The exception's message.
    [[nodiscard]] const std::string& message() const noexcept { return message_; }
    /// The failure content as mosaik sent it.
    [[nodiscard]] const Json& content() const noexcept { return content_; }

private:
    std::string type_name_;
    std::string message_;
    Json content_;
};

/// Delivers one request `[method, args, kwargs]` to mosaik and returns its result; throws
/// MosaikError for a failure and mas::ConnectionError if mosaik is gone.
using MosaikRequestSender = std::function<asio::awaitable<Json>(Json request)>;

/// mosaik's side of the connection, as seen by a simulator during `step`. The requests go over
/// the channel mosaik is served on; the channel numbers them itself, independently of mosaik's
/// ids. (An in-process orchestrator delivers them through a MosaikRequestSender instead.)
/// All of them run on the channel's executor, throw MosaikError for a failure reply and
/// mas::ConnectionError if mosaik goes away; cancellation abandons the request.
class MosaikRemote {
public:
    /// Requests go over `channel`.
    explicit MosaikRemote(Channel channel);
    /// Requests go to `sender` (e.g. an in-process orchestrator's request handler).
    explicit MosaikRemote(MosaikRequestSender sender) : send_(std::move(sender)) {}

    /// The simulation's progress in percent.
    asio::awaitable<double> get_progress();
    /// The whole entity graph `{"nodes": {...}, "edges": [...]}` (sent as `[null]`).
    asio::awaitable<Json> get_related_entities();
    /// The entities related to one full id: `{full_id: {"sid", "type"}}`.
    asio::awaitable<Json> get_related_entities(std::string full_id);
    /// The related entities of each id: `{queried_id: {full_id: {...}}}`.
    asio::awaitable<Json> get_related_entities(std::vector<std::string> full_ids);
    /// Data of other simulators' entities: `{full_id: [attr, ...]}` -> `{full_id: {attr: value}}`.
    asio::awaitable<Json> get_data(Json request);
    /// Sends data to other entities: `{src_full_id: {dest_full_id: {attr: value}}}`.
    asio::awaitable<void> set_data(Json data);
    /// Asks mosaik to step this simulator at `time` (real-time mode only).
    asio::awaitable<void> set_event(std::int64_t time);

private:
    asio::awaitable<Json> call(std::string method, Json args);
    MosaikRequestSender send_;
};

}  // namespace mas::mosaik
