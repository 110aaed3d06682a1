#pragma once
// ScenarioVariables: the `${name}` values a scenario's strings may use.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "mas/core/json.hpp"
#include "orchestrator/scenario_node.hpp"

namespace mas::mosaik {

class ScenarioVariables {
public:
    /// The most text one string may grow to through its variables, and the most all expansions
    /// of a scenario may add together: variables that repeat each other (`"b": "${a}${a}"`) double
    /// with each definition, and a 2 KB file would otherwise ask for gigabytes.
    static constexpr std::size_t max_expanded_size = std::size_t{1} << 20;
    static constexpr std::size_t max_expanded_total = std::size_t{64} << 20;

    /// Whether `name` is a valid variable name: a letter or `_`, then letters, digits, `_`.
    static bool valid_name(std::string_view name);

    void define(const std::string& name, std::string value) { values_.insert_or_assign(name, std::move(value)); }
    [[nodiscard]] bool defined(const std::string& name) const { return values_.count(name) != 0; }

    /// `text` with each `${name}` replaced and `$${` turned into `${`; any other `$` stays. Fails
    /// at `where` for an unknown name, a `${` without its `}`, or a result over the size limits.
    [[nodiscard]] std::string expand(std::string_view text, const ScenarioNode& where) const;
    /// `node`'s value with expand() applied to every string in it (not to object keys).
    [[nodiscard]] Json expand_all(const ScenarioNode& node) const;
    [[nodiscard]] JsonObject expand_object(const ScenarioNode& node) const;

private:
    std::map<std::string, std::string> values_;
    mutable std::size_t expanded_total_ = 0;  // text added by substitutions so far
};

}  // namespace mas::mosaik
