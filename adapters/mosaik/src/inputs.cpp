#include "mas/mosaik/inputs.hpp"

#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas::mosaik {

Inputs::Inputs(Json raw) : raw_(std::move(raw)) {
    if (!raw_.is_object()) throw TypeError("step inputs must be an object, got " + raw_.describe());
    for (const auto& [eid, attrs] : raw_.as_object()) {
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

std::vector<std::string> Inputs::entities() const {
    std::vector<std::string> out;
    for (const auto& item : raw_.as_object()) out.push_back(item.first);
    return out;
}

std::vector<std::string> Inputs::attrs(std::string_view eid) const {
    std::vector<std::string> out;
    if (const auto* attrs = raw_.as_object().find(eid)) {
        for (const auto& item : attrs->as_object()) out.push_back(item.first);
    }
    return out;
}

const JsonObject* Inputs::sources(std::string_view eid, std::string_view attr) const {
    const auto* attrs = raw_.as_object().find(eid);
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
