#include "mas/mosaik/orchestrator/scenario.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
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
    if (!path.empty()) {
        const auto shown = abbreviate(path, 200);
        text += text.empty() ? shown : fmt::format(": {}", shown);
    }
    return text;
}

// Every message that echoes the file abbreviates what it echoes; this bounds the ones that do not.
ScenarioError::ScenarioError(ScenarioLocation where, std::string_view problem)
    : ConfigError(where.str().empty() ? abbreviate(problem, 4000)
                                      : fmt::format("{}: {}", where.str(), abbreviate(problem, 4000))),
      where_(std::move(where)),
      problem_(abbreviate(problem, 4000)) {}

Scenario Scenario::load(const std::filesystem::path& path, const ScenarioOptions& options) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        throw ConfigError(fmt::format("cannot read the scenario file '{}': it is a directory", path.string()));
    }
    if (const auto size = std::filesystem::file_size(path, ec); !ec && size > LocatedJson::max_size) {
        throw ConfigError(fmt::format("cannot read the scenario file '{}': it has {} bytes, and a scenario file may "
                                      "have at most {} MiB",
                                      path.string(), size, LocatedJson::max_size >> 20));
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

void Scenario::Selection::add_range(std::size_t group, std::size_t first, std::size_t count, const std::string& name,
                                    const std::string& sim) {
    if (count == 0) return;
    EntityRef entity;
    entity.sim = sim;
    ranges_.push_back(Range{size_, size_ + count, group, first, name, std::move(entity)});
    size_ += count;
}

void Scenario::Selection::add_entity(EntityRef entity) {
    ranges_.push_back(Range{size_, size_ + 1, std::nullopt, 0, {}, std::move(entity)});
    size_ += 1;
}

const Scenario::Selection::Range& Scenario::Selection::range_of(std::size_t i) const {
    const auto found = std::upper_bound(ranges_.begin(), ranges_.end(), i,
                                        [](std::size_t k, const Range& range) { return k < range.end; });
    if (found == ranges_.end()) throw std::out_of_range(fmt::format("entity {} of a selection of {}", i, size_));
    return *found;
}

Scenario::Selection::Place Scenario::Selection::place(std::size_t i) const {
    const auto& range = range_of(i);
    if (!range.group) return Place{std::nullopt, 0, &range.entity};
    return Place{range.group, range.first + (i - range.begin), nullptr};
}

Scenario::EntityRef Scenario::Selection::operator[](std::size_t i) const {
    const auto& range = range_of(i);
    if (!range.group) return range.entity;
    const auto where = place(i);
    EntityRef ref;
    ref.sim = range.entity.sim;
    ref.group = range.group;
    ref.index = where.index;
    ref.label = fmt::format("{}[{}]", range.name, where.index);
    return ref;
}

std::size_t Scenario::Connection::pair_count() const noexcept {
    return one_to_one ? src.size() : src.size() * dest.size();
}

std::pair<std::size_t, std::size_t> Scenario::Connection::pair_indices(std::size_t i) const noexcept {
    if (one_to_one) return {i, i};
    return {i / dest.size(), i % dest.size()};
}

Scenario::Connection::Pair Scenario::Connection::pair(std::size_t i) const {
    const auto [s, d] = pair_indices(i);
    return Pair{src[s], dest[d]};
}

std::vector<Scenario::Connection::Pair> Scenario::Connection::pairs() const {
    std::vector<Pair> out;
    out.reserve(pair_count());
    for (std::size_t i = 0; i < pair_count(); ++i) out.push_back(pair(i));
    return out;
}

}  // namespace mas::mosaik
