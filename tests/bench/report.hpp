#pragma once
// The benchmark's results: named figures printed as a table for people or as JSON lines
// (`{"name": ..., "value": ..., "unit": ...}`) for tools. A figure measured in rounds is their
// median (under its plain name, so notes of earlier runs stay comparable) with the min and max
// next to it; a ratio against a baseline is taken round by round, and is marked unreliable when
// the baseline itself moved too much between rounds.

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mas::bench {

/// A goal from the performance issues that a figure is checked against in the table.
struct Goal {
    enum class Kind { at_most, at_least, below };
    Kind kind;
    double bound;

    [[nodiscard]] bool met(double value) const;
    [[nodiscard]] std::string describe() const;
};

struct Metric {
    std::string name;
    double value;  ///< the median of `rounds`, or the single measurement
    std::string unit;
    std::optional<Goal> goal;
    std::vector<double> rounds;  ///< one value per round; empty for a single measurement
    bool round_ratio = false;    ///< a ratio (or growth) of two round figures; its JSON has `.unreliable`
    std::string unreliable;      ///< for such a ratio: why it means nothing in this run, or empty
};

class Report {
public:
    /// A baseline whose rounds differ by more than this factor (max / min) makes its ratios
    /// meaningless: the tightest goals allow 1.2 to 1.5 times the baseline, so a baseline that
    /// moves by more than that between rounds can carry a ratio across its goal on its own. A
    /// goal with a smaller margin than this sets the limit for its ratio instead.
    static constexpr double max_baseline_spread = 1.5;

    void add(std::string name, double value, std::string unit, std::optional<Goal> goal = {});
    /// Adds the median of `rounds` (one value per round), reported with their min and max.
    void add_rounds(std::string name, std::vector<double> rounds, std::string unit, std::optional<Goal> goal = {});
    /// Adds `name` = numerator / denominator in unit "x" (0 if the denominator is 0).
    void add_ratio(std::string name, double numerator, double denominator, std::optional<Goal> goal = {});
    /// Adds `name`, the ratios round by round of two figures added before with add_rounds (round
    /// i of `numerator` over round i of `baseline`): their median, min and max. Warns on stderr
    /// and marks the ratio unreliable when the baseline's spread is wider than
    /// max_baseline_spread or the goal's margin. Throws std::logic_error if either figure is
    /// missing or their round counts differ.
    void add_round_ratio(std::string name, std::string_view numerator, std::string_view baseline,
                         std::optional<Goal> goal = {});

    /// Adds `name`, the growth exponent round by round, log(big / small) / log(size_ratio), of
    /// two cost figures added before with add_rounds (round i of each ran in the same pass over
    /// the sizes): their median, min and max. Marked unreliable, as a ratio is, when either
    /// figure's spread is wider than the goal's margin (an exponent of at most 1.079 for 10x the
    /// size allows 1.2x the cost). Throws std::logic_error as add_round_ratio does.
    void add_round_growth(std::string name, std::string_view small, std::string_view big, double size_ratio,
                          std::optional<Goal> goal = {});

    /// One JSON object per line, in the order the figures were added: each figure under its
    /// name; for round figures also `<name>.min` and `<name>.max`, and for round ratios
    /// `<name>.unreliable` (unit "bool", 1 when the ratio means nothing in this run, else 0).
    void print_json(std::FILE* out) const;
    /// An aligned table of the value (the median for round figures), min and max, with the goals
    /// and whether each was met, and a warning after it for every unreliable ratio.
    void print_table(std::FILE* out) const;

    [[nodiscard]] const std::vector<Metric>& metrics() const noexcept { return metrics_; }
    /// The figure called `name`, or null.
    [[nodiscard]] const Metric* find(std::string_view name) const;

private:
    /// add_rounds() of a figure derived round by round from two others, marked unreliable with
    /// `problem` (and warned about) unless it is empty.
    void add_judged(std::string name, std::vector<double> rounds, std::string unit, std::optional<Goal> goal,
                    std::string problem);

    std::vector<Metric> metrics_;
};

}  // namespace mas::bench
