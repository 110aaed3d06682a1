#pragma once
// The benchmark's results: named figures printed as a table for people or as JSON lines
// (`{"name": ..., "value": ..., "unit": ...}`) for tools.

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace mas::bench {

/// A goal from issue 2 that a figure is checked against in the table.
struct Goal {
    enum class Kind { at_most, at_least, below };
    Kind kind;
    double bound;

    [[nodiscard]] bool met(double value) const;
    [[nodiscard]] std::string describe() const;
};

struct Metric {
    std::string name;
    double value;
    std::string unit;
    std::optional<Goal> goal;
};

class Report {
public:
    void add(std::string name, double value, std::string unit, std::optional<Goal> goal = {});
    /// Adds `name` = numerator / denominator in unit "x" (0 if the denominator is 0).
    void add_ratio(std::string name, double numerator, double denominator, std::optional<Goal> goal = {});

    /// One JSON object per line, in the order the figures were added.
    void print_json(std::FILE* out) const;
    /// An aligned table with the goals and whether each was met.
    void print_table(std::FILE* out) const;

    [[nodiscard]] const std::vector<Metric>& metrics() const noexcept { return metrics_; }

private:
    std::vector<Metric> metrics_;
};

}  // namespace mas::bench
