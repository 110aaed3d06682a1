#include "mas/mosaik/orchestrator/model_attrs.hpp"

#include <algorithm>
#include <iterator>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "mas/core/error.hpp"

namespace mas::mosaik {

namespace {

using Names = std::set<std::string>;

Names set_union(const Names& a, const Names& b) {
    Names out;
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
    return out;
}
Names set_intersection(const Names& a, const Names& b) {
    Names out;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
    return out;
}
Names set_difference(const Names& a, const Names& b) {
    Names out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
    return out;
}

std::optional<AttrSet> names_at(const std::string& model_name, const Json& model, std::string_view key) {
    if (!model.is_object()) throw ConfigError(fmt::format("model \"{}\": its description must be an object", model_name));
    const auto* value = model.as_object().find(key);
    if (!value || value->is_null()) return std::nullopt;
    if (!value->is_array()) {
        throw ConfigError(fmt::format("model \"{}\": \"{}\" must be a list of names, got {}", model_name, key,
                                      value->describe()));
    }
    Names names;
    for (const auto& item : value->as_array()) {
        if (!item.is_string()) {
            throw ConfigError(fmt::format("model \"{}\": \"{}\" must list names, got {}", model_name, key,
                                          item.describe()));
        }
        names.insert(item.as_string());
    }
    return AttrSet::of(std::move(names));
}

// The two parts of `whole`, inferring a missing one; they must partition it.
std::pair<AttrSet, AttrSet> partition(const std::string& model_name, std::optional<AttrSet> whole,
                                      std::optional<AttrSet> a, std::optional<AttrSet> b, const char* whole_name,
                                      const char* a_name, const char* b_name) {
    const auto missing = [&] {
        return ConfigError(fmt::format("model \"{}\": at least two of \"{}\", \"{}\" and \"{}\" must be given",
                                       model_name, whole_name, a_name, b_name));
    };
    if (!whole) {
        if (!a || !b) throw missing();
        whole = *a | *b;
    }
    if (!a) {
        if (!b) throw missing();
        a = *whole - *b;
    }
    if (!b) b = *whole - *a;
    if (!(*a & *b).empty()) {
        throw ConfigError(fmt::format("model \"{}\": \"{}\" {} and \"{}\" {} overlap", model_name, a_name,
                                      a->to_string(), b_name, b->to_string()));
    }
    if (!(*whole == (*a | *b))) {
        throw ConfigError(fmt::format("model \"{}\": \"{}\" {} and \"{}\" {} must together be \"{}\" {}", model_name,
                                      a_name, a->to_string(), b_name, b->to_string(), whole_name,
                                      whole->to_string()));
    }
    return {*a, *b};
}

}  // namespace

AttrSet AttrSet::of(std::set<std::string> names) { return AttrSet(false, std::move(names)); }

AttrSet AttrSet::all_except(std::set<std::string> names) { return AttrSet(true, std::move(names)); }

bool AttrSet::contains(std::string_view name) const {
    const bool listed = names_.find(std::string(name)) != names_.end();
    return complement_ ? !listed : listed;
}

AttrSet operator|(const AttrSet& a, const AttrSet& b) {
    if (!a.complement_ && !b.complement_) return AttrSet(false, set_union(a.names_, b.names_));
    if (a.complement_ && b.complement_) return AttrSet(true, set_intersection(a.names_, b.names_));
    const auto& finite = a.complement_ ? b : a;
    const auto& co = a.complement_ ? a : b;
    return AttrSet(true, set_difference(co.names_, finite.names_));
}

AttrSet operator&(const AttrSet& a, const AttrSet& b) {
    if (!a.complement_ && !b.complement_) return AttrSet(false, set_intersection(a.names_, b.names_));
    if (a.complement_ && b.complement_) return AttrSet(true, set_union(a.names_, b.names_));
    const auto& finite = a.complement_ ? b : a;
    const auto& co = a.complement_ ? a : b;
    return AttrSet(false, set_difference(finite.names_, co.names_));
}

AttrSet operator-(const AttrSet& a, const AttrSet& b) { return a & AttrSet(!b.complement_, b.names_); }

std::string AttrSet::to_string() const {
    auto listed = fmt::format("{{{}}}", fmt::join(names_, ", "));
    return complement_ ? "everything except " + listed : listed;
}

ModelAttrs parse_model_attrs(const std::string& model_name, const Json& model, SimType type) {
    const auto attrs = names_at(model_name, model, "attrs");
    const auto* any = model.as_object().find("any_inputs");
    const bool any_inputs = any && any->is_bool() && any->get<bool>();
    const std::optional<AttrSet> inputs = any_inputs ? std::optional<AttrSet>(AttrSet::all_except()) : attrs;
    const bool has_trigger = model.as_object().contains("trigger");

    std::optional<AttrSet> default_non_trigger;
    std::optional<AttrSet> default_trigger;
    std::optional<AttrSet> default_persistent;
    std::optional<AttrSet> default_non_persistent;
    switch (type) {
    case SimType::time_based:
        default_trigger = AttrSet();
        default_non_persistent = AttrSet();
        break;
    case SimType::event_based:
        default_non_trigger = AttrSet();
        default_persistent = AttrSet();
        break;
    case SimType::hybrid:
        if (!has_trigger) default_non_trigger = inputs;
        default_non_persistent = AttrSet();
        break;
    }
    auto non_trigger = names_at(model_name, model, "non-trigger");
    auto trigger = names_at(model_name, model, "trigger");
    auto [measurement_in, event_in] = partition(model_name, inputs, non_trigger ? non_trigger : default_non_trigger,
                                                trigger ? trigger : default_trigger, "attrs", "non-trigger", "trigger");
    auto persistent = names_at(model_name, model, "persistent");
    auto non_persistent = names_at(model_name, model, "non-persistent");
    auto [measurement_out, event_out] =
        partition(model_name, attrs, persistent ? persistent : default_persistent,
                  non_persistent ? non_persistent : default_non_persistent, "attrs", "persistent", "non-persistent");
    const auto rule = [&](const char* kind, const char* which) {
        return ConfigError(fmt::format("model \"{}\": {} simulators may not have {} attributes (use a hybrid "
                                       "simulator for both kinds)",
                                       model_name, kind, which));
    };
    if (type == SimType::time_based && !event_in.empty()) throw rule("time-based", "trigger");
    if (type == SimType::time_based && !event_out.empty()) throw rule("time-based", "non-persistent");
    if (type == SimType::event_based && !measurement_in.empty()) throw rule("event-based", "non-trigger");
    if (type == SimType::event_based && !measurement_out.empty()) throw rule("event-based", "persistent");
    return {measurement_in, event_in, measurement_out, event_out};
}

}  // namespace mas::mosaik
