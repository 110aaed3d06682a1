#pragma once
/// \file
/// Meta: what a mosaik simulator tells mosaik about itself in its `init` reply.

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "mas/core/json.hpp"

namespace mas::mosaik {

/// How mosaik schedules a simulator (meta "type").
enum class SimType { time_based, event_based, hybrid };

/// The wire name of a type: "time-based", "event-based" or "hybrid".
std::string_view to_string(SimType type) noexcept;

/// One model of a simulator's meta. Setters return *this so a model reads as one statement:
/// `meta.model("ExampleModel").params({"init_val"}).attrs({"delta", "val"}).trigger({"delta"})`.
class Model {
public:
    explicit Model(std::string name) : name_(std::move(name)) {}

    /// Whether a scenario may create entities of this model (default true).
    Model& is_public(bool value);
    /// The parameter names `create` accepts.
    Model& params(std::vector<std::string> names);
    /// The attribute names (inputs and outputs).
    Model& attrs(std::vector<std::string> names);
    /// Whether any attribute name is accepted as input (default false).
    Model& any_inputs(bool value);
    /// The input attributes that trigger a step (event-based and hybrid only).
    Model& trigger(std::vector<std::string> names);
    /// The output attributes that are events, not persistent values (event-based and hybrid only).
    Model& non_persistent(std::vector<std::string> names);

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] bool is_public() const noexcept { return public_; }
    [[nodiscard]] const std::vector<std::string>& params() const noexcept { return params_; }
    [[nodiscard]] const std::vector<std::string>& attrs() const noexcept { return attrs_; }
    [[nodiscard]] bool any_inputs() const noexcept { return any_inputs_; }
    [[nodiscard]] const std::optional<std::vector<std::string>>& trigger() const noexcept { return trigger_; }
    [[nodiscard]] const std::optional<std::vector<std::string>>& non_persistent() const noexcept {
        return non_persistent_;
    }

    /// The model's entry in mosaik's meta: public, params, attrs, and any_inputs, trigger and
    /// non-persistent only where they were set.
    [[nodiscard]] Json to_json() const;

private:
    std::string name_;
    bool public_ = true;
    std::vector<std::string> params_;
    std::vector<std::string> attrs_;
    bool any_inputs_ = false;
    std::optional<std::vector<std::string>> trigger_;
    std::optional<std::vector<std::string>> non_persistent_;
};

/// A simulator's meta, built in C++ and sent as mosaik's meta dict.
class Meta {
public:
    explicit Meta(SimType type = SimType::time_based) : type_(type) {}

    /// Adds a model and returns it for configuration. The reference stays valid while the Meta
    /// lives (adding further models does not move earlier ones).
    Model& model(std::string name);
    /// Declares an extra method that a scenario may call by name.
    Meta& extra_method(std::string name);
    /// Overrides the api_version (default "3.0").
    Meta& api_version(std::string version);
    /// Declares that the simulator asks mosaik for extra steps with MosaikRemote::set_event
    /// (meta "set_events", default false; mosaik accepts them in real-time mode only).
    Meta& set_events(bool value);

    [[nodiscard]] SimType type() const noexcept { return type_; }
    [[nodiscard]] const std::string& api_version() const noexcept { return api_version_; }
    [[nodiscard]] bool set_events() const noexcept { return set_events_; }
    [[nodiscard]] const std::deque<Model>& models() const noexcept { return models_; }
    [[nodiscard]] const std::vector<std::string>& extra_methods() const noexcept { return extra_methods_; }
    /// The model called `name`, or nullptr.
    [[nodiscard]] const Model* find_model(std::string_view name) const noexcept;

    /// Exactly mosaik's meta dict: `{"api_version", "models", "extra_methods", "type"}`, then
    /// `"set_events": true` if declared.
    [[nodiscard]] Json to_json() const;

    /// Throws mas::ConfigError naming the model and the rule for meta that mosaik would reject:
    /// an api_version that is not "3.x", a time-based model with trigger or non-persistent
    /// attributes, an event-based model whose trigger or non-persistent list does not cover all
    /// attrs, trigger/non-persistent names that are not attrs, duplicate names, and model or
    /// extra-method names that collide with the API calls or with each other.
    void validate() const;

private:
    SimType type_;
    std::string api_version_ = "3.0";
    bool set_events_ = false;
    std::deque<Model> models_;
    std::vector<std::string> extra_methods_;
};

}  // namespace mas::mosaik
