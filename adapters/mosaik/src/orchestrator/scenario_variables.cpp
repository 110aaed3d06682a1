#include "orchestrator/scenario_variables.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace mas::mosaik {

bool ScenarioVariables::valid_name(std::string_view name) {
    const auto start = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    const auto rest = [&](char c) { return start(c) || (c >= '0' && c <= '9'); };
    return !name.empty() && start(name.front()) && std::all_of(name.begin() + 1, name.end(), rest);
}

std::string ScenarioVariables::expand(std::string_view text, const ScenarioNode& where) const {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto dollar = text.find('$', i);
        if (dollar == std::string_view::npos) break;
        out.append(text.substr(i, dollar - i));
        if (text.substr(dollar, 3) == "$${") {
            out.append("${");
            i = dollar + 3;
        } else if (text.substr(dollar, 2) == "${") {
            const auto close = text.find('}', dollar + 2);
            if (close == std::string_view::npos) {
                where.fail(fmt::format("'${{' without a closing '}}' in \"{}\" (write $${{ for a literal ${{)", text));
            }
            const std::string name(text.substr(dollar + 2, close - dollar - 2));
            const auto found = values_.find(name);
            if (found == values_.end()) {
                std::vector<std::string> known;
                for (const auto& entry : values_) known.push_back(entry.first);
                where.fail(fmt::format("unknown variable '${{{}}}'{} (defined: {})", name, did_you_mean(name, known),
                                       fmt::join(known, ", ")));
            }
            out.append(found->second);
            i = close + 1;
        } else {
            out.push_back('$');
            i = dollar + 1;
        }
    }
    if (i < text.size()) out.append(text.substr(i));
    return out;
}

Json ScenarioVariables::expand_all(const ScenarioNode& node) const {
    const Json& value = node.json();
    if (value.is_string()) return Json(expand(value.as_string(), node));
    if (value.is_array()) {
        JsonArray items;
        for (const auto& element : node.elements()) items.push_back(expand_all(element));
        return Json(std::move(items));
    }
    if (value.is_object()) return Json(expand_object(node));
    return value;
}

JsonObject ScenarioVariables::expand_object(const ScenarioNode& node) const {
    JsonObject object;
    for (const auto& [key, member] : node.members()) object.push_back(key, expand_all(member));
    return object;
}

}  // namespace mas::mosaik
