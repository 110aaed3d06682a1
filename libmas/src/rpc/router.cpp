#include "mas/rpc/router.hpp"

#include <fmt/format.h>

namespace mas::rpc {

Router::~Router() {
    if (parent_) parent_->detach_child(*this);
    for (auto& [name, entry] : entries_) {
        if (auto* child = std::get_if<Router*>(&entry)) (*child)->parent_ = nullptr;
    }
}

void Router::check_new_name(const std::string& name) const {
    if (name.empty()) throw ConfigError("an exposed name must not be empty");
    if (name.find('/') != std::string::npos) {
        throw ConfigError(fmt::format("exposed name \"{}\" must not contain '/'", name));
    }
    if (entries_.contains(name)) {
        throw ConfigError(fmt::format("name \"{}\" is already exposed in \"{}\"", name, path()));
    }
}

void Router::add(std::string name, std::unique_ptr<Handler> handler) {
    check_new_name(name);
    entries_.emplace(std::move(name), std::move(handler));
}

void Router::set_sub_router(std::string name, Router& child) {
    check_new_name(name);
    for (const Router* r = this; r; r = r->parent_) {
        if (r == &child) throw ConfigError(fmt::format("router \"{}\" cannot contain itself", name));
    }
    if (child.parent_) child.parent_->detach_child(child);
    child.parent_ = this;
    child.name_ = name;
    entries_.emplace(std::move(name), &child);
}

bool Router::remove(std::string_view name) noexcept {
    auto it = entries_.find(name);
    if (it == entries_.end()) return false;
    if (auto* child = std::get_if<Router*>(&it->second)) (*child)->parent_ = nullptr;
    entries_.erase(it);
    return true;
}

void Router::detach_child(Router& child) noexcept {
    auto it = entries_.find(child.name_);
    if (it != entries_.end() && std::holds_alternative<Router*>(it->second) &&
        std::get<Router*>(it->second) == &child) {
        entries_.erase(it);
    }
    child.parent_ = nullptr;
}

Router* Router::sub_router(std::string_view name) const noexcept {
    auto it = entries_.find(name);
    if (it == entries_.end()) return nullptr;
    auto* child = std::get_if<Router*>(&it->second);
    return child ? *child : nullptr;
}

const Handler& Router::resolve(std::string_view path) const {
    const Router* router = this;
    std::size_t start = 0;
    for (;;) {
        const auto slash = path.find('/', start);
        const auto name = path.substr(start, slash == std::string_view::npos ? path.npos : slash - start);
        // aiomas names the prefix walked so far, relative to the router the lookup started at.
        const auto prefix = path.substr(0, start == 0 ? 0 : start - 1);
        const auto it = router ? router->entries_.find(name) : decltype(entries_)::const_iterator{};
        if (!router || it == router->entries_.end()) {
            throw LookupError(fmt::format("Name \"{}\" not found in \"{}\"", name, prefix));
        }
        if (slash == std::string_view::npos) {
            if (auto* handler = std::get_if<std::unique_ptr<Handler>>(&it->second)) return **handler;
            throw LookupError(fmt::format("\"{}\" is a service, not a function", path));
        }
        if (auto* child = std::get_if<Router*>(&it->second)) {
            router = *child;
        } else {
            router = nullptr;  // a step below a function: the next name is not found
        }
        start = slash + 1;
    }
}

std::string Router::path() const {
    if (!parent_) return {};
    auto prefix = parent_->path();
    return prefix.empty() ? name_ : prefix + "/" + name_;
}

const Router& Router::root() const noexcept {
    const Router* r = this;
    while (r->parent_) r = r->parent_;
    return *r;
}

}  // namespace mas::rpc
