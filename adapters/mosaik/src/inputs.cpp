#include "mas/mosaik/inputs.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas::mosaik {

Inputs::Inputs(Json raw) : raw_(std::move(raw)) { check(); }

Inputs::Inputs(Borrowed, const Json& raw) : view_(&raw) { check(); }

Inputs Inputs::view(const Json& raw) { return Inputs(Borrowed{}, raw); }

Inputs Inputs::pulled(Json& tree, std::span<const Json* const> values) {
    Inputs out(Borrowed{}, tree);
    out.view_ = nullptr;
    out.tree_ = &tree;
    out.values_ = values;
    return out;
}

void Inputs::next_values(std::span<const Json* const> values) {
    values_ = values;
    filled_ = false;
    same_shape_ = true;
}

// A copy owns its JSON, with the values it has now.
Inputs::Inputs(const Inputs& other) : raw_(other.data()) {}

Inputs::Inputs(Inputs&& other) noexcept
    : raw_(std::move(other.raw_)),
      view_(other.view_),
      tree_(other.tree_),
      values_(other.values_),
      filled_(other.filled_),
      flat_(std::move(other.flat_)),
      same_shape_(other.same_shape_) {}

Inputs& Inputs::operator=(const Inputs& other) {
    if (this != &other) *this = Inputs(other);
    return *this;
}

Inputs& Inputs::operator=(Inputs&& other) noexcept {
    raw_ = std::move(other.raw_);
    view_ = other.view_;
    tree_ = other.tree_;
    values_ = other.values_;
    filled_ = other.filled_;
    flat_ = std::move(other.flat_);
    same_shape_ = other.same_shape_;
    return *this;
}

const Json Inputs::null_;

const Json& Inputs::data() const {
    if (!tree_) return view_ ? *view_ : raw_;
    if (!filled_) {
        // Asked for as JSON: the values go into the tree, in its order.
        std::size_t k = 0;
        for (auto& [eid, attrs] : tree_->as_object()) {
            for (auto& [attr, sources] : attrs.as_object()) {
                for (auto& [source, value] : sources.as_object()) value = pulled_value(k++);
            }
        }
        filled_ = true;
    }
    return *tree_;
}

std::size_t Inputs::value_count() const {
    if (tree_) return values_.size();
    if (flat_.empty()) visit([&](const auto&, const auto&, const auto&, const Json& v) { flat_.push_back(&v); });
    return flat_.size();
}

const Json& Inputs::flat_value(std::size_t k) const {
    if (flat_.empty()) (void)value_count();
    return *flat_.at(k);
}

void Inputs::check() {
    const Json& raw = keys();
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
}

// JsonObject finds an entity in constant time however many there are.
const Json* Inputs::entity(std::string_view eid) const { return data().as_object().find(eid); }

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
