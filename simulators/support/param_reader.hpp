#pragma once
// ParamReader: reads a simulator's sim params or model params with errors that name the
// simulator, the param and the rule it broke.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mas/core/json.hpp"

namespace mas::sims {

/// Typed, range-checked access to one params object (`init`'s sim params or `create`'s model
/// params). Every getter throws mas::ConfigError "<owner>: <problem>" for a missing required
/// param, a value of the wrong type, a non-finite number or a value outside its range. A param
/// given as JSON null counts as absent. The reader refers to `params`, which must outlive it.
class ParamReader {
public:
    ParamReader(std::string owner, const JsonObject& params) : owner_(std::move(owner)), params_(params) {}

    /// A finite number; `fallback` if absent (required if there is no fallback).
    [[nodiscard]] double number(std::string_view name, std::optional<double> fallback = std::nullopt) const;
    /// A number > 0.
    [[nodiscard]] double positive(std::string_view name, std::optional<double> fallback = std::nullopt) const;
    /// A number >= 0.
    [[nodiscard]] double non_negative(std::string_view name, std::optional<double> fallback = std::nullopt) const;
    /// A number in [0, 1].
    [[nodiscard]] double fraction(std::string_view name, std::optional<double> fallback = std::nullopt) const;
    /// An integer > 0 (a float with an integral value such as 900.0 is accepted too).
    [[nodiscard]] std::int64_t positive_integer(std::string_view name,
                                                std::optional<std::int64_t> fallback = std::nullopt) const;
    /// A non-empty string, or nullopt if absent.
    [[nodiscard]] std::optional<std::string> optional_string(std::string_view name) const;
    /// A non-empty string that must be given.
    [[nodiscard]] std::string required_string(std::string_view name, std::string_view what) const;

    /// Throws the ConfigError "<owner>: <problem>".
    [[noreturn]] void fail(std::string_view problem) const;

private:
    [[nodiscard]] const Json* find(std::string_view name) const;
    std::string owner_;
    const JsonObject& params_;
};

/// The length of one step in seconds: `step_size` mosaik time units of `time_resolution` seconds
/// each. Throws mas::ConfigError "<owner>: ..." unless time_resolution is finite and > 0.
double step_seconds(std::string_view owner, double time_resolution, std::int64_t step_size);

}  // namespace mas::sims
