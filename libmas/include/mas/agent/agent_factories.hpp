#pragma once
/// \file
/// AgentFactories: agent types by name, so that a remote caller can create agents from JSON
/// arguments (what aiomas' subprocess Manager does with `module:Class` names).

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "mas/agent/agent.hpp"
#include "mas/agent/container.hpp"
#include "mas/core/json.hpp"
#include "mas/rpc/function_handler.hpp"
#include "mas/rpc/proxy.hpp"

namespace mas::agent {

namespace detail {

/// The parameter checks of one factory; throws ConfigError if `params` does not fit `optional`.
rpc::detail::Signature factory_signature(const std::string& name, std::vector<std::string> params,
                                         std::vector<bool> optional);

/// Converts the arguments of a checked call to the constructor parameters P... (in order, so the
/// first bad argument is the one reported) and spawns A in `container`.
template <class A, class... P, std::size_t... I>
Agent& construct(Container& container, const rpc::detail::Signature& signature, const JsonArray& args,
                 const JsonObject& kwargs, std::index_sequence<I...>) {
    const std::shared_ptr<rpc::detail::ConnectionState> no_connection;
    [[maybe_unused]] auto convert = [&]<class T>(std::size_t i, std::type_identity<T>) -> T {
        const Json* value = signature.find(i, args, kwargs);
        if (!value) {
            if constexpr (rpc::detail::IsOptional<T>::value) return std::nullopt;
            signature.conversion_failed(i, Error("missing"));  // check() rules this out
        }
        try {
            return rpc::detail::from_arg<T>(*value, no_connection);
        } catch (const TypeError& e) {
            signature.conversion_failed(i, e);
        }
    };
    [[maybe_unused]] std::tuple<std::remove_cvref_t<P>...> values{
        convert(I, std::type_identity<std::remove_cvref_t<P>>{})...};
    return container.spawn<A>(std::move(std::get<I>(values))...);
}

}  // namespace detail

/// A registry of agent factories by name. The subprocess Manager (manager.hpp) uses one to
/// create agents that a parent process asks for by name:
///
///     agent::AgentFactories factories;
///     factories.add<Callee>("Callee")
///              .add<Counter, int, std::string>("Counter", {"start", "label"});
///     // later: factories.create(container, "Counter", args, kwargs)
///
/// Plain data; build it before use and do not change it while agents are being created.
class AgentFactories {
public:
    /// Creates an agent in a container from positional and keyword JSON arguments. Throws
    /// rpc::ArgumentError (reported to RPC callers as TypeError) when the arguments do not fit.
    using Factory = std::function<Agent&(Container&, const JsonArray& args, const JsonObject& kwargs)>;

    /// Registers agent type A under `name`. A is constructed as `A(container, P...)`: P... are the
    /// constructor's parameter types after the Container& and must be given explicitly, because a
    /// constructor's parameters cannot be deduced. Arguments bind and convert as for an exposed
    /// function (rpc::Service::expose): `params` names the parameters so keyword arguments can
    /// bind (without it only positional calls fit), `std::optional` parameters may be left out,
    /// and the errors read like Python's, e.g. `Counter() missing 1 required positional
    /// argument: 'label'`. rpc::Proxy parameters are not supported (pass an address and connect).
    /// Throws mas::ConfigError if `name` is empty or taken, or `params` has the wrong length.
    template <class A, class... P>
    AgentFactories& add(std::string name, std::vector<std::string> params = {}) {
        static_assert(std::is_base_of_v<Agent, A>, "factories create Agents");
        static_assert(std::is_constructible_v<A, Container&, std::remove_cvref_t<P>&&...>,
                      "A must be constructible from (Container&, P...)");
        static_assert((!std::is_same_v<std::remove_cvref_t<P>, rpc::Proxy> && ...),
                      "factory parameters cannot be proxies; pass the agent's address instead");
        auto signature = detail::factory_signature(
            name, std::move(params), {rpc::detail::IsOptional<std::remove_cvref_t<P>>::value...});
        Factory factory = [signature](Container& container, const JsonArray& args, const JsonObject& kwargs) -> Agent& {
            signature.check(args, kwargs);
            return detail::construct<A, P...>(container, signature, args, kwargs, std::index_sequence_for<P...>{});
        };
        return add_factory(std::move(name), std::move(factory));
    }

    /// Registers a hand-written factory under `name`. Throws mas::ConfigError if `name` is empty
    /// or taken, or `factory` is empty.
    AgentFactories& add_factory(std::string name, Factory factory);

    /// Creates an agent with the factory `name` in `container` and returns it. Throws
    /// rpc::LookupError naming the known factories if there is no such factory, and whatever
    /// the factory throws (rpc::ArgumentError for arguments that do not fit). Runs on the
    /// container's executor.
    Agent& create(Container& container, std::string_view name, const JsonArray& args,
                  const JsonObject& kwargs) const;

    /// Whether a factory is registered under `name`.
    [[nodiscard]] bool contains(std::string_view name) const noexcept;
    /// The registered names, sorted.
    [[nodiscard]] std::vector<std::string> names() const;

private:
    std::map<std::string, Factory, std::less<>> factories_;
};

}  // namespace mas::agent
