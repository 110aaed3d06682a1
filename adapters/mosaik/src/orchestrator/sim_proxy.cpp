#include "mas/mosaik/orchestrator/sim_proxy.hpp"

#include <fmt/format.h>

namespace mas::mosaik {

asio::awaitable<std::optional<std::int64_t>> SimProxy::step_pulled(std::int64_t time, Json& tree,
                                                                  std::span<const Json* const> values,
                                                                  std::int64_t max_advance) {
    static const Json none;
    std::size_t k = 0;
    for (auto& [eid, attrs] : tree.as_object()) {
        for (auto& [attr, sources] : attrs.as_object()) {
            for (auto& [source, value] : sources.as_object()) {
                const Json* given = values[k++];
                value = given ? *given : none;
            }
        }
    }
    co_return co_await step(time, tree, max_advance, true);
}

namespace {

Entity entity_of(const std::string& sid, const Json& entry) {
    const auto* eid = entry.is_object() ? entry.as_object().find("eid") : nullptr;
    const auto* type = entry.is_object() ? entry.as_object().find("type") : nullptr;
    if (!eid || !eid->is_string() || !type || !type->is_string()) {
        throw SimulationError(sid, fmt::format("simulator {}: an entity must have string \"eid\" and \"type\", got {}", sid,
                                               entry.describe()));
    }
    Entity entity(eid->as_string(), type->as_string());
    const auto fail = [&](const char* what, const Json& value) {
        return SimulationError(sid, fmt::format("simulator {}: entity {} has a \"{}\" that is not a list of {}, got {}", sid,
                                                entity.eid, what, what[0] == 'r' ? "ids" : "entities", value.describe()));
    };
    if (const auto* rel = entry.as_object().find("rel"); rel && !rel->is_null()) {
        if (!rel->is_array()) throw fail("rel", *rel);
        std::vector<std::string> ids;
        ids.reserve(rel->size());
        for (const auto& id : rel->as_array()) {
            if (!id.is_string()) throw fail("rel", *rel);
            ids.push_back(id.as_string());
        }
        entity.related(std::move(ids));
    }
    if (const auto* children = entry.as_object().find("children"); children && !children->is_null()) {
        if (!children->is_array()) throw fail("children", *children);
        for (const auto& child : children->as_array()) entity.child(entity_of(sid, child));
    }
    return entity;
}

}  // namespace

asio::awaitable<std::vector<Entity>> SimProxy::create_entities(std::int64_t num, std::string model, JsonObject model_params) {
    const auto reply = co_await create(num, model, std::move(model_params));
    if (!reply.is_array()) {
        throw SimulationError(sid(), fmt::format("simulator {}: create({}, \"{}\") returned {} instead of {} entities", sid(),
                                                 num, model, reply.describe(), num));
    }
    std::vector<Entity> entities;
    entities.reserve(reply.size());
    for (const auto& entry : reply.as_array()) entities.push_back(entity_of(sid(), entry));
    co_return entities;
}

asio::awaitable<Outputs> SimProxy::get_outputs(const OutputRequest& request) {
    if (json_of_ != &request) {
        request_json_ = request.to_json();
        json_of_ = &request;
    }
    auto reply = co_await get_data(request_json_);
    try {
        co_return Outputs::from_json(std::move(reply));
    } catch (const TypeError& e) {
        throw SimulationError(sid(), fmt::format("simulator {}: {}", sid(), e.what()));
    }
}

}  // namespace mas::mosaik
