#include "mas/mosaik/entity.hpp"

namespace mas::mosaik {

Entity& Entity::related(std::vector<std::string> ids) {
    rel = std::move(ids);
    with_rel = true;
    return *this;
}

Entity& Entity::child(Entity e) {
    children.push_back(std::move(e));
    return *this;
}

Json Entity::to_json() const {
    JsonObject out;
    out.reserve(2 + (with_rel || !rel.empty() ? 1 : 0) + (children.empty() ? 0 : 1));
    out.push_back("eid", eid);
    out.push_back("type", type);
    if (with_rel || !rel.empty()) {
        JsonArray ids;
        for (const auto& id : rel) ids.emplace_back(id);
        out.push_back("rel", std::move(ids));
    }
    if (!children.empty()) {
        JsonArray kids;
        for (const auto& c : children) kids.push_back(c.to_json());
        out.push_back("children", std::move(kids));
    }
    return Json(std::move(out));
}

}  // namespace mas::mosaik
