#include "mas/mosaik/inputs.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas::mosaik {
namespace {

// Up to this many entities a search in order is as quick as a sorted index.
constexpr std::size_t linear_lookup_limit = 8;

}  // namespace

Inputs::Inputs(Json raw) : raw_(std::move(raw)) { check_and_index(); }

Inputs::Inputs(Borrowed, const Json& raw) : view_(&raw) { check_and_index(); }

Inputs Inputs::view(const Json& raw) { return Inputs(Borrowed{}, raw); }

// The index holds positions, not pointers, so it stays valid for a copy of the same JSON.
Inputs::Inputs(const Inputs& other) : raw_(other.data()), by_eid_(other.by_eid_) {}

Inputs::Inputs(Inputs&& other) noexcept
    : raw_(std::move(other.raw_)), view_(other.view_), by_eid_(std::move(other.by_eid_)) {}

Inputs& Inputs::operator=(const Inputs& other) {
    if (this != &other) {
        raw_ = other.data();
        view_ = nullptr;
        by_eid_ = other.by_eid_;
    }
    return *this;
}

Inputs& Inputs::operator=(Inputs&& other) noexcept {
    raw_ = std::move(other.raw_);
    view_ = other.view_;
    by_eid_ = std::move(other.by_eid_);
    return *this;
}

void Inputs::check_and_index() {
    const Json& raw = data();
    if (!raw.is_object()) throw TypeError("step inputs must be an object, got " + raw.describe());
    for (const auto& [eid, attrs] : raw.as_object()) {
        if (!attrs.is_object()) {
            throw TypeError(fmt::format("step inputs of '{}' must be an object, got {}", eid, attrs.describe()));
        }
        for (const auto& [attr, sources] : attrs.as_object()) {
            if (!sources.is_object()) {
                throw TypeError(fmt::format("step inputs of '{}'.'{}' must be an object of source ids, got {}", eid,
                                            attr, sources.describe()));
            }
        }
    }
    const auto& items = raw.as_object();
    if (items.size() <= linear_lookup_limit) return;
    // A duplicate id is not indexed again, so it finds its first entry, as JsonObject::find does.
    const auto key_at = [&](std::size_t i) -> std::string_view { return (items.begin() + static_cast<std::ptrdiff_t>(i))->first; };
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!by_eid_.find(key_at(i), key_at)) by_eid_.add(key_at(i), i);
    }
}

const Json* Inputs::entity(std::string_view eid) const {
    const auto& items = data().as_object();
    if (by_eid_.empty()) return items.find(eid);
    const auto item = [&](std::size_t i) -> const auto& { return *(items.begin() + static_cast<std::ptrdiff_t>(i)); };
    const auto key_at = [&](std::size_t i) -> std::string_view { return item(i).first; };
    const auto found = by_eid_.find(eid, key_at);
    return found ? &item(*found).second : nullptr;
}

std::vector<std::string> Inputs::entities() const {
    std::vector<std::string> out;
    for (const auto& item : data().as_object()) out.push_back(item.first);
    return out;
}

std::vector<std::string> Inputs::attrs(std::string_view eid) const {
    std::vector<std::string> out;
    if (const auto* attrs = entity(eid)) {
        for (const auto& item : attrs->as_object()) out.push_back(item.first);
    }
    return out;
}

const JsonObject* Inputs::sources(std::string_view eid, std::string_view attr) const {
    const auto* attrs = entity(eid);
    if (!attrs) return nullptr;
    const auto* sources = attrs->as_object().find(attr);
    return sources ? &sources->as_object() : nullptr;
}

std::vector<SourceValue> Inputs::values(std::string_view eid, std::string_view attr) const {
    std::vector<SourceValue> out;
    if (const auto* s = sources(eid, attr)) {
        for (const auto& [source, value] : *s) out.emplace_back(source, value);
    }
    return out;
}

bool Inputs::contains(std::string_view eid, std::string_view attr) const {
    const auto* s = sources(eid, attr);
    return s && !s->empty();
}

double Inputs::sum(std::string_view eid, std::string_view attr) const {
    double total = 0;
    if (const auto* s = sources(eid, attr)) {
        for (const auto& item : *s) total += item.second.get<double>();
    }
    return total;
}

}  // namespace mas::mosaik
