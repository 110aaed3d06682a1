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
            const auto& value = found->second;
            if (out.size() + value.size() > max_expanded_size) {
                where.fail(fmt::format("the variables in this text expand to more than {} MiB (at '${{{}}}'); "
                                       "variables that repeat each other grow exponentially",
                                       max_expanded_size >> 20, name));
            }
            expanded_total_ += value.size();
            if (expanded_total_ > max_expanded_total) {
                where.fail(fmt::format("the scenario's variables expand to more than {} MiB in all (at '${{{}}}')",
                                       max_expanded_total >> 20, name));
            }
            out.append(value);
            i = close + 1;
        } else {
            out.push_back('$');
            i = dollar + 1;
        }
    }
    if (i < text.size()) out.append(text.substr(i));
    return out;
}

namespace {

// Whether any string in `value` (not its keys) has a `${` to expand.
bool uses_variables(const Json& value) {
    if (value.is_string()) return value.as_string().find("${") != std::string::npos;
    if (value.is_array()) return std::any_of(value.as_array().begin(), value.as_array().end(), uses_variables);
    if (value.is_object()) {
        return std::any_of(value.as_object().begin(), value.as_object().end(),
                           [](const auto& member) { return uses_variables(member.second); });
    }
    return false;
}

}  // namespace

Json ScenarioVariables::expand_all(const ScenarioNode& node) const {
    const Json& value = node.json();
    if (value.is_string()) return Json(expand(value.as_string(), node));
    // Data without variables (a large array of numbers, say) is copied as it is, without a node
    // (and its path) per value.
    if (!uses_variables(value)) return value;
    if (value.is_array()) {
        JsonArray items;
        items.reserve(value.size());
        for (const auto& element : node.elements()) items.push_back(expand_all(element));
        return Json(std::move(items));
    }
    if (value.is_object()) return Json(expand_object(node));
    return value;
}

JsonObject ScenarioVariables::expand_object(const ScenarioNode& node) const {
    if (node.json().is_object() && !uses_variables(node.json())) return node.json().as_object();
    JsonObject object;
    for (const auto& [key, member] : node.members()) object.push_back(key, expand_all(member));
    return object;
}

}  // namespace mas::mosaik
