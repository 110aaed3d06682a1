#pragma once
/// \file
/// Proxy: calls the exposed functions of the service at the other end of an RPC connection.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <asio/awaitable.hpp>

#include "mas/core/json.hpp"

namespace mas::rpc {

class Router;
class Service;

namespace detail {
class ConnectionState;
}

/// A keyword argument of a proxy call: `proxy["add"](1, kw("b", 2))` sends `["add", [1], {"b": 2}]`.
class KwArg {
public:
    KwArg(std::string name, Json value) : name_(std::move(name)), value_(std::move(value)) {}
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] Json& value() noexcept { return value_; }

private:
    std::string name_;
    Json value_;
};

/// Builds a keyword argument for a proxy call.
inline KwArg kw(std::string name, Json value) { return {std::move(name), std::move(value)}; }

/// Adds one argument of a call being built: a KwArg to `keywords`, any other value (converted to
/// Json) to `positional`.
template <class T>
void add_call_argument(JsonArray& positional, JsonObject& keywords, T&& arg) {
    if constexpr (std::is_same_v<std::remove_cvref_t<T>, KwArg>) {
        keywords.insert_or_assign(arg.name(), std::move(arg.value()));
    } else {
        positional.emplace_back(std::forward<T>(arg));
    }
}

/// A path on the remote side of one connection (aiomas' Proxy). `proxy["addition"]["add"]`
/// names a function; calling it sends `[path, args, kwargs]` and awaits the result:
///
///     int sum = co_await remote["addition"]["add"].call<int>(3, 4);
///     Json any = co_await remote["add"](1, rpc::kw("b", 2));
///
/// Arguments convert to Json; a Service (or Router) of this side's own service tree travels as
/// `{"__type__": [k, path]}` and reaches the peer as a proxy it can call back, as in aiomas.
/// A Proxy is a cheap copyable handle; a proxy from open_connection keeps its connection open.
/// Calls run on the connection's executor. They throw mas::rpc::RemoteError if the remote
/// function failed, mas::ConnectionError if the connection is or gets closed, mas::CodecError
/// if an argument cannot be sent, mas::TypeError if the result does not convert to R.
class Proxy {
public:
    /// An unusable proxy (Asio needs result types to be default-constructible); assign to it.
    Proxy() noexcept {}
    Proxy(std::shared_ptr<detail::ConnectionState> connection, std::string path, std::shared_ptr<void> owner = {});

    /// The proxy of `name` below this path.
    [[nodiscard]] Proxy operator[](std::string_view name) const;

    /// Calls the remote function at this path and returns its raw result.
    template <class... A>
    asio::awaitable<Json> operator()(A&&... args) const {
        JsonArray positional;
        JsonObject keywords;
        positional.reserve(sizeof...(A));
        (add_argument(positional, keywords, std::forward<A>(args)), ...);
        return send_call(connection_, path_, std::move(positional), std::move(keywords));
    }

    /// Calls the remote function and converts its result to R (a Proxy for a returned service).
    template <class R, class... A>
    asio::awaitable<R> call(A&&... args) const {
        JsonArray positional;
        JsonObject keywords;
        positional.reserve(sizeof...(A));
        (add_argument(positional, keywords, std::forward<A>(args)), ...);
        return call_as<R>(connection_, send_call(connection_, path_, std::move(positional), std::move(keywords)));
    }

    /// Calls the remote function with arguments already in wire form, as Python's
    /// `f(*args, **kwargs)`.
    asio::awaitable<Json> call_unpacked(JsonArray args, JsonObject kwargs) const {
        return send_call(connection_, path_, std::move(args), std::move(kwargs));
    }

    /// The remote path, e.g. `"agents/0"` or `"addition/add"` (`""` is the remote root).
    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    /// Whether the connection behind this proxy is open.
    [[nodiscard]] bool is_open() const noexcept;
    [[nodiscard]] const std::shared_ptr<detail::ConnectionState>& connection() const noexcept { return connection_; }

    /// A proxy from a received `{"__type__": [k, path]}` value. Throws mas::TypeError otherwise.
    static Proxy from_json(const Json& value, const std::shared_ptr<detail::ConnectionState>& connection);

    /// The address of the peer this proxy calls (e.g. "127.0.0.1:5555"); empty for a proxy
    /// without a connection.
    [[nodiscard]] std::string peer() const;
    /// Proxies are equal when they call the same path at the same peer address, whichever
    /// connection they use, as aiomas' proxies compare (and hash, see std::hash<Proxy>).
    friend bool operator==(const Proxy& a, const Proxy& b);

private:
    template <class T>
    void add_argument(JsonArray& positional, JsonObject& keywords, T&& arg) const {
        using U = std::remove_cvref_t<T>;
        if constexpr (std::is_base_of_v<Service, U>) {
            positional.push_back(service_argument(router_of(arg)));
        } else if constexpr (std::is_same_v<U, Router>) {
            positional.push_back(service_argument(arg));
        } else if constexpr (std::is_same_v<U, Proxy>) {
            static_assert(!std::is_same_v<U, Proxy>, "a Proxy cannot be sent; aiomas cannot either");
        } else {
            add_call_argument(positional, keywords, std::forward<T>(arg));
        }
    }

    // Static, with everything by value: the Proxy may be a temporary that is gone before the
    // call completes.
    template <class R>
    static asio::awaitable<R> call_as(std::shared_ptr<detail::ConnectionState> connection,
                                      asio::awaitable<Json> op) {
        Json result = co_await std::move(op);
        if constexpr (std::is_same_v<R, Proxy>) {
            co_return from_json(result, connection);
        } else if constexpr (std::is_void_v<R>) {
            co_return;
        } else {
            co_return result.template get<R>();
        }
    }

    static const Router& router_of(const Service& service) noexcept;
    /// Checks that `router` belongs to this connection's own service tree and encodes it.
    [[nodiscard]] Json service_argument(const Router& router) const;
    static asio::awaitable<Json> send_call(std::shared_ptr<detail::ConnectionState> connection, std::string path,
                                           JsonArray args, JsonObject kwargs);

    std::shared_ptr<detail::ConnectionState> connection_;
    std::string path_;
    std::shared_ptr<void> owner_;
};

}  // namespace mas::rpc

template <>
struct std::hash<mas::rpc::Proxy> {
    std::size_t operator()(const mas::rpc::Proxy& proxy) const noexcept;
};
