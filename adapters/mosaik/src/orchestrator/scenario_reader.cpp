#include "orchestrator/scenario_reader.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "mas/mosaik/entity.hpp"
#include "mas/mosaik/orchestrator/tiered_time.hpp"
#include "orchestrator/connection_reader.hpp"

namespace mas::mosaik {
namespace {

// mosaik fills in a command with Python's % operator and knows these two keys; anything else
// would fail there, so it fails here, at the scenario's line.
void check_placeholders(const std::string& cmd, const ScenarioNode& node) {
    bool has_addr = false;
    for (auto i = cmd.find('%'); i != std::string::npos; i = cmd.find('%', i)) {
        const std::string_view rest = std::string_view(cmd).substr(i);
        if (rest.starts_with("%%")) {
            i += 2;
        } else if (rest.starts_with("%(addr)s")) {
            has_addr = true;
            i += 8;
        } else if (rest.starts_with("%(python)s")) {
            i += 10;
        } else {
            node.fail(
                "a '%' in a command must start %(addr)s, %(python)s or %% (mosaik fills in the command "
                "with Python's % operator)");
        }
    }
    if (!has_addr) node.fail("the command must contain %(addr)s, where the simulator finds the orchestrator");
}

void check_host_port(const std::string& addr, const ScenarioNode& node) {
    const auto colon = addr.rfind(':');
    unsigned port = 0;
    const char* const last = addr.data() + addr.size();
    const bool valid = colon != std::string::npos && colon > 0 &&
                       std::from_chars(addr.data() + colon + 1, last, port).ptr == last && colon + 1 < addr.size() &&
                       port > 0 && port <= 65535;
    if (!valid) node.fail(fmt::format("expected \"host:port\" with a port from 1 to 65535, got \"{}\"", addr));
}

bool valid_group_name(std::string_view name) {
    const auto start = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    const auto rest = [&](char c) { return start(c) || (c >= '0' && c <= '9') || c == '-'; };
    return !name.empty() && start(name.front()) && std::all_of(name.begin() + 1, name.end(), rest);
}

std::vector<std::string> read_group(const ScenarioNode& node) {
    if (node.json().is_string()) return {node.name()};
    if (!node.json().is_array() || node.json().size() == 0) {
        node.fail(fmt::format("expected a group name or a non-empty list of group names (outermost first), got {}",
                              node.json().describe()));
    }
    // The scheduler keeps one tier of time per group level, inline (Tiers).
    constexpr std::size_t max_nesting = Tiers::capacity - 1;
    if (node.json().size() > max_nesting) {
        node.fail(fmt::format("a simulator can be nested in at most {} groups, this path has {}", max_nesting,
                              node.json().size()));
    }
    std::vector<std::string> path;
    for (const auto& element : node.elements()) {
        // Integers are what the recorded scenarios use: the position among the parent's groups.
        path.push_back(element.json().is_string() ? element.name() : std::to_string(element.integer(0)));
    }
    return path;
}

// A directory without the trailing separator lexically_normal leaves after "." or "..".
std::filesystem::path normal_directory(const std::filesystem::path& path) {
    auto normal = path.lexically_normal();
    if (!normal.has_filename() && normal.has_relative_path()) normal = normal.parent_path();
    return normal;
}

std::string where_text(const ScenarioLocation& where) {
    return fmt::format("line {}, column {}", where.line, where.column);
}

constexpr std::array api_methods{"init", "create", "setup_done", "step", "get_data", "stop"};

}  // namespace

ScenarioReader::ScenarioReader(const LocatedJson& doc, const ScenarioOptions& options) : doc_(doc), options_(options) {
    scenario_.origin_ = doc.origin();
    scenario_.directory_ = normal_directory(std::filesystem::absolute(doc.origin()).parent_path());
}

Scenario ScenarioReader::read() {
    const ScenarioNode root(doc_);
    const auto top = root.object({"description", "variables", "sim_config", "world", "sims", "entities", "connections",
                                  "initial_events", "extra_method_calls", "until"});
    const auto until = top.required("until");
    scenario_.until_ = until.integer(1);
    scenario_.until_where_ = until.where();
    if (const auto description = top.get("description")) scenario_.description_ = description->string();
    read_variables(top.get("variables"));
    read_sim_configs(top.required("sim_config"));
    if (const auto world = top.get("world")) read_world(*world);
    read_sims(top.required("sims"));
    if (const auto entities = top.get("entities")) read_entities(*entities);
    if (const auto connections = top.get("connections")) {
        const ConnectionReader reader(scenario_.sims_, scenario_.entities_);
        for (const auto& node : connections->elements()) scenario_.connections_.push_back(reader.read(node));
    }
    if (const auto events = top.get("initial_events")) read_initial_events(*events);
    if (const auto calls = top.get("extra_method_calls")) read_extra_method_calls(*calls);
    return std::move(scenario_);
}

void ScenarioReader::read_variables(const std::optional<ScenarioNode>& node) {
    variables_.define("scenario_dir", scenario_.directory_.string());
    variables_.define("out_dir", std::filesystem::current_path().string());
    for (const auto& [name, value] : options_.variables) {
        if (!ScenarioVariables::valid_name(name) || name == "scenario_dir") {
            throw ConfigError(fmt::format("{}: cannot set the variable '{}'{}", scenario_.origin_, name,
                                          name == "scenario_dir" ? " (it is built in)" : " (not a valid name)"));
        }
        variables_.define(name, value);
    }
    if (!node) return;
    for (const auto& [name, value] : node->members()) {
        const auto key = value.key_where();
        if (!ScenarioVariables::valid_name(name)) {
            throw ScenarioError(key, "a variable name is a letter or '_' followed by letters, digits or '_'");
        }
        if (name == "scenario_dir") throw ScenarioError(key, "'scenario_dir' is built in and cannot be set");
        const std::string text = variables_.expand(value.string(), value);
        if (!options_.variables.contains(name)) variables_.define(name, text);
    }
}

void ScenarioReader::read_sim_configs(const ScenarioNode& node) {
    for (const auto& [name, entry] : node.members()) scenario_.sim_configs_.push_back(read_sim_config(name, entry));
}

Scenario::SimConfig ScenarioReader::read_sim_config(const std::string& name, const ScenarioNode& node) const {
    const auto object = node.object({"cpp", "cmd", "cwd", "env", "connect", "tls"});
    std::optional<std::string> kind;
    for (const char* candidate : {"cpp", "cmd", "connect"}) {
        if (!object.get(candidate)) continue;
        if (kind) {
            throw ScenarioError(
                object.key_where(candidate),
                fmt::format("'{}' and '{}' exclude each other: a simulator is started one way", *kind, candidate));
        }
        kind = candidate;
    }
    if (!kind) node.fail("expected one of 'cpp' (in process), 'cmd' (a process) or 'connect' (a running simulator)");
    if (*kind != "cmd") {
        for (const char* key : {"cwd", "env"}) {
            if (object.get(key))
                throw ScenarioError(object.key_where(key), fmt::format("'{}' only applies to 'cmd'", key));
        }
    }
    if (*kind != "connect" && object.get("tls")) {
        throw ScenarioError(object.key_where("tls"), "'tls' only applies to 'connect' (a cmd simulator connects back in plain TCP)");
    }
    Scenario::SimConfig config{name, Scenario::InProcess{}, node.where()};
    if (*kind == "cpp") {
        const auto value = *object.get("cpp");
        config.starter = Scenario::InProcess{variables_.expand(value.name(), value)};
    } else if (*kind == "cmd") {
        config.starter = read_command(object);
    } else {
        const auto value = *object.get("connect");
        std::string addr = variables_.expand(value.name(), value);
        check_host_port(addr, value);
        Scenario::Connect connect{std::move(addr), std::nullopt, {}};
        if (const auto tls = object.get("tls")) read_tls(*tls, connect);
        config.starter = std::move(connect);
    }
    return config;
}

void ScenarioReader::read_tls(const ScenarioNode& node, Scenario::Connect& connect) const {
    // TLS with a simulator is mutual: the CA both ends trust, the orchestrator's own certificate and key.
    const auto object = node.object({"ca", "cert", "key", "server_name"});
    const auto file = [&](const char* key) {
        const auto value = object.get(key);
        if (!value) node.fail(fmt::format("'tls' needs '{}' (the CA both ends trust, and the orchestrator's certificate and key)", key));
        return (scenario_.directory_ / variables_.expand(value->name(), *value)).lexically_normal();
    };
    connect.tls = TlsFiles{file("ca"), file("cert"), file("key")};
    if (const auto name = object.get("server_name")) connect.tls_server_name = variables_.expand(name->name(), *name);
}

Scenario::Command ScenarioReader::read_command(const ScenarioObject& object) const {
    Scenario::Command command;
    const auto cmd = *object.get("cmd");
    command.cmd = variables_.expand(cmd.name(), cmd);
    check_placeholders(command.cmd, cmd);
    command.cwd = scenario_.directory_;
    if (const auto cwd = object.get("cwd")) {
        command.cwd = normal_directory(scenario_.directory_ / variables_.expand(cwd->name(), *cwd));
    }
    if (const auto env = object.get("env")) {
        for (const auto& [name, value] : env->members()) command.env[name] = variables_.expand(value.string(), value);
    }
    return command;
}

void ScenarioReader::read_world(const ScenarioNode& node) {
    const auto object = node.object({"time_resolution", "max_loop_iterations", "cache", "lazy_stepping", "rt_factor",
                                     "rt_strict", "start_timeout", "step_timeout"});
    auto& world = scenario_.world_;
    if (const auto value = object.get("time_resolution")) world.time_resolution = value->positive_number();
    if (const auto value = object.get("max_loop_iterations")) world.max_loop_iterations = value->integer(1);
    if (const auto value = object.get("cache")) world.cache = value->boolean();
    if (const auto value = object.get("lazy_stepping")) world.lazy_stepping = value->boolean();
    if (const auto value = object.get("rt_factor")) world.rt_factor = value->positive_number();
    if (const auto value = object.get("rt_strict")) world.rt_strict = value->boolean();
    if (const auto value = object.get("start_timeout")) {
        world.start_timeout = std::chrono::duration<double>(value->positive_number());
    }
    if (const auto value = object.get("step_timeout")) {
        world.step_timeout = std::chrono::duration<double>(value->positive_number());
    }
    if (world.rt_strict && !world.rt_factor) object.get("rt_strict")->fail("rt_strict needs rt_factor");
}

void ScenarioReader::read_sims(const ScenarioNode& node) {
    const auto elements = node.elements();
    if (elements.empty()) node.fail("no simulators: start at least one");
    std::map<std::string, std::int64_t> counters;
    std::map<std::string, ScenarioLocation> seen;
    for (const auto& element : elements) {
        Scenario::Sim sim = read_sim(element);
        ScenarioLocation where = sim.where;
        if (sim.sim_id.empty()) {
            sim.sim_id = fmt::format("{}-{}", sim.name, counters[sim.name]++);  // mosaik counts only these
        } else {
            where = ScenarioObject(element).required("sim_id").where();
        }
        if (const auto first = seen.find(sim.sim_id); first != seen.end()) {
            throw ScenarioError(where, fmt::format("the sim id '{}' is already used by {} ({})", sim.sim_id,
                                                   first->second.path, where_text(first->second)));
        }
        seen.emplace(sim.sim_id, sim.where);
        scenario_.sims_.push_back(std::move(sim));
    }
    for (std::size_t i = 0; i < scenario_.sims_.size(); ++i) sim_ids_.emplace(scenario_.sims_[i].sim_id, i);
}

Scenario::Sim ScenarioReader::read_sim(const ScenarioNode& node) const {
    const auto object = node.object({"name", "sim_id", "params", "group"});
    Scenario::Sim sim;
    sim.where = node.where();
    const auto name = object.required("name");
    sim.name = name.name();
    std::vector<std::string> configured;
    for (const auto& config : scenario_.sim_configs_) configured.push_back(config.name);
    if (std::find(configured.begin(), configured.end(), sim.name) == configured.end()) {
        name.fail(fmt::format("no sim_config entry is named '{}'{} (entries: {})", sim.name,
                              did_you_mean(sim.name, configured), fmt::join(configured, ", ")));
    }
    if (const auto id = object.get("sim_id")) {
        sim.sim_id = id->name();
        if (sim.sim_id.find('.') != std::string::npos) {
            id->fail("a sim id may not contain '.', which separates it from the entity id in a full id");
        }
    }
    if (const auto params = object.get("params")) {
        sim.params = variables_.expand_object(*params);
        for (const char* reserved : {"time_resolution", "sim_id"}) {
            if (!sim.params.contains(reserved)) continue;
            throw ScenarioError(ScenarioObject(*params).key_where(reserved),
                                std::string_view(reserved) == "sim_id"
                                    ? "'sim_id' is not a param: write it next to \"params\""
                                    : "'time_resolution' is not a sim param: mosaik passes world.time_resolution");
        }
    }
    if (const auto group = object.get("group")) sim.group = read_group(*group);
    return sim;
}

void ScenarioReader::read_entities(const ScenarioNode& node) {
    std::map<std::string, ScenarioLocation> names;
    for (const auto& element : node.elements()) {
        const auto object = element.object({"name", "sim", "model", "num", "params"});
        Scenario::Entities entities;
        entities.where = element.where();
        if (const auto name = object.get("name")) {
            entities.name = name->name();
            if (!valid_group_name(entities.name)) {
                name->fail("an entity group name is a letter or '_' followed by letters, digits, '_' or '-'");
            }
            if (const auto first = names.find(entities.name); first != names.end()) {
                name->fail(fmt::format("the name '{}' is already used by {} ({})", entities.name, first->second.path,
                                       where_text(first->second)));
            }
            names.emplace(entities.name, entities.where);
        }
        entities.sim = sim_reference(object.required("sim"));
        entities.model = object.required("model").name();
        if (const auto num = object.get("num")) entities.num = num->integer(1, max_create_num);
        if (const auto params = object.get("params")) entities.params = variables_.expand_object(*params);
        scenario_.entities_.push_back(std::move(entities));
    }
}

void ScenarioReader::read_initial_events(const ScenarioNode& node) {
    for (const auto& element : node.elements()) {
        const auto object = element.object({"sim", "time"});
        Scenario::InitialEvent event;
        event.where = element.where();
        event.sim = sim_reference(object.required("sim"));
        if (const auto time = object.get("time")) event.time = time->integer(0);
        for (const auto& earlier : scenario_.initial_events_) {
            if (earlier.sim != event.sim) continue;
            element.fail(fmt::format("'{}' already has an initial event ({}); a second would replace it", event.sim,
                                     where_text(earlier.where)));
        }
        scenario_.initial_events_.push_back(std::move(event));
    }
}

void ScenarioReader::read_extra_method_calls(const ScenarioNode& node) {
    for (const auto& element : node.elements()) {
        const auto object = element.object({"sim", "method", "args", "kwargs", "after_entities"});
        Scenario::ExtraMethodCall call;
        call.where = element.where();
        call.sim = sim_reference(object.required("sim"));
        const auto method = object.required("method");
        call.method = method.name();
        if (std::find(api_methods.begin(), api_methods.end(), call.method) != api_methods.end()) {
            method.fail(fmt::format("'{}' is a call of the mosaik API, not an extra method", call.method));
        }
        if (const auto args = object.get("args")) {
            for (const auto& arg : args->elements()) call.args.push_back(variables_.expand_all(arg));
        }
        if (const auto kwargs = object.get("kwargs")) call.kwargs = variables_.expand_object(*kwargs);
        call.after_entities = scenario_.entities_.size();
        if (const auto after = object.get("after_entities")) call.after_entities = read_after_entities(*after);
        scenario_.extra_method_calls_.push_back(std::move(call));
    }
}

std::size_t ScenarioReader::read_after_entities(const ScenarioNode& node) const {
    const auto count = scenario_.entities_.size();
    if (node.json().is_string()) {
        const EntitySelector selector(scenario_.sims_, scenario_.entities_);
        const auto names = selector.group_names();
        if (const auto group = selector.group(node.name())) return *group + 1;
        node.fail(fmt::format("no entity group is named '{}'{}", node.name(), did_you_mean(node.name(), names)));
    }
    if (node.json().kind() != JsonKind::integer || node.json().get<std::int64_t>() < 0 ||
        node.json().get<std::int64_t>() > static_cast<std::int64_t>(count)) {
        node.fail(fmt::format("expected an entity group name or a count from 0 to {} (the entity groups), got {}",
                              count, node.json().describe()));
    }
    return static_cast<std::size_t>(node.json().get<std::int64_t>());
}

const std::string& ScenarioReader::sim_reference(const ScenarioNode& node) const {
    const std::string& text = node.name();
    // Every entity group names its simulator: found by id, not by a search of all of them.
    if (const auto found = sim_ids_.find(text); found != sim_ids_.end()) return scenario_.sims_[found->second].sim_id;
    std::vector<std::string> ids;
    for (const auto& sim : scenario_.sims_) ids.push_back(sim.sim_id);
    // Naming a simulator by its sim_config entry is the likely slip; point at the id it got.
    std::string hint = did_you_mean(text, ids);
    const auto by_name = std::find_if(scenario_.sims_.begin(), scenario_.sims_.end(),
                                      [&](const Scenario::Sim& sim) { return sim.name == text; });
    if (by_name != scenario_.sims_.end()) {
        hint = fmt::format(" (did you mean '{}'? simulators are referred to by sim id)", by_name->sim_id);
    }
    node.fail(
        fmt::format("no started simulator has the sim id '{}'{} (sim ids: {})", text, hint, fmt::join(ids, ", ")));
}

}  // namespace mas::mosaik
