#include "orchestrator/connection_reader.hpp"

#include <algorithm>
#include <set>
#include <string>

#include <fmt/format.h>

namespace mas::mosaik {

Scenario::Connection ConnectionReader::read(const ScenarioNode& node) const {
    const auto object =
        node.object({"src", "dest", "attrs", "mode", "time_shifted", "initial_data", "weak", "async_requests"});
    Scenario::Connection connection;
    connection.where = node.where();
    select_pairs(object, connection);
    if (const auto flag = object.get("async_requests")) connection.async_requests = flag->boolean();
    if (const auto flag = object.get("weak")) connection.weak = flag->boolean();
    if (const auto shift = object.get("time_shifted")) {
        if (shift->json().is_bool()) {
            connection.time_shifted = shift->boolean() ? 1 : 0;
        } else if (shift->json().kind() == JsonKind::integer && shift->json().get<std::int64_t>() >= 0) {
            connection.time_shifted = shift->integer(0);
        } else {
            shift->fail(fmt::format("expected true, false or an integer >= 0, got {}", shift->json().describe()));
        }
    }
    const auto attrs_node = object.required("attrs");
    connection.attrs = attrs(attrs_node);
    if (connection.attrs.empty() && !connection.async_requests) {
        attrs_node.fail("no attributes: name at least one (only an async_requests connection may have none)");
    }
    if (const auto initial = object.get("initial_data")) {
        check_initial_data(*initial, connection);
        connection.initial_data = initial->json().as_object();
    }
    if (connection.weak) check_weak(*object.get("weak"), connection);
    return connection;
}

Scenario::Selection ConnectionReader::select(const ScenarioNode& node) const {
    Scenario::Selection out;
    if (node.json().is_string()) {
        selector_.select(node, out);
        return out;
    }
    if (!node.json().is_array() || node.json().size() == 0) {
        node.fail(
            fmt::format("expected an entity group name, a full id '<sim_id>.<eid>' or a non-empty list of "
                        "them, got {}",
                        node.json().describe()));
    }
    for (const auto& element : node.elements()) selector_.select(element, out);
    return out;
}

std::vector<Scenario::AttrPair> ConnectionReader::attrs(const ScenarioNode& node) const {
    std::vector<Scenario::AttrPair> pairs;
    for (const auto& element : node.elements()) {
        const Json& value = element.json();
        if (value.is_string()) {
            pairs.push_back({element.name(), element.name(), element.where()});
        } else if (value.is_array() && value.size() == 2) {
            const auto both = element.elements();
            pairs.push_back({both[0].name(), both[1].name(), element.where()});
        } else {
            element.fail(
                fmt::format("expected an attribute name or a pair [src_attr, dest_attr], got {}", value.describe()));
        }
    }
    return pairs;
}

void ConnectionReader::select_pairs(const ScenarioObject& object, Scenario::Connection& connection) const {
    auto src = select(object.required("src"));
    auto dest = select(object.required("dest"));
    const auto mode = object.get("mode");
    bool one_to_one = false;
    if (mode) {
        const std::string& text = mode->string();
        if (text != "one_to_one" && text != "all_to_all") {
            mode->fail(fmt::format("expected \"one_to_one\" or \"all_to_all\", got \"{}\"", text));
        }
        one_to_one = text == "one_to_one";
        if (one_to_one && src.size() != dest.size()) {
            mode->fail(
                fmt::format("one_to_one needs as many src as dest entities, got {} and {}", src.size(), dest.size()));
        }
    } else if (src.size() > 1 && dest.size() > 1) {
        object.node().fail(
            fmt::format("src selects {} entities and dest {}: say how to pair them, with \"mode\": "
                        "\"one_to_one\" (in order) or \"all_to_all\"",
                        src.size(), dest.size()));
    }
    connection.src = std::move(src);
    connection.dest = std::move(dest);
    connection.one_to_one = one_to_one;
}

void ConnectionReader::check_initial_data(const ScenarioNode& node, const Scenario::Connection& connection) const {
    std::vector<std::string> sources;
    for (const auto& attr : connection.attrs) sources.push_back(attr.src);
    for (const auto& [key, value] : node.members()) {
        if (std::find(sources.begin(), sources.end(), key) != sources.end()) continue;
        throw ScenarioError(value.key_where(),
                            fmt::format("'{}' is not a source attribute of this connection{} (sources: {})", key,
                                        did_you_mean(key, sources), fmt::join(sources, ", ")));
    }
    if (node.json().size() > 0 && connection.time_shifted == 0 && !connection.weak) {
        node.fail("initial_data is only used by time_shifted or weak connections");
    }
}

void ConnectionReader::check_weak(const ScenarioNode& node, const Scenario::Connection& connection) const {
    // Pairs of simulators decide it, so only the first pair of each pair of simulators is looked at.
    std::set<std::pair<std::string, std::string>> checked;
    for (std::size_t i = 0; i < connection.pair_count(); ++i) {
        const auto [s, d] = connection.pair_indices(i);
        const auto& src_sim = connection.src.sim(s);
        const auto& dest_sim = connection.dest.sim(d);
        if (!checked.emplace(src_sim, dest_sim).second) continue;
        const auto& src = sim(src_sim).group;
        const auto& dest = sim(dest_sim).group;
        if (!src.empty() && !dest.empty() && src.front() == dest.front()) continue;
        const auto pair = connection.pair(i);
        node.fail(
            fmt::format("weak connections may only be used inside a group, but {} ({}) and {} ({}) are in no "
                        "common group",
                        pair.src.label, pair.src.sim, pair.dest.label, pair.dest.sim));
    }
}

const Scenario::Sim& ConnectionReader::sim(const std::string& sim_id) const {
    return *std::find_if(sims_.begin(), sims_.end(), [&](const Scenario::Sim& s) { return s.sim_id == sim_id; });
}

}  // namespace mas::mosaik
