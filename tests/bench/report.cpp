#include "report.hpp"

#include <cmath>

#include <fmt/format.h>

namespace mas::bench {
namespace {

// Enough digits to be useful, few enough to read: 3 significant decimals below 1000.
std::string format_value(double value) {
    if (!std::isfinite(value)) return "null";  // JSON has no NaN; a missing figure stays visible
    if (std::fabs(value) >= 1000) return fmt::format("{:.0f}", value);
    return fmt::format("{:.3f}", value);
}

// Names are plain identifiers, but escape what JSON requires anyway.
std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + '"';
}

}  // namespace

bool Goal::met(double value) const {
    switch (kind) {
    case Kind::at_most: return value <= bound;
    case Kind::at_least: return value >= bound;
    case Kind::below: return value < bound;
    }
    return false;
}

std::string Goal::describe() const {
    switch (kind) {
    case Kind::at_most: return fmt::format("<= {:.4g}", bound);
    case Kind::at_least: return fmt::format(">= {:.4g}", bound);
    case Kind::below: return fmt::format("< {:.4g}", bound);
    }
    return {};
}

void Report::add(std::string name, double value, std::string unit, std::optional<Goal> goal) {
    metrics_.push_back({std::move(name), value, std::move(unit), goal});
}

void Report::add_ratio(std::string name, double numerator, double denominator, std::optional<Goal> goal) {
    add(std::move(name), denominator != 0 ? numerator / denominator : 0, "x", goal);
}

void Report::print_json(std::FILE* out) const {
    for (const auto& m : metrics_) {
        fmt::print(out, "{{\"name\": {}, \"value\": {}, \"unit\": {}}}\n", json_string(m.name),
                   format_value(m.value), json_string(m.unit));
    }
}

void Report::print_table(std::FILE* out) const {
    fmt::print(out, "{:<30} {:>12} {:<6} {}\n", "figure", "value", "unit", "goal");
    for (const auto& m : metrics_) {
        std::string goal;
        if (m.goal) goal = fmt::format("{} {}", m.goal->describe(), m.goal->met(m.value) ? "ok" : "MISSED");
        fmt::print(out, "{:<30} {:>12} {:<6} {}\n", m.name, format_value(m.value), m.unit, goal);
    }
}

}  // namespace mas::bench
