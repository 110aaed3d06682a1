#include "mas/agent/agent_factories.hpp"

#include <fmt/format.h>

#include "mas/rpc/router.hpp"

namespace mas::agent {

namespace detail {

rpc::detail::Signature factory_signature(const std::string& name, std::vector<std::string> params,
                                         std::vector<bool> optional) {
    rpc::detail::Signature signature;
    signature.display_name = name;
    signature.arity = optional.size();
    signature.params = std::move(params);
    signature.optional = std::move(optional);
    if (!signature.params.empty() && signature.params.size() != signature.arity) {
        throw ConfigError(fmt::format("agent factory \"{}\": {} parameter names given for {} parameters", name,
                                      signature.params.size(), signature.arity));
    }
    return signature;
}

}  // namespace detail

AgentFactories& AgentFactories::add_factory(std::string name, Factory factory) {
    if (name.empty()) throw ConfigError("an agent factory needs a name");
    if (!factory) throw ConfigError(fmt::format("agent factory \"{}\" is empty", name));
    if (factories_.contains(name)) throw ConfigError(fmt::format("agent factory \"{}\" is already registered", name));
    factories_.emplace(std::move(name), std::move(factory));
    return *this;
}

Agent& AgentFactories::create(Container& container, std::string_view name, const JsonArray& args,
                              const JsonObject& kwargs) const {
    const auto it = factories_.find(name);
    if (it == factories_.end()) {
        std::string known;
        for (const auto& [known_name, factory] : factories_) {
            known += fmt::format("{}\"{}\"", known.empty() ? "" : ", ", known_name);
        }
        throw rpc::LookupError(fmt::format("No agent factory \"{}\"; known factories: {}", name,
                                           known.empty() ? std::string("none") : known));
    }
    return it->second(container, args, kwargs);
}

bool AgentFactories::contains(std::string_view name) const noexcept {
    return factories_.find(name) != factories_.end();
}

std::vector<std::string> AgentFactories::names() const {
    std::vector<std::string> out;
    out.reserve(factories_.size());
    for (const auto& [name, factory] : factories_) out.push_back(name);
    return out;
}

}  // namespace mas::agent
