#pragma once
/// \file
/// Entity: one entry of a mosaik `create` reply.

#include <cstdint>
#include <string>
#include <vector>

#include "mas/core/json.hpp"

namespace mas::mosaik {

/// The most entities one `create` may ask for, checked before anything is allocated: the
/// orchestrator and the simulator spend hundreds of bytes per entity, so a larger count is a typo
/// (or a hostile peer) that would otherwise end, minutes later, in an allocation failure.
inline constexpr std::int64_t max_create_num = 10'000'000;

/// A created entity: its id, its model, and optionally the ids it is related to and its child
/// entities (which have their own, usually non-public, model).
struct Entity {
    Entity(std::string eid, std::string type) : eid(std::move(eid)), type(std::move(type)) {}

    std::string eid;
    std::string type;
    /// Related entity ids; written only if set or if `with_rel` (mosaik_api_v3 simulators often
    /// send `"rel": []`).
    std::vector<std::string> rel;
    std::vector<Entity> children;
    bool with_rel = false;

    /// Sets rel (and with_rel) and returns *this.
    Entity& related(std::vector<std::string> ids);
    /// Appends a child and returns *this.
    Entity& child(Entity e);

    /// `{"eid", "type"}`, then `"rel"` if set or with_rel, then `"children"` if any.
    [[nodiscard]] Json to_json() const;
};

}  // namespace mas::mosaik
