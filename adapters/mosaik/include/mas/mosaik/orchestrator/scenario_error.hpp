#pragma once
/// \file
/// ScenarioLocation and ScenarioError: where in a scenario file something is wrong, and the
/// error that says so.

#include <cstddef>
#include <string>
#include <string_view>

#include "mas/core/error.hpp"

namespace mas::mosaik {

/// Where a value was written in a scenario file: the file, the line and column of its first
/// character (both from 1; a column counts characters, not bytes) and its JSON path, such as
/// `connections[2].attrs[0]` (empty for the whole document). A location with line 0 is unknown
/// (e.g. for a value that did not come from a file).
struct ScenarioLocation {
    std::string file;
    std::size_t line = 0;
    std::size_t column = 0;
    std::string path;

    /// `file:line:column: path`, leaving out what is unknown or empty.
    [[nodiscard]] std::string str() const;
};

/// A scenario is invalid: the message is `file:line:column: path: problem`, e.g.
/// `demo.json:41:18: connections[2].attrs[0]: unknown key 'srce' (did you mean 'src'?)`.
/// Thrown by Scenario while loading, and meant for the orchestrator too when a later check (an
/// attribute the simulator's meta does not have) concerns a value of the scenario file.
class ScenarioError : public ConfigError {
public:
    ScenarioError(ScenarioLocation where, std::string_view problem);

    /// Where the offending value is.
    [[nodiscard]] const ScenarioLocation& where() const noexcept { return where_; }
    /// The problem alone, without the location.
    [[nodiscard]] const std::string& problem() const noexcept { return problem_; }

private:
    ScenarioLocation where_;
    std::string problem_;
};

}  // namespace mas::mosaik
