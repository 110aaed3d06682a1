#include "mas/mosaik/mosaik_remote.hpp"

#include "mas/core/json_codec.hpp"

namespace mas::mosaik {
namespace {

std::string text_of(const Json& content) {
    if (content.is_string()) return content.as_string();
    return JsonCodec().encode(content);
}

std::string item(const Json& content, std::size_t i) {
    if (!content.is_array() || content.size() <= i || !content[i].is_string()) return {};
    return content[i].as_string();
}

// Not a capturing coroutine lambda: its captures would die with the std::function that holds it.
asio::awaitable<Json> send_over(Channel channel, Json request) {
    try {
        co_return co_await channel.send(std::move(request));
    } catch (const RemoteError& e) {
        // The channel hands a non-text failure over as its JSON text; mosaik's is a list.
        Json content;
        try {
            content = JsonCodec().decode(e.remote_traceback());
        } catch (const Error&) {
            content = Json(e.remote_traceback());
        }
        throw MosaikError(e.origin(), std::move(content));
    }
}

}  // namespace

MosaikError::MosaikError(std::string origin, Json content)
    : RemoteError(std::move(origin), text_of(content)),
      type_name_(item(content, 0)),
      message_(item(content, 1)),
      content_(std::move(content)) {}

MosaikRemote::MosaikRemote(Channel channel)
    : send_([channel = std::move(channel)](Json request) { return send_over(channel, std::move(request)); }) {}

asio::awaitable<Json> MosaikRemote::call(std::string method, Json args) {
    auto request = Json::array({std::move(method), std::move(args), Json::object()});
    co_return co_await send_(std::move(request));
}

asio::awaitable<double> MosaikRemote::get_progress() {
    auto args = Json::array();
    auto result = co_await call("get_progress", std::move(args));
    co_return result.get<double>();
}

asio::awaitable<Json> MosaikRemote::get_related_entities() {
    // mosaik_api_v3 3.0.13 requires the argument, so "none" travels as [null].
    auto args = Json::array({nullptr});
    co_return co_await call("get_related_entities", std::move(args));
}

asio::awaitable<Json> MosaikRemote::get_related_entities(std::string full_id) {
    auto args = Json::array({std::move(full_id)});
    co_return co_await call("get_related_entities", std::move(args));
}

asio::awaitable<Json> MosaikRemote::get_related_entities(std::vector<std::string> full_ids) {
    JsonArray ids;
    for (auto& id : full_ids) ids.emplace_back(std::move(id));
    auto args = Json::array({Json(std::move(ids))});
    co_return co_await call("get_related_entities", std::move(args));
}

asio::awaitable<Json> MosaikRemote::get_data(Json request) {
    auto args = Json::array({std::move(request)});
    co_return co_await call("get_data", std::move(args));
}

asio::awaitable<void> MosaikRemote::set_data(Json data) {
    auto args = Json::array({std::move(data)});
    co_await call("set_data", std::move(args));
}

asio::awaitable<void> MosaikRemote::set_event(std::int64_t time) {
    auto args = Json::array({time});
    co_await call("set_event", std::move(args));
}

}  // namespace mas::mosaik
