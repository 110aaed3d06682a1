#pragma once
/// \file
/// Service: a C++ object whose exposed functions can be called over RPC (aiomas' Service).

#include <map>
#include <memory>
#include <mutex>
#include <typeinfo>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mas/rpc/function_handler.hpp"
#include "mas/rpc/router.hpp"

namespace mas::rpc {

namespace detail {
/// The display name of a class for error messages: its demangled name without namespaces.
std::string short_type_name(const std::type_info& type);

/// The signature shared by every object that exposes member `F` of class `C` as `name` with
/// `params` (agents of one class expose the same members thousands of times).
template <class Handler>
std::shared_ptr<const Signature> shared_signature(const std::string& display, const std::vector<std::string>& params) {
    static std::mutex mutex;
    static std::map<std::pair<std::string, std::vector<std::string>>, std::weak_ptr<const Signature>> cache;
    const std::lock_guard lock(mutex);
    auto& slot = cache[{display, params}];
    auto signature = slot.lock();
    if (!signature) {
        signature = Handler::make_signature(display, params);
        slot = signature;
    }
    return signature;
}

template <class C, class F>
struct BoundMember {
    C* object;
    F function;
    template <class... A>
    decltype(auto) operator()(A&&... args) const {
        return (object->*function)(std::forward<A>(args)...);
    }
};
}  // namespace detail

/// Base class of objects that expose functions over RPC. Derive from it and expose members in
/// the constructor; only exposed names can be called:
///
///     class MathServer : public rpc::Service {
///     public:
///         MathServer() { expose("add", &MathServer::add, {"a", "b"}); add_service("sub", sub_); }
///         int add(int a, int b) { return a + b; }
///     };
///
/// A plain Service also works as a name-to-function map: `svc.expose("add", [](int a, int b) {...})`.
/// Services nest into trees addressed by `/`-separated paths; the tree refers to services by
/// address, so a Service is neither copyable nor movable, and one that is destroyed leaves its
/// tree. Single-threaded: use it only on the executor of the connections that serve it.
class Service {
public:
    Service() = default;
    virtual ~Service() = default;
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    /// Exposes a member function of this object (the class must derive from Service) under
    /// `name`. `params` names its parameters so that keyword arguments can bind; without it only
    /// positional calls fit. Coroutine members (returning asio::awaitable) are awaited.
    /// Throws mas::ConfigError for a taken or invalid name or a wrong number of names.
    template <class C, class F>
        requires std::is_function_v<F>
    void expose(std::string name, F C::*function, std::vector<std::string> params = {}) {
        static_assert(std::is_base_of_v<Service, C>, "expose members of the Service's own class");
        using Bound = detail::BoundMember<C, F C::*>;
        using Handler = FunctionHandler<Bound, detail::CallableTraits<F C::*>>;
        static const std::string class_name = detail::short_type_name(typeid(C));  // once per class
        auto signature = detail::shared_signature<Handler>(class_name + "." + name, params);
        Bound bound{static_cast<C*>(this), function};
        router_.add(std::move(name), std::make_unique<Handler>(bound, std::move(signature)));
    }

    /// Exposes any callable (function pointer, lambda, function object) under `name`.
    template <class Fn>
        requires(!std::is_member_pointer_v<std::remove_cvref_t<Fn>>)
    void expose(std::string name, Fn&& function, std::vector<std::string> params = {}) {
        using Handler = FunctionHandler<std::decay_t<Fn>>;
        auto display = name;
        router_.add(std::move(name),
                    std::make_unique<Handler>(std::forward<Fn>(function), std::move(display), std::move(params)));
    }

    /// Makes `child` reachable as `name` below this service (a sub-router). `child` must outlive
    /// its use here or be destroyed (which detaches it).
    void add_service(std::string name, Service& child) { router_.set_sub_router(std::move(name), child.router_); }

    [[nodiscard]] Router& router() noexcept { return router_; }
    [[nodiscard]] const Router& router() const noexcept { return router_; }

private:
    Router router_;
};

/// A service whose sub-services are added and removed by name at run time (aiomas'
/// ServiceDict); containers keep their agents in one, under `agents/<id>`.
class ServiceDict : public Service {
public:
    /// Adds `service` under `name`; throws mas::ConfigError if the name is taken or invalid.
    void add(std::string name, Service& service) { add_service(std::move(name), service); }
    /// Removes the service under `name`; false if there was none.
    bool remove(std::string_view name) noexcept { return router().remove(name); }
    [[nodiscard]] bool contains(std::string_view name) const noexcept { return router().sub_router(name) != nullptr; }
    [[nodiscard]] std::size_t size() const noexcept { return router().size(); }
};

}  // namespace mas::rpc
