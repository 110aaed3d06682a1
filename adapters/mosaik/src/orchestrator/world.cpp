// World: building the scenario (start, create, connect) as mosaik's scenario.World does.
#include "mas/mosaik/orchestrator/world.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include <asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "mas/core/error.hpp"
#include "mas/core/log.hpp"
#include "mas/core/with_timeout.hpp"
#include "mas/mosaik/entity.hpp"
#include "orchestrator/orchestrator_log.hpp"
#include "orchestrator/world_impl.hpp"

namespace mas::mosaik {

namespace {

using detail::SimRunner;

constexpr std::array<std::string_view, 7> api_names = {"init", "create", "setup_done", "step",
                                                       "get_data", "finalize", "stop"};

SimType parse_type(const std::string& sid, const Json& meta) {
    const auto* type = meta.is_object() ? meta.as_object().find("type") : nullptr;
    if (!type || !type->is_string()) {
        throw ConfigError(fmt::format("simulator {}: its meta has no \"type\" (time-based, event-based or hybrid)", sid));
    }
    const auto& t = type->as_string();
    if (t == "time-based") return SimType::time_based;
    if (t == "event-based") return SimType::event_based;
    if (t == "hybrid") return SimType::hybrid;
    throw ConfigError(fmt::format("simulator {}: unknown meta type \"{}\"", sid, t));
}

void check_api_version(const std::string& sid, const Json& meta) {
    const auto* version = meta.as_object().find("api_version");
    const std::string text = version && version->is_string() ? version->as_string() : "";
    if (!text.starts_with("3.")) {
        throw ConfigError(fmt::format("simulator {}: api_version \"{}\" is not supported; this orchestrator speaks "
                                      "mosaik API 3.x",
                                      sid, text));
    }
}

// Collects the models' attribute classes and checks names as mosaik's ModelFactory does.
std::map<std::string, ModelAttrs> parse_models(const std::string& sid, const Json& meta, SimType type) {
    const auto* models = meta.as_object().find("models");
    if (!models || !models->is_object()) throw ConfigError(fmt::format("simulator {}: its meta has no models", sid));
    std::map<std::string, ModelAttrs> out;
    for (const auto& [name, model] : models->as_object()) {
        if (std::find(api_names.begin(), api_names.end(), name) != api_names.end()) {
            throw ConfigError(fmt::format("simulator {}: model \"{}\" has the name of an API call", sid, name));
        }
        out.emplace(name, parse_model_attrs(name, model, type));
    }
    if (const auto* extras = meta.as_object().find("extra_methods"); extras && extras->is_array()) {
        for (const auto& method : extras->as_array()) {
            const auto& m = method.as_string();
            if (out.count(m) || std::find(api_names.begin(), api_names.end(), m) != api_names.end()) {
                throw ConfigError(fmt::format("simulator {}: extra method \"{}\" collides with a model or API call", sid, m));
            }
        }
    }
    return out;
}

const Json& model_meta(const SimRunner& sim, const std::string& model) {
    const auto& models = sim.meta.as_object().at("models").as_object();
    const auto* found = models.find(model);
    if (!found) throw ConfigError(fmt::format("simulator {} has no model \"{}\"", sim.sid, model));
    return *found;
}

}  // namespace

World::World(WorldOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

World::~World() = default;

asio::awaitable<Json> World::add_simulator(std::unique_ptr<SimProxy> proxy, JsonObject sim_params, GroupPath group) {
    if (impl_->ran) throw ConfigError("simulators cannot be added once the world has run");
    const std::string sid = proxy->sid();
    if (impl_->by_sid.count(sid)) throw ConfigError(fmt::format("a simulator with id \"{}\" already exists", sid));
    if (group.size() >= Tiers::capacity) {
        throw ConfigError(fmt::format("simulator \"{}\" is nested in {} groups; at most {} are supported", sid,
                                      group.size(), Tiers::capacity - 1));
    }
    Json meta;
    try {
        auto init = proxy->init(impl_->options.time_resolution, std::move(sim_params));
        std::string what = "init of " + sid;
        meta = co_await with_timeout(std::move(init), impl_->options.start_timeout, std::move(what));
    } catch (const Timeout&) {
        throw SimulationError(sid, fmt::format("Simulator \"{}\" did not answer init in time", sid));
    }
    if (!meta.is_object()) throw SimulationError(sid, fmt::format("simulator {}: init returned {}, not a meta dict", sid, meta.describe()));
    check_api_version(sid, meta);
    const auto type = parse_type(sid, meta);
    auto models = parse_models(sid, meta, type);
    auto runner = std::make_unique<SimRunner>(std::move(proxy), std::move(group), type, meta);
    runner->start_order = impl_->sims.size();
    runner->model_attrs = std::move(models);
    if (type != SimType::event_based) runner->next_steps.insert(runner->at(0));
    runner->progress = runner->at(0);
    runner->last_step = runner->at(-1);
    if (impl_->options.cache) runner->outputs.emplace();
    SimRunner* self = runner.get();
    Impl* impl = impl_.get();
    runner->proxy->set_request_handler(
        [impl, self](const std::string& method, const JsonArray& args, const JsonObject& kwargs) {
            return impl->handle_request(*self, method, args, kwargs);
        });
    impl_->by_sid.emplace(sid, self);
    impl_->sims.push_back(std::move(runner));
    detail::orchestrator_log()->info("started simulator {} ({})", sid, to_string(type));
    co_return meta;
}

asio::awaitable<std::vector<EntityRef>> World::create(const std::string& sid, std::int64_t num, const std::string& model,
                                                      JsonObject model_params) {
    auto& sim = impl_->sim(sid);
    const auto& desc = model_meta(sim, model);
    const auto* is_public = desc.as_object().find("public");
    if (is_public && is_public->is_bool() && !is_public->get<bool>()) {
        throw ConfigError(fmt::format("model \"{}\" of simulator {} is not public", model, sid));
    }
    const auto* params = desc.as_object().find("params");
    for (const auto& [key, value] : model_params) {
        bool declared = false;
        if (params && params->is_array()) {
            for (const auto& p : params->as_array()) declared = declared || (p.is_string() && p.as_string() == key);
        }
        if (!declared) throw ConfigError(fmt::format("create() of {} on {}: unexpected param \"{}\"", model, sid, key));
    }
    if (num < 0) throw ConfigError(fmt::format("create() of {} on {}: num must not be negative", model, sid));
    if (num > max_create_num) {
        throw ConfigError(fmt::format("create() of {} on {}: num {} is more than the {} entities one create may make",
                                      model, sid, num, max_create_num));
    }
    auto entities = co_await sim.proxy->create_entities(num, model, std::move(model_params));
    if (static_cast<std::int64_t>(entities.size()) != num) {
        throw SimulationError(sid, fmt::format("simulator {}: create({}, \"{}\") returned array of {} elements instead of {} entities",
                                               sid, num, model, entities.size(), num));
    }
    std::vector<EntityRef> out;
    out.reserve(entities.size());
    impl_->graph.reserve(entities.size());
    const std::string* known_model = nullptr;  // the model checked last: mostly all have the same
    std::function<EntityRef(Entity&, std::size_t)> add_entity = [&](Entity& e, std::size_t hash) {
        if (!known_model || *known_model != e.type) {
            const auto found = sim.model_attrs.find(e.type);
            if (found == sim.model_attrs.end()) {
                throw SimulationError(sid, fmt::format("simulator {}: entity {} has unknown model \"{}\"", sid, e.eid, e.type));
            }
            known_model = &found->first;
        }
        EntityRef ref(sid, std::move(e.eid), std::move(e.type));
        const auto node = impl_->graph.add_entity(sid, ref.eid, ref.type, hash);
        for (const auto& other : e.rel) impl_->graph.add_edge(node, sim.full_id(other));
        for (auto& child : e.children) ref.children.push_back(add_entity(child, detail::EntityGraph::hash_of(sid, child.eid)));
        return ref;
    };
    // Hashed first, so that each entity's place in the graph's index is fetched some entities
    // ahead: with a million entities the index lies outside the caches.
    std::vector<std::size_t> hashes;
    hashes.reserve(entities.size());
    for (const auto& e : entities) hashes.push_back(detail::EntityGraph::hash_of(sid, e.eid));
    constexpr auto ahead = detail::KeyIndex::prefetch_ahead;
    for (std::size_t k = 0; k < entities.size(); ++k) {
        if (k + ahead < entities.size()) impl_->graph.prefetch(hashes[k + ahead]);
        out.push_back(add_entity(entities[k], hashes[k]));
    }
    co_return out;
}

void World::set_initial_event(const std::string& sid, std::int64_t time) {
    auto& sim = impl_->sim(sid);
    sim.next_steps.clear();
    sim.next_steps.insert(sim.at(time));
}

asio::awaitable<Json> World::call_extra(const std::string& sid, const std::string& method, JsonArray args,
                                        JsonObject kwargs) {
    auto& sim = impl_->sim(sid);
    const auto* extras = sim.meta.as_object().find("extra_methods");
    bool declared = false;
    if (extras && extras->is_array()) {
        for (const auto& m : extras->as_array()) declared = declared || (m.is_string() && m.as_string() == method);
    }
    if (!declared) throw ConfigError(fmt::format("simulator {} has no extra method \"{}\"", sid, method));
    co_return co_await sim.proxy->call_extra(method, std::move(args), std::move(kwargs));
}

asio::awaitable<void> World::run(std::int64_t until, RunOptions options) { co_await impl_->run(until, std::move(options)); }

asio::awaitable<void> World::shutdown() { co_await impl_->stop_all(); }

void World::interrupt(const std::string& reason) {
    if (impl_->interrupted) return;
    impl_->interrupted = true;
    // The time every simulator has completed: what a user can count on being in the results.
    std::optional<std::int64_t> done;
    for (const auto& sim : impl_->sims) done = std::min(done.value_or(sim->progress.time()), sim->progress.time());
    const auto what = impl_->ran ? fmt::format("{} at time {}", reason, done.value_or(0)) : reason + " before the run";
    if (!impl_->failure) impl_->failure = std::make_exception_ptr(Interrupted(what));
    impl_->notify();
}

bool World::interrupted() const noexcept { return impl_->interrupted; }

void World::on_step(std::function<void(const StepRecord&)> observer, bool with_inputs) {
    impl_->observer_inputs = observer && with_inputs;
    impl_->observer = std::move(observer);
}

double World::progress() const { return impl_->sim_progress; }

Json World::entity_graph() const { return impl_->graph.to_json(); }

std::vector<std::pair<std::string, std::int64_t>> World::step_counts() const {
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (const auto& sim : impl_->sims) out.emplace_back(sim->sid, sim->steps_done);
    return out;
}

SimRunner& World::Impl::sim(const std::string& sid) const {
    auto it = by_sid.find(sid);
    if (it == by_sid.end()) throw ConfigError(fmt::format("there is no simulator \"{}\"", sid));
    return *it->second;
}

void World::Impl::touch(SimRunner& sim) {
    if (sim.touched) return;
    sim.touched = true;
    touched.push_back(&sim);
}

void World::Impl::build_watchers() {
    watchers.assign(sims.size(), {});
    for (const auto& sim : sims) {
        const auto self = sim->start_order;
        watchers[self].push_back(self);  // next_step_settled waits for its own progress and schedule
        // wait_for_dependencies looks at the progress of predecessors and of the successors it
        // waits for (all successors with lazy stepping).
        for (const auto& [pre, delay] : sim->input_delays) watchers[pre->start_order].push_back(self);
        for (const auto& [succ, interval] : sim->successors_to_wait_for) watchers[succ->start_order].push_back(self);
        if (run_options.lazy_stepping) {
            for (const auto& [succ, interval] : sim->successors) watchers[succ->start_order].push_back(self);
        }
    }
}

void World::Impl::notify() {
    if (failure) {
        for (auto* sim : touched) sim->touched = false;
        touched.clear();
        wake.wake_all();
        return;
    }
    notify_keys.clear();
    for (auto* sim : touched) {
        sim->touched = false;
        const auto& keys = watchers[sim->start_order];
        notify_keys.insert(notify_keys.end(), keys.begin(), keys.end());
    }
    touched.clear();
    wake.notify(notify_keys);
}

asio::awaitable<void> World::Impl::wait_until(const SimRunner& sim, const detail::WakeList::Condition& condition) {
    while (!condition()) {
        if (failure) throw SimulationError("", "the run was aborted");
        // A simulator process resumed inline only steps its own simulator and changes the
        // schedule the way the notifier does; the run's own loop is resumed through the queue.
        co_await wake.wait(condition, detail::WakeList::Resumption::inline_, sim.start_order);
    }
}

}  // namespace mas::mosaik
