#include "run_record.hpp"

#include <chrono>
#include <type_traits>
#include <unordered_map>
#include <variant>

namespace mas::runner {
namespace {

std::string start_mode(const mosaik::Scenario::SimConfig& config) {
    return std::visit(
        [](const auto& starter) -> std::string {
            using T = std::decay_t<decltype(starter)>;
            if constexpr (std::is_same_v<T, mosaik::Scenario::InProcess>) {
                return "cpp: " + starter.name;
            } else if constexpr (std::is_same_v<T, mosaik::Scenario::Command>) {
                return "cmd: " + starter.cmd;
            } else {
                return "connect: " + starter.addr;
            }
        },
        config.starter);
}

}  // namespace

Json results_files(const mosaik::Scenario& scenario) {
    JsonArray files;
    for (const auto& sim : scenario.sims()) {
        for (const char* param : {"path", "csv_path"}) {
            const auto* path = sim.params.find(param);
            if (!path || !path->is_string()) continue;
            // A relative path is the simulator's: a process's from its working directory.
            std::filesystem::path file(path->as_string());
            const auto* command = std::get_if<mosaik::Scenario::Command>(&scenario.sim_config(sim.name).starter);
            file = command ? command->cwd / file : std::filesystem::absolute(file);
            files.push_back(Json::object({{"sid", sim.sim_id}, {"path", file.lexically_normal().string()}}));
        }
    }
    return Json(std::move(files));
}

Json run_record(const mosaik::Scenario& scenario, const std::filesystem::path& scenario_path,
                const mosaik::ScenarioSummary& summary) {
    const std::unordered_map<std::string, std::int64_t> steps_of(summary.steps.begin(), summary.steps.end());
    JsonArray sims;
    for (const auto& sim : scenario.sims()) {
        const auto found = steps_of.find(sim.sim_id);
        const std::int64_t steps = found == steps_of.end() ? 0 : found->second;
        sims.push_back(Json::object({{"sid", sim.sim_id},
                                     {"name", sim.name},
                                     {"start", start_mode(scenario.sim_config(sim.name))},
                                     {"steps", steps}}));
    }
    JsonArray links;
    for (const auto& link : summary.links) {
        JsonArray attrs;
        for (const auto& [src, dest] : link.attrs) attrs.push_back(Json::array({src, dest}));
        links.push_back(Json::object({{"src", link.src},
                                      {"dest", link.dest},
                                      {"attrs", Json(std::move(attrs))},
                                      {"weak", link.weak},
                                      {"time_shifted", link.time_shifted},
                                      {"async_requests", link.async_requests}}));
    }
    JsonObject types;
    types.reserve(summary.entity_types.size());
    for (const auto& [id, type] : summary.entity_types) types.insert_or_assign(id, type);
    return Json::object({{"scenario", std::filesystem::absolute(scenario_path).lexically_normal().string()},
                         {"description", scenario.description()},
                         {"time_resolution", scenario.world().time_resolution},
                         {"until", summary.until},
                         {"wall_time_s", std::chrono::duration<double>(summary.wall_time).count()},
                         {"simulators", Json(std::move(sims))},
                         {"connections", Json(std::move(links))},
                         {"entity_types", Json(std::move(types))},
                         {"results", results_files(scenario)}});
}

Json with_run_record(Json trace, Json record) {
    trace.as_object().insert_or_assign("metadata", Json::object({{"mas_run", std::move(record)}}));
    return trace;
}

}  // namespace mas::runner
