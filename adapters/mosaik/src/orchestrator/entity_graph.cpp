#include "orchestrator/entity_graph.hpp"

#include <algorithm>

#include "mas/core/error.hpp"

namespace mas::mosaik::detail {

std::string EntityGraph::full_id(const Node& node) const {
    if (node.whole) return node.id;
    const auto& sid = names_[node.sid];
    std::string id;
    id.reserve(sid.size() + 1 + node.id.size());
    return id.append(sid).append(1, '.').append(node.id);
}

bool EntityGraph::is(const Node& node, std::string_view full_id) const {
    if (node.whole) return node.id == full_id;
    const std::string_view sid = names_[node.sid];
    return full_id.size() == sid.size() + 1 + node.id.size() && full_id.starts_with(sid) && full_id[sid.size()] == '.' &&
           full_id.ends_with(node.id);
}

std::size_t EntityGraph::find(std::string_view full_id) const {
    const auto hash = KeyIndex::Hash().add(full_id).value();
    return index_.find_hashed(hash, [&](std::size_t i) { return is(nodes_[i], full_id); }).value_or(none);
}

bool EntityGraph::is(std::size_t node, std::string_view sid, std::string_view eid) const {
    const auto& n = nodes_[node];
    if (!n.whole) return n.id == eid && names_[n.sid] == sid;
    const std::string_view id = n.id;
    return id.size() == sid.size() + 1 + eid.size() && id.starts_with(sid) && id[sid.size()] == '.' &&
           id.ends_with(eid);
}

std::size_t EntityGraph::find(std::string_view sid, std::string_view eid, std::size_t& hint) const {
    for (const auto candidate : {hint + 1, hint}) {
        if (candidate < nodes_.size() && is(candidate, sid, eid)) return hint = candidate;
    }
    // Looked up in pieces: joining the full id would allocate at every connection.
    const auto hash = hash_of(sid, eid);
    const auto found = index_.find_hashed(hash, [&](std::size_t i) { return is(i, sid, eid); });
    if (!found) return none;
    return hint = *found;
}

std::size_t EntityGraph::node(std::string_view full_id) {
    // Hashed once, for the lookup and for a new node.
    const auto hash = KeyIndex::Hash().add(full_id).value();
    const auto found = index_.find_hashed(hash, [&](std::size_t i) { return is(nodes_[i], full_id); });
    if (found) return *found;
    if (nodes_.size() >= no_name) throw Error("the entity graph cannot hold 2^32 - 1 entities");
    index_.add_hashed(hash, nodes_.size());
    nodes_.push_back(Node{std::string(full_id)});
    return nodes_.size() - 1;
}

std::uint32_t EntityGraph::name(const std::string& text, std::uint32_t hint) {
    if (hint != no_name && names_[hint] == text) return hint;
    const auto [found, added] = name_ids_.try_emplace(text, static_cast<std::uint32_t>(names_.size()));
    if (added) names_.push_back(text);
    return found->second;
}

std::size_t EntityGraph::add_entity(const std::string& sid, const std::string& eid, const std::string& model,
                                    std::size_t hash) {
    // Looked up as find(sid, eid) does.
    auto at = index_.find_hashed(hash, [&](std::size_t i) { return is(i, sid, eid); }).value_or(none);
    const bool added = at == none;
    if (added) {
        if (nodes_.size() >= no_name) throw Error("the entity graph cannot hold 2^32 - 1 entities");
        at = nodes_.size();
        index_.add_hashed(hash, at);
        nodes_.push_back(Node{eid, no_name, no_name, false});
    }
    // Those of the node before first: a create() names one simulator and one model for all its
    // entities.
    const auto sid_hint = at > 0 ? nodes_[at - 1].sid : no_name;
    const auto model_hint = at > 0 ? nodes_[at - 1].model : no_name;
    auto& entry = nodes_[at];
    entry.sid = name(sid, sid_hint);
    entry.model = name(model, model_hint);
    return at;
}

const std::string* EntityGraph::model(std::size_t node) const {
    if (node >= nodes_.size() || nodes_[node].model == no_name) return nullptr;
    return &names_[nodes_[node].model];
}

void EntityGraph::add_edge(const std::string& a, const std::string& b) { add_edge(node(a), node(b)); }

void EntityGraph::add_edge(std::size_t a, std::size_t b) {
    edges_.emplace_back(static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(b));
}

void EntityGraph::settle_edges() const {
    if (settled_ == edges_.size()) return;
    edge_index_.reserve(edges_.size());
    auto kept = settled_;
    for (auto i = settled_; i < edges_.size(); ++i) {
        const auto [first, second] = edges_[i];
        const auto low = std::min(first, second);
        const auto high = std::max(first, second);
        // Both numbers mixed: a fan-in into one node would otherwise pile up in a few slots.
        const auto hash = KeyIndex::mix(low, high);
        const auto same = [&](std::size_t k) {
            const auto [a, b] = edges_[k];
            return std::min(a, b) == low && std::max(a, b) == high;
        };
        if (edge_index_.find_hashed(hash, same)) continue;
        edges_[kept] = edges_[i];
        edge_index_.add_hashed(hash, kept);
        ++kept;
    }
    edges_.resize(kept);
    settled_ = kept;
}

Json EntityGraph::attributes(const Node& node) const {
    if (node.sid == no_name) return Json::object();
    return Json::object({{"sid", names_[node.sid]}, {"type", names_[node.model]}});
}

Json EntityGraph::to_json() const {
    settle_edges();
    JsonObject nodes;
    nodes.reserve(nodes_.size());
    for (const auto& n : nodes_) nodes.push_back(full_id(n), attributes(n));
    JsonArray edges;
    edges.reserve(edges_.size());
    for (const auto& [a, b] : edges_) {
        edges.push_back(Json::array({full_id(nodes_[a]), full_id(nodes_[b]), Json::object()}));
    }
    return Json::object({{"nodes", Json(std::move(nodes))}, {"edges", Json(std::move(edges))}});
}

Json EntityGraph::related(std::string_view of) const {
    const auto found = find(of);
    if (found == none) return Json::object();
    settle_edges();
    if (neighbours_of_edges_ != edges_.size() || neighbours_.size() != nodes_.size()) {
        neighbours_.assign(nodes_.size(), {});
        for (const auto& [a, b] : edges_) {
            neighbours_[a].push_back(b);
            neighbours_[b].push_back(a);
        }
        neighbours_of_edges_ = edges_.size();
    }
    JsonObject out;
    for (const auto other : neighbours_[found]) out.insert_or_assign(full_id(nodes_[other]), attributes(nodes_[other]));
    return Json(std::move(out));
}

}  // namespace mas::mosaik::detail
