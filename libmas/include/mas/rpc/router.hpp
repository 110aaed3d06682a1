#pragma once
/// \file
/// Router: one node of an RPC service tree, mapping names to functions and sub-routers.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include <asio/awaitable.hpp>

#include "mas/core/error.hpp"
#include "mas/core/json.hpp"

namespace mas::rpc {

namespace detail {
class ConnectionState;
}

/// The arguments of one incoming call, as they came off the wire, and the connection they came
/// through (so that service arguments can become proxies that call back over it).
struct CallArgs {
    CallArgs(JsonArray& a, JsonObject& kw, const std::shared_ptr<detail::ConnectionState>& c) noexcept
        : args(a), kwargs(kw), connection(c) {}
    JsonArray& args;
    JsonObject& kwargs;
    const std::shared_ptr<detail::ConnectionState>& connection;
};

/// What a Handler produced: the result of a plain function, or the awaitable of a coroutine.
struct Invocation {
    Invocation() noexcept {}
    Json result;
    std::optional<asio::awaitable<Json>> pending;
};

/// The arguments of a call do not fit the function (count, names or types). The message reads
/// like Python's, e.g. `add() missing 1 required positional argument: 'b'`; the failure reply
/// names it `TypeError`, as aiomas peers expect.
class ArgumentError : public TypeError {
public:
    using TypeError::TypeError;
};

/// A path does not lead to an exposed function. The failure reply names it `LookupError`, with
/// aiomas' text: `Name "x" not found in "prefix"`.
class LookupError : public Error {
public:
    using Error::Error;
};

/// A callable exposed under a name. Implemented by FunctionHandler (see service.hpp's expose).
class Handler {
public:
    virtual ~Handler() = default;
    /// Converts the arguments and runs the function. Throws ArgumentError when they do not fit;
    /// whatever the function throws propagates.
    virtual Invocation invoke(CallArgs& call) const = 0;
    /// The name used in error messages, e.g. `MathServer.add`.
    [[nodiscard]] virtual const std::string& display_name() const noexcept = 0;
};

/// One node of a service tree: exposed functions and sub-routers by name (aiomas' Router). A
/// router knows its parent, so it knows its own path (`""` for a root, `"agents/0"` for an
/// agent). Sub-routers are not owned: a router that is destroyed detaches itself from its parent
/// and its children. Not copyable or movable, because the tree refers to it by address.
/// Single-threaded: use it only on the executor of the connections that serve it.
class Router {
public:
    Router() = default;
    ~Router();
    Router(const Router&) = delete;
    Router& operator=(const Router&) = delete;

    /// Exposes `handler` as `name`. Throws mas::ConfigError if the name is empty, contains `/`
    /// or is taken.
    void add(std::string name, std::unique_ptr<Handler> handler);
    /// Makes `child` reachable as `name` (aiomas' set_sub_router). A child has one parent; it is
    /// moved if it had another. Throws mas::ConfigError like add().
    void set_sub_router(std::string name, Router& child);
    /// Removes a function or sub-router; false if there was none.
    bool remove(std::string_view name) noexcept;

    /// The handler the `/`-separated `path` leads to. Throws LookupError with aiomas' text
    /// (`Name "x" not found in "prefix"`) if a step is missing or steps below a function.
    [[nodiscard]] const Handler& resolve(std::string_view path) const;
    /// The sub-router under `name`, if any.
    [[nodiscard]] Router* sub_router(std::string_view name) const noexcept;

    /// This router's path from its root: `""` for a root, `"a/b"` below.
    [[nodiscard]] std::string path() const;
    [[nodiscard]] Router* parent() const noexcept { return parent_; }
    [[nodiscard]] const Router& root() const noexcept;
    /// Number of functions and sub-routers.
    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

    /// Makes a token for a request that a coroutine function serves; the token is held until the
    /// reply is sent. Lets the owner of a tree see the work under way (a Container counts it).
    using TaskTracker = std::function<std::shared_ptr<void>()>;
    /// Sets the tracker used for requests that connections serving this router receive.
    void track_tasks(TaskTracker tracker) { tracker_ = std::move(tracker); }
    /// A token from the tracker, or null if none is set.
    [[nodiscard]] std::shared_ptr<void> task_token() const { return tracker_ ? tracker_() : nullptr; }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    using Entry = std::variant<std::unique_ptr<Handler>, Router*>;

    void check_new_name(const std::string& name) const;
    void detach_child(Router& child) noexcept;

    std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;
    Router* parent_ = nullptr;
    std::string name_;
    TaskTracker tracker_;
};

}  // namespace mas::rpc
