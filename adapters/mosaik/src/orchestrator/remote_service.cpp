// RemoteService: what the orchestrator answers to a simulator's async requests during its step
// (mosaik's MosaikRemote): get_progress, get_related_entities, get_data, set_data, set_event.
#include <map>

#include <fmt/format.h>

#include "mas/core/error.hpp"
#include "mas/core/log.hpp"
#include "orchestrator/world_impl.hpp"

namespace mas::mosaik {

namespace {

using detail::SimRunner;

std::pair<std::string, std::string> split_full_id(const std::string& full_id) {
    const auto dot = full_id.find('.');
    if (dot == std::string::npos) throw ConfigError(fmt::format("\"{}\" is not a full entity id (sid.eid)", full_id));
    return {full_id.substr(0, dot), full_id.substr(dot + 1)};
}

// The caller may only reach simulators it is connected from with async_requests.
void check_async_allowed(const SimRunner& source, const SimRunner& caller) {
    if (!source.successors.count(const_cast<SimRunner*>(&caller))) {
        throw ConfigError(fmt::format("no connection from {} to {}: connect entities of both simulators with "
                                      "async_requests=True",
                                      source.sid, caller.sid));
    }
    if (!source.successors_to_wait_for.count(const_cast<SimRunner*>(&caller))) {
        throw ConfigError(fmt::format("async requests are not enabled for the connection from {} to {}: set "
                                      "async_requests=True on it",
                                      source.sid, caller.sid));
    }
}

const Json& argument(const JsonArray& args, const JsonObject& kwargs, std::size_t index, std::string_view name) {
    if (index < args.size()) return args[index];
    if (const auto* value = kwargs.find(name)) return *value;
    static const Json none;
    return none;
}

}  // namespace

asio::awaitable<Json> World::Impl::handle_request(SimRunner& caller, const std::string& method, const JsonArray& args,
                                                  const JsonObject& kwargs) {
    if (method == "get_progress") co_return Json(sim_progress);
    if (method == "get_related_entities") {
        const auto& which = argument(args, kwargs, 0, "entities");
        if (which.is_null()) co_return graph.to_json();
        if (which.is_string()) co_return graph.related(which.as_string());
        JsonObject out;
        for (const auto& id : which.as_array()) out.insert_or_assign(id.as_string(), graph.related(id.as_string()));
        co_return Json(std::move(out));
    }
    if (method == "get_data") {
        if (!caller.in_step) throw ConfigError(fmt::format("{} asked for data outside its step", caller.sid));
        const auto& wanted = argument(args, kwargs, 0, "attrs").as_object();
        JsonObject data;
        std::map<std::string, JsonObject> missing;  // sid -> {eid: [attrs]}
        for (const auto& [full_id, attrs] : wanted) {
            const auto [sid, eid] = split_full_id(full_id);
            auto& source = sim(sid);
            check_async_allowed(source, caller);
            const Outputs* cached = options.cache ? source.output_for(caller.last_step.time()) : nullptr;
            auto& out = data.insert_or_assign(full_id, Json::object()).as_object();
            for (const auto& attr : attrs.as_array()) {
                const Json* value = cached ? cached->find(eid, attr.as_string()) : nullptr;
                if (value) {
                    out.insert_or_assign(attr.as_string(), *value);
                } else {
                    auto& list = missing[sid];
                    if (!list.contains(eid)) list.insert_or_assign(eid, Json::array());
                    list.find(eid)->as_array().push_back(attr);
                }
            }
        }
        for (auto& [sid, request] : missing) {
            auto reply = co_await sim(sid).proxy->get_data(Json(std::move(request)));
            for (const auto& [eid, values] : reply.as_object()) {
                if (eid == "time") continue;
                auto& out = data.insert_or_assign(sid + "." + eid, data.contains(sid + "." + eid)
                                                                        ? *data.find(sid + "." + eid)
                                                                        : Json::object())
                                .as_object();
                for (const auto& [attr, value] : values.as_object()) out.insert_or_assign(attr, value);
            }
        }
        co_return Json(std::move(data));
    }
    if (method == "set_data") {
        for (const auto& [src_full_id, dests] : argument(args, kwargs, 0, "data").as_object()) {
            for (const auto& [dest_full_id, attrs] : dests.as_object()) {
                const auto [sid, eid] = split_full_id(dest_full_id);
                auto& target = sim(sid);
                check_async_allowed(target, caller);
                auto& by_eid = target.inputs_from_set_data;
                if (!by_eid.contains(eid)) by_eid.insert_or_assign(eid, Json::object());
                auto& by_attr = by_eid.find(eid)->as_object();
                for (const auto& [attr, value] : attrs.as_object()) {
                    if (!by_attr.contains(attr)) by_attr.insert_or_assign(attr, Json::object());
                    by_attr.find(attr)->as_object().insert_or_assign(src_full_id, value);
                }
            }
        }
        co_return Json();
    }
    if (method == "set_event") {
        if (!rt_factor) {
            throw SimulationError(caller.sid, fmt::format("Simulator '{}' tried to set an event in non-real-time mode.",
                                                          caller.sid));
        }
        const auto t = argument(args, kwargs, 0, "event_time").get<std::int64_t>();
        if (t < until) {
            schedule(caller, caller.at(t));
            notify();
        } else {
            mas::log("mas.mosaik")->warn("event set at {} by {} is after the end {} and is ignored", t, caller.sid, until);
        }
        co_return Json();
    }
    throw ConfigError(fmt::format("unknown request \"{}\" from {}", method, caller.sid));
}

}  // namespace mas::mosaik
