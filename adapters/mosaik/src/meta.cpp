#include "mas/mosaik/meta.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas::mosaik {
namespace {

constexpr std::array<std::string_view, 7> api_names{"init", "create", "setup_done", "step",
                                                    "get_data", "finalize", "stop"};

bool contains(const std::vector<std::string>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

Json names_json(const std::vector<std::string>& names) {
    JsonArray out;
    for (const auto& n : names) out.emplace_back(n);
    return Json(std::move(out));
}

// mosaik splits the version on "." into integers; libmas speaks API 3 only.
void check_api_version(const std::string& version) {
    const auto dot = version.find('.');
    int major = -1;
    int minor = -1;
    const auto* end = version.data() + version.size();
    const auto* major_end = version.data() + (dot == std::string::npos ? version.size() : dot);
    const bool ok = dot != std::string::npos &&
                    std::from_chars(version.data(), major_end, major).ptr == major_end &&
                    std::from_chars(major_end + 1, end, minor).ptr == end && major_end + 1 != end;
    if (!ok || major != 3 || minor < 0) {
        throw ConfigError(fmt::format("mosaik meta: api_version \"{}\" is not supported; use \"3.x\" (e.g. \"3.0\")",
                                      version));
    }
}

void check_subset(const Model& model, const std::vector<std::string>& names, std::string_view what) {
    for (const auto& name : names) {
        if (!contains(model.attrs(), name)) {
            throw ConfigError(fmt::format("mosaik meta: model '{}' lists '{}' as {} but not in its attrs",
                                          model.name(), name, what));
        }
    }
}

void check_covers_attrs(const Model& model, const std::vector<std::string>& names, std::string_view what) {
    for (const auto& attr : model.attrs()) {
        if (!contains(names, attr)) {
            throw ConfigError(fmt::format("mosaik meta: event-based model '{}' must list every attr as {}, "
                                          "but '{}' is missing",
                                          model.name(), what, attr));
        }
    }
}

void check_model(SimType type, const Model& model) {
    if (type == SimType::time_based) {
        if (model.trigger() && !model.trigger()->empty()) {
            throw ConfigError(fmt::format("mosaik meta: time-based model '{}' may not have trigger attributes",
                                          model.name()));
        }
        if (model.non_persistent() && !model.non_persistent()->empty()) {
            throw ConfigError(fmt::format(
                "mosaik meta: time-based model '{}' may not have non-persistent attributes", model.name()));
        }
    }
    if (model.trigger() && !model.any_inputs()) check_subset(model, *model.trigger(), "trigger");
    if (model.non_persistent()) check_subset(model, *model.non_persistent(), "non-persistent");
    if (type == SimType::event_based) {
        if (model.trigger()) check_covers_attrs(model, *model.trigger(), "trigger (all inputs are triggers)");
        if (model.non_persistent()) check_covers_attrs(model, *model.non_persistent(), "non-persistent");
    }
}

void check_name(std::string_view kind, const std::string& name) {
    if (name.empty()) throw ConfigError(fmt::format("mosaik meta: {} name is empty", kind));
    if (std::find(api_names.begin(), api_names.end(), name) != api_names.end()) {
        throw ConfigError(fmt::format("mosaik meta: {} name '{}' collides with the mosaik API call of that name",
                                      kind, name));
    }
}

}  // namespace

std::string_view to_string(SimType type) noexcept {
    switch (type) {
    case SimType::time_based: return "time-based";
    case SimType::event_based: return "event-based";
    case SimType::hybrid: return "hybrid";
    }
    return "time-based";
}

Model& Model::is_public(bool value) {
    public_ = value;
    return *this;
}
Model& Model::params(std::vector<std::string> names) {
    params_ = std::move(names);
    return *this;
}
Model& Model::attrs(std::vector<std::string> names) {
    attrs_ = std::move(names);
    return *this;
}
Model& Model::any_inputs(bool value) {
    any_inputs_ = value;
    return *this;
}
Model& Model::trigger(std::vector<std::string> names) {
    trigger_ = std::move(names);
    return *this;
}
Model& Model::non_persistent(std::vector<std::string> names) {
    non_persistent_ = std::move(names);
    return *this;
}

Json Model::to_json() const {
    JsonObject out;
    out.push_back("public", public_);
    out.push_back("params", names_json(params_));
    out.push_back("attrs", names_json(attrs_));
    if (any_inputs_) out.push_back("any_inputs", true);
    if (trigger_) out.push_back("trigger", names_json(*trigger_));
    if (non_persistent_) out.push_back("non-persistent", names_json(*non_persistent_));
    return Json(std::move(out));
}

Model& Meta::model(std::string name) { return models_.emplace_back(std::move(name)); }

Meta& Meta::extra_method(std::string name) {
    extra_methods_.push_back(std::move(name));
    return *this;
}

Meta& Meta::api_version(std::string version) {
    api_version_ = std::move(version);
    return *this;
}

Meta& Meta::set_events(bool value) {
    set_events_ = value;
    return *this;
}

const Model* Meta::find_model(std::string_view name) const noexcept {
    for (const auto& m : models_) {
        if (m.name() == name) return &m;
    }
    return nullptr;
}

Json Meta::to_json() const {
    JsonObject models;
    for (const auto& m : models_) models.push_back(m.name(), m.to_json());
    JsonObject out;
    out.push_back("api_version", api_version_);
    out.push_back("models", std::move(models));
    out.push_back("extra_methods", names_json(extra_methods_));
    out.push_back("type", std::string(to_string(type_)));
    if (set_events_) out.push_back("set_events", true);
    return Json(std::move(out));
}

void Meta::validate() const {
    check_api_version(api_version_);
    std::vector<std::string> seen;
    for (const auto& m : models_) {
        check_name("model", m.name());
        if (contains(seen, m.name())) throw ConfigError(fmt::format("mosaik meta: model '{}' is declared twice", m.name()));
        seen.push_back(m.name());
        check_model(type_, m);
    }
    std::vector<std::string> methods;
    for (const auto& name : extra_methods_) {
        check_name("extra method", name);
        if (find_model(name)) {
            throw ConfigError(fmt::format("mosaik meta: extra method '{}' has the name of a model", name));
        }
        if (contains(methods, name)) {
            throw ConfigError(fmt::format("mosaik meta: extra method '{}' is declared twice", name));
        }
        methods.push_back(name);
    }
}

}  // namespace mas::mosaik
