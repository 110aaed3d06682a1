#include "param_reader.hpp"

#include <cmath>

#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas::sims {

const Json* ParamReader::find(std::string_view name) const {
    const auto* value = params_.find(name);
    return value && !value->is_null() ? value : nullptr;
}

void ParamReader::fail(std::string_view problem) const { throw ConfigError(fmt::format("{}: {}", owner_, problem)); }

double ParamReader::number(std::string_view name, std::optional<double> fallback) const {
    const auto* value = find(name);
    if (!value) {
        if (!fallback) fail(fmt::format("missing required param '{}'", name));
        return *fallback;
    }
    if (!value->is_number()) fail(fmt::format("param '{}' must be a number, got {}", name, value->describe()));
    const auto number = value->get<double>();
    if (!std::isfinite(number)) fail(fmt::format("param '{}' must be finite, got {}", name, value->describe()));
    return number;
}

double ParamReader::positive(std::string_view name, std::optional<double> fallback) const {
    const auto value = number(name, fallback);
    if (!(value > 0)) fail(fmt::format("param '{}' must be > 0, got {}", name, value));
    return value;
}

double ParamReader::non_negative(std::string_view name, std::optional<double> fallback) const {
    const auto value = number(name, fallback);
    if (value < 0) fail(fmt::format("param '{}' must be >= 0, got {}", name, value));
    return value;
}

double ParamReader::fraction(std::string_view name, std::optional<double> fallback) const {
    const auto value = number(name, fallback);
    if (value < 0 || value > 1) fail(fmt::format("param '{}' must be between 0 and 1, got {}", name, value));
    return value;
}

std::int64_t ParamReader::positive_integer(std::string_view name, std::optional<std::int64_t> fallback) const {
    const auto* value = find(name);
    if (!value) {
        if (!fallback) fail(fmt::format("missing required param '{}'", name));
        return *fallback;
    }
    std::int64_t result = 0;
    if (value->kind() == JsonKind::integer) {
        result = value->get<std::int64_t>();
    } else if (value->kind() == JsonKind::floating && std::trunc(value->get<double>()) == value->get<double>() &&
               std::abs(value->get<double>()) < 9e15) {
        result = static_cast<std::int64_t>(value->get<double>());
    } else {
        fail(fmt::format("param '{}' must be an integer, got {}", name, value->describe()));
    }
    if (result <= 0) fail(fmt::format("param '{}' must be > 0, got {}", name, result));
    return result;
}

std::optional<std::string> ParamReader::optional_string(std::string_view name) const {
    const auto* value = find(name);
    if (!value) return std::nullopt;
    if (!value->is_string()) fail(fmt::format("param '{}' must be a string, got {}", name, value->describe()));
    if (value->as_string().empty()) fail(fmt::format("param '{}' must not be empty", name));
    return value->as_string();
}

std::string ParamReader::required_string(std::string_view name, std::string_view what) const {
    auto value = optional_string(name);
    if (!value) fail(fmt::format("missing required param '{}' ({})", name, what));
    return *value;
}

double step_seconds(std::string_view owner, double time_resolution, std::int64_t step_size) {
    if (!std::isfinite(time_resolution) || time_resolution <= 0) {
        throw ConfigError(fmt::format("{}: time_resolution must be a number > 0 (seconds per time unit), got {}", owner,
                                      time_resolution));
    }
    return time_resolution * static_cast<double>(step_size);
}

}  // namespace mas::sims
