#include "mas/mosaik/orchestrator/scenario.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "orchestrator/located_json.hpp"
#include "orchestrator/scenario_reader.hpp"

namespace mas::mosaik {

std::string ScenarioLocation::str() const {
    std::string text = file;
    if (line > 0) text += fmt::format(":{}:{}", line, column);
    if (!path.empty()) text += text.empty() ? path : fmt::format(": {}", path);
    return text;
}

ScenarioError::ScenarioError(ScenarioLocation where, std::string_view problem)
    : ConfigError(where.str().empty() ? std::string(problem) : fmt::format("{}: {}", where.str(), problem)),
      where_(std::move(where)),
      problem_(problem) {}

Scenario Scenario::load(const std::filesystem::path& path, const ScenarioOptions& options) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        throw ConfigError(fmt::format("cannot read the scenario file '{}': it is a directory", path.string()));
    }
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw ConfigError(fmt::format("cannot read the scenario file '{}': {}", path.string(), std::strerror(errno)));
    }
    const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    return parse(text, path.string(), options);
}

Scenario Scenario::parse(std::string_view text, const std::string& origin, const ScenarioOptions& options) {
    const LocatedJson doc = LocatedJson::parse(text, origin);
    return ScenarioReader(doc, options).read();
}

const Scenario::SimConfig& Scenario::sim_config(std::string_view name) const {
    for (const auto& config : sim_configs_) {
        if (config.name == name) return config;
    }
    throw ConfigError(fmt::format("{}: no sim_config entry is named '{}'", origin_, name));
}

}  // namespace mas::mosaik
