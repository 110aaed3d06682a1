#include "mas/rpc/proxy.hpp"

#include <fmt/format.h>

#include "mas/rpc/remote_error.hpp"
#include "mas/rpc/service.hpp"
#include "rpc/connection_state.hpp"

namespace mas::rpc {

Proxy::Proxy(std::shared_ptr<detail::ConnectionState> connection, std::string path, std::shared_ptr<void> owner)
    : connection_(std::move(connection)), path_(std::move(path)), owner_(std::move(owner)) {}

Proxy Proxy::operator[](std::string_view name) const {
    std::string path = path_.empty() ? std::string(name) : fmt::format("{}/{}", path_, name);
    return Proxy(connection_, std::move(path), owner_);
}

bool Proxy::is_open() const noexcept { return connection_ && connection_->channel.is_open(); }

std::string Proxy::peer() const { return connection_ ? connection_->peer : std::string(); }

bool operator==(const Proxy& a, const Proxy& b) {
    if (a.path_ != b.path_) return false;
    if (a.connection_ == b.connection_) return true;
    return a.peer() == b.peer();
}

Proxy Proxy::from_json(const Json& value, const std::shared_ptr<detail::ConnectionState>& connection) {
    if (!value.is_custom() || value.as_custom().type != proxy_type_name || !value.as_custom().repr ||
        !value.as_custom().repr->is_string()) {
        throw TypeError("expected a service proxy ({\"__type__\": [k, path]}), got " + value.describe());
    }
    return Proxy(connection, value.as_custom().repr->as_string());
}

const Router& Proxy::router_of(const Service& service) noexcept { return service.router(); }

Json Proxy::service_argument(const Router& router) const {
    // As aiomas: only a service of this side's own tree can be called back over this connection.
    if (!connection_ || !connection_->root || &router.root() != connection_->root) {
        throw CodecError(fmt::format(
            "No serializer found for service \"{}\": only services of the connection's own service tree can be "
            "passed as arguments",
            router.path()));
    }
    return Json(JsonCustom{std::string(proxy_type_name), std::make_shared<const Json>(router.path())});
}

asio::awaitable<Json> Proxy::send_call(std::shared_ptr<detail::ConnectionState> connection, std::string path,
                                       JsonArray args, JsonObject kwargs) {
    if (!connection) throw ConnectionError("call of \"" + path + "\" on an unconnected proxy", make_error_code(errc::closed));
    JsonArray content;
    content.reserve(3);
    content.emplace_back(path);
    content.emplace_back(std::move(args));
    content.emplace_back(std::move(kwargs));
    std::string origin;
    std::string traceback;
    try {
        co_return co_await connection->channel.send(Json(std::move(content)));
    } catch (const mas::RemoteError& e) {
        origin = e.origin();
        traceback = e.remote_traceback();
    }
    throw RemoteError(std::move(origin), std::move(traceback), std::move(path));
}

}  // namespace mas::rpc

std::size_t std::hash<mas::rpc::Proxy>::operator()(const mas::rpc::Proxy& proxy) const noexcept {
    const auto peer = std::hash<std::string>()(proxy.connection() ? proxy.connection()->peer : std::string());
    return peer ^ (std::hash<std::string>()(proxy.path()) + 0x9e3779b97f4a7c15ULL + (peer << 6) + (peer >> 2));
}
