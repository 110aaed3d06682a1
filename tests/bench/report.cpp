#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "measurement.hpp"

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

void print_json_line(std::FILE* out, const std::string& name, const std::string& value, const std::string& unit) {
    fmt::print(out, "{{\"name\": {}, \"value\": {}, \"unit\": {}}}\n", json_string(name), value, json_string(unit));
}

const Metric& find_rounds(const Report& report, std::string_view name) {
    const auto* metric = report.find(name);
    if (metric == nullptr || metric->rounds.empty()) {
        throw std::logic_error(fmt::format("mas-bench: no round figure {}", name));
    }
    return *metric;
}

// Two round figures whose rounds ran side by side, as many of each.
std::pair<const Metric&, const Metric&> round_pair(const Report& report, std::string_view a, std::string_view b) {
    const auto& first = find_rounds(report, a);
    const auto& second = find_rounds(report, b);
    if (first.rounds.size() != second.rounds.size()) {
        throw std::logic_error(fmt::format("mas-bench: {} and {} have different round counts", a, b));
    }
    return {first, second};
}

// The spread a ratio's baseline may have: the general limit, or the goal's own margin if that is
// smaller (a goal of at most 1.2x the baseline cannot be judged against a baseline that moves
// by 1.3x).
double spread_limit(const std::optional<Goal>& goal) {
    if (!goal || goal->bound <= 0) return Report::max_baseline_spread;
    const double margin = goal->bound >= 1 ? goal->bound : 1 / goal->bound;
    return margin > 1 ? std::min(Report::max_baseline_spread, margin) : Report::max_baseline_spread;
}

// Why a ratio against `baseline` means nothing, or empty if its spread is within `limit`.
std::string spread_problem(const Metric& baseline, double limit) {
    const auto [low, high] = std::minmax_element(baseline.rounds.begin(), baseline.rounds.end());
    if (*low <= 0) return fmt::format("its baseline {} has a round of {}", baseline.name, format_value(*low));
    const double spread = *high / *low;
    if (spread <= limit) return {};
    return fmt::format("its baseline {} ranged from {} to {} {} over the rounds ({:.2f}x, more than the {:.2f}x "
                       "limit)",
                       baseline.name, format_value(*low), format_value(*high), baseline.unit, spread, limit);
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
    metrics_.push_back({std::move(name), value, std::move(unit), goal, {}, false, {}});
}

void Report::add_rounds(std::string name, std::vector<double> rounds, std::string unit, std::optional<Goal> goal) {
    const double value = median(rounds);
    metrics_.push_back({std::move(name), value, std::move(unit), goal, std::move(rounds), false, {}});
}

void Report::add_ratio(std::string name, double numerator, double denominator, std::optional<Goal> goal) {
    add(std::move(name), denominator != 0 ? numerator / denominator : 0, "x", goal);
}

void Report::add_round_ratio(std::string name, std::string_view numerator, std::string_view baseline,
                             std::optional<Goal> goal) {
    const auto& [top, bottom] = round_pair(*this, numerator, baseline);
    // Round by round: both sides of a round ran next to each other, so a change of the machine's
    // speed between rounds shows in the spread of the ratios rather than in a ratio of medians.
    std::vector<double> ratios;
    for (std::size_t i = 0; i < top.rounds.size(); ++i) {
        ratios.push_back(bottom.rounds[i] != 0 ? top.rounds[i] / bottom.rounds[i] : 0);
    }
    add_judged(std::move(name), std::move(ratios), "x", goal, spread_problem(bottom, spread_limit(goal)));
}

void Report::add_round_growth(std::string name, std::string_view small, std::string_view big, double size_ratio,
                              std::optional<Goal> goal) {
    const auto& [a, b] = round_pair(*this, small, big);
    std::vector<double> exponents;
    for (std::size_t i = 0; i < a.rounds.size(); ++i) {
        exponents.push_back(a.rounds[i] > 0 && b.rounds[i] > 0 ? std::log(b.rounds[i] / a.rounds[i]) / std::log(size_ratio)
                                                               : 0);
    }
    // The cost ratio the goal allows over the linear one, as the spread either side may have.
    double limit = max_baseline_spread;
    if (goal && goal->bound > 1) limit = std::min(limit, std::pow(size_ratio, goal->bound - 1));
    auto problem = spread_problem(a, limit);
    if (problem.empty()) problem = spread_problem(b, limit);
    add_judged(std::move(name), std::move(exponents), "", goal, std::move(problem));
}

void Report::add_judged(std::string name, std::vector<double> rounds, std::string unit, std::optional<Goal> goal,
                        std::string problem) {
    if (!problem.empty()) spdlog::warn("{} means nothing in this run: {}", name, problem);
    add_rounds(std::move(name), std::move(rounds), std::move(unit), goal);
    metrics_.back().round_ratio = true;
    metrics_.back().unreliable = std::move(problem);
}

const Metric* Report::find(std::string_view name) const {
    const auto it = std::find_if(metrics_.begin(), metrics_.end(), [&](const Metric& m) { return m.name == name; });
    return it == metrics_.end() ? nullptr : &*it;
}

void Report::print_json(std::FILE* out) const {
    for (const auto& m : metrics_) {
        print_json_line(out, m.name, format_value(m.value), m.unit);
        if (m.rounds.empty()) continue;
        const auto [low, high] = std::minmax_element(m.rounds.begin(), m.rounds.end());
        print_json_line(out, m.name + ".min", format_value(*low), m.unit);
        print_json_line(out, m.name + ".max", format_value(*high), m.unit);
        if (m.round_ratio) print_json_line(out, m.name + ".unreliable", m.unreliable.empty() ? "0" : "1", "bool");
    }
}

void Report::print_table(std::FILE* out) const {
    std::size_t width = 6;
    for (const auto& m : metrics_) width = std::max(width, m.name.size());
    fmt::print(out, "{:<{}} {:>12} {:>12} {:>12} {:<4} {}\n", "figure", width, "value", "min", "max", "unit", "goal");
    for (const auto& m : metrics_) {
        std::string low;
        std::string high;
        if (!m.rounds.empty()) {
            const auto [l, h] = std::minmax_element(m.rounds.begin(), m.rounds.end());
            low = format_value(*l);
            high = format_value(*h);
        }
        std::string goal;
        if (m.goal) goal = fmt::format("{} {}", m.goal->describe(), m.goal->met(m.value) ? "ok" : "MISSED");
        if (!m.unreliable.empty()) goal += m.goal ? ", UNRELIABLE (below)" : "UNRELIABLE (below)";
        fmt::print(out, "{:<{}} {:>12} {:>12} {:>12} {:<4} {}\n", m.name, width, format_value(m.value), low, high,
                   m.unit, goal);
    }
    for (const auto& m : metrics_) {
        if (m.unreliable.empty()) continue;
        fmt::print(out, "WARNING: {} means nothing in this run: {}; repeat the run on an idle machine\n", m.name,
                   m.unreliable);
    }
}

}  // namespace mas::bench
