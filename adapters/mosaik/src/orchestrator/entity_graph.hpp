#pragma once
// EntityGraph: mosaik's entity graph (a networkx Graph of full entity ids): nodes in the order
// they appeared, with the sid and model of created entities, and undirected edges from relations
// and connections. It is also the World's register of created entities. Scenarios have a node
// per entity of every simulator, so the ids are stored once, sids and models are shared, and
// edges are pairs of node numbers.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mas/core/json.hpp"
#include "mas/mosaik/detail/key_index.hpp"

namespace mas::mosaik::detail {

class EntityGraph {
public:
    /// Adds the created entity `eid` of simulator `sid` with model `model`; a node that is
    /// already there (a relation's target, or an entity created again) keeps its place.
    /// Returns its node.
    std::size_t add_entity(const std::string& sid, const std::string& eid, const std::string& model) {
        return add_entity(sid, eid, model, hash_of(sid, eid));
    }
    /// The same with the id's hash_of(), worked out ahead.
    std::size_t add_entity(const std::string& sid, const std::string& eid, const std::string& model, std::size_t hash);
    /// The hash the node of `sid`.`eid` is found by.
    [[nodiscard]] static std::size_t hash_of(std::string_view sid, std::string_view eid) noexcept {
        return KeyIndex::Hash().add(sid).add(".").add(eid).value();
    }
    /// Starts fetching where the node of the id with `hash` is looked for: a loop adding many
    /// entities calls it some entities ahead (see KeyIndex::prefetch).
    void prefetch(std::size_t hash) const noexcept { index_.prefetch(hash); }
    /// Makes room for `count` more nodes (growing by at least half, so that many small creates
    /// do not copy the nodes each time).
    void reserve(std::size_t count) {
        const auto needed = nodes_.size() + count;
        if (needed > nodes_.capacity()) nodes_.reserve(std::max(needed, nodes_.capacity() * 3 / 2));
        index_.reserve(needed);
    }
    /// The node of the entity `eid` of simulator `sid` (full id "sid.eid"), or none. Looks at
    /// the node after `hint` and at `hint` first (connections mostly name a simulator's entities
    /// in the order they were created) and sets it to the node found.
    [[nodiscard]] std::size_t find(std::string_view sid, std::string_view eid, std::size_t& hint) const;
    /// The model of node `node` if it is a created entity, or nullptr.
    [[nodiscard]] const std::string* model(std::size_t node) const;
    /// Adds the undirected edge a - b (and the nodes, without attributes, if new); a repeated
    /// edge is ignored.
    void add_edge(const std::string& a, const std::string& b);
    /// The same between two nodes.
    void add_edge(std::size_t a, std::size_t b);
    /// The same between a node and an id.
    void add_edge(std::size_t a, std::string_view b) { add_edge(a, node(b)); }

    static constexpr std::size_t none = static_cast<std::size_t>(-1);

    /// `{"nodes": {full_id: {"sid", "type"} or {}}, "edges": [[a, b, {}], ...]}`, as mosaik's
    /// get_related_entities() without argument returns it.
    [[nodiscard]] Json to_json() const;
    /// `{neighbour: attributes}` of the node with full id `of`, neighbours in the order of their edges (empty for
    /// an unknown id).
    [[nodiscard]] Json related(std::string_view of) const;

private:
    static constexpr std::uint32_t no_name = static_cast<std::uint32_t>(-1);
    // A created entity keeps its eid only, its full id being its sid's name, '.' and the eid: an
    // eid mostly fits a string's inline buffer, a full id mostly does not, and a million entities
    // would each cost an allocation. A node that came in by its full id (a relation's target
    // before its creation) keeps that whole.
    struct Node {
        std::string id;                 // the eid, or the full id when `whole`
        std::uint32_t sid = no_name;    // into names_; no_name for a node that was never created
        std::uint32_t model = no_name;  // into names_
        bool whole = true;
    };

    [[nodiscard]] std::string full_id(const Node& node) const;
    /// Whether `node`'s full id is `full_id`.
    [[nodiscard]] bool is(const Node& node, std::string_view full_id) const;

    [[nodiscard]] std::size_t find(std::string_view full_id) const;
    [[nodiscard]] bool is(std::size_t node, std::string_view sid, std::string_view eid) const;
    std::size_t node(std::string_view full_id);
    /// The place of `text` in names_, added if new; looks at `hint` (a place, or no_name) first.
    std::uint32_t name(const std::string& text, std::uint32_t hint);
    [[nodiscard]] Json attributes(const Node& node) const;

    std::vector<Node> nodes_;
    KeyIndex index_;                    // nodes_ by full_id
    std::vector<std::string> names_;    // sids and models, each once
    std::unordered_map<std::string, std::uint32_t> name_ids_;  // their places in names_
    /// Drops the edges added again since the last call (keeping the first of each), so that an
    /// edge is looked up once, when the edges are read, not at every connection: with a million
    /// entities a lookup per connection is a cache miss each.
    void settle_edges() const;

    // In insertion order; from settled_ on, an edge may repeat one before it.
    mutable std::vector<std::pair<std::uint32_t, std::uint32_t>> edges_;
    mutable std::size_t settled_ = 0;
    mutable KeyIndex edge_index_;  // edges_ up to settled_ by (smaller, larger) node number: one flat table
    mutable std::vector<std::vector<std::uint32_t>> neighbours_;   // built on first use
    mutable std::size_t neighbours_of_edges_ = 0;                  // how many edges they include
};

}  // namespace mas::mosaik::detail
