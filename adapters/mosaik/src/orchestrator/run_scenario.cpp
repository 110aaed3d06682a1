#include "mas/mosaik/orchestrator/run_scenario.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "mas/core/error.hpp"
#include "mas/core/log.hpp"
#include "mas/core/with_timeout.hpp"
#include "orchestrator/orchestrator_log.hpp"

namespace mas::mosaik {

namespace {

SimConfig starter_config(const Scenario::SimConfig& entry) {
    if (const auto* in_process = std::get_if<Scenario::InProcess>(&entry.starter)) {
        return SimConfig(SimConfig::Kind::in_process, in_process->name);
    }
    if (const auto* connect = std::get_if<Scenario::Connect>(&entry.starter)) {
        SimConfig config(SimConfig::Kind::connect, connect->addr);
        config.tls = connect->tls;
        config.tls_server_name = connect->tls_server_name;
        return config;
    }
    const auto& command = std::get<Scenario::Command>(entry.starter);
    SimConfig config(SimConfig::Kind::cmd, command.cmd);
    config.cwd = command.cwd.string();
    config.env = command.env;
    return config;
}

// Group names become numbers per nesting path, so that equal names under different parents
// stay different groups.
class GroupIds {
public:
    GroupPath path(const std::vector<std::string>& names) {
        GroupPath out;
        std::vector<std::string> prefix;
        for (const auto& name : names) {
            prefix.push_back(name);
            auto [it, added] = ids_.try_emplace(prefix, ids_.size());
            out.push_back(it->second);
        }
        return out;
    }

private:
    std::map<std::vector<std::string>, std::size_t> ids_;
};

// Rethrows a scenario mistake the World found as an error pointing into the file.
template <class F>
auto at(const ScenarioLocation& where, F&& f) {
    try {
        return f();
    } catch (const ScenarioError&) {
        throw;
    } catch (const ConfigError& e) {
        throw ScenarioError(where, e.what());
    }
}

// The same for an operation that talks to a simulator.
template <class T>
asio::awaitable<T> located(const ScenarioLocation& where, asio::awaitable<T> op) {
    try {
        co_return co_await std::move(op);
    } catch (const ScenarioError&) {
        throw;
    } catch (const ConfigError& e) {
        throw ScenarioError(where, e.what());
    }
}

class Builder {
public:
    Builder(const Scenario& scenario, SimStarter& starter, World& world, const RunControl* control)
        : scenario_(scenario), starter_(starter), world_(world), control_(control) {}

    asio::awaitable<void> build() {
        for (const auto& sim : scenario_.sims()) {
            check_interrupt();
            auto config = starter_config(scenario_.sim_config(sim.name));
            auto proxy = co_await starter_.start(sim.sim_id, std::move(config));
            detail::orchestrator_log()->info("{}: started ({})", sim.sim_id, sim.name);
            co_await world_.add_simulator(std::move(proxy), sim.params, groups_.path(sim.group));
        }
        co_await extra_calls(0);
        for (std::size_t i = 0; i < scenario_.entities().size(); ++i) {
            check_interrupt();
            const auto& group = scenario_.entities()[i];
            auto create = world_.create(group.sim, group.num, group.model, group.params);
            created_.push_back(co_await located(group.where, std::move(create)));
            co_await extra_calls(i + 1);
        }
        check_interrupt();
        for (const auto& connection : scenario_.connections()) connect(connection);
        for (const auto& event : scenario_.initial_events()) {
            at(event.where, [&] { world_.set_initial_event(event.sim, event.time); });
        }
    }

private:
    void check_interrupt() const {
        if (control_ && control_->interrupted()) throw Interrupted(*control_->reason() + " during the setup");
    }

    asio::awaitable<void> extra_calls(std::size_t after) {
        for (const auto& call : scenario_.extra_method_calls()) {
            if (call.after_entities != after) continue;
            check_interrupt();
            auto extra = world_.call_extra(call.sim, call.method, call.args, call.kwargs);
            const Json result = co_await located(call.where, std::move(extra));
            detail::orchestrator_log()->info("{}.{}() returned {}", call.sim, call.method, result.describe());
        }
    }

    // The entity a side of a connection selects at `i`: by place in its entity group, or by full
    // id among every created entity and its children.
    const EntityRef& resolve(const Scenario::Selection& side, std::size_t i) {
        const auto place = side.place(i);
        if (place.group) {
            const auto& group = created_.at(*place.group);
            if (place.index < group.size()) return group[place.index];
        } else if (const auto* found = by_full_id(place.named->sim + "." + place.named->eid)) {
            return *found;
        }
        throw ConfigError(fmt::format("{} does not name a created entity", side[i].label));
    }

    const EntityRef* by_full_id(const std::string& full_id) {
        if (indexed_groups_ < created_.size()) {
            // Entities created since the last look, children too; the first of an id wins, as the
            // search in creation order did.
            const std::function<void(const EntityRef&)> add = [&](const EntityRef& e) {
                full_ids_.try_emplace(e.full_id(), &e);
                for (const auto& child : e.children) add(child);
            };
            for (; indexed_groups_ < created_.size(); ++indexed_groups_) {
                for (const auto& e : created_[indexed_groups_]) add(e);
            }
        }
        const auto found = full_ids_.find(full_id);
        return found == full_ids_.end() ? nullptr : found->second;
    }

    void connect(const Scenario::Connection& connection) {
        std::vector<std::pair<std::string, std::string>> attrs;
        for (const auto& a : connection.attrs) attrs.emplace_back(a.src, a.dest);
        ConnectionOptions options;
        options.time_shifted = connection.time_shifted;
        options.initial_data = connection.initial_data;
        options.weak = connection.weak;
        options.async_requests = connection.async_requests;
        const std::string* last_src = nullptr;  // the sims of the pair before: a range stays on one
        const std::string* last_dest = nullptr;
        for (std::size_t i = 0; i < connection.pair_count(); ++i) {
            // Not a structured binding: clang 14 (the fuzzing build) cannot capture one in a lambda.
            const auto pair = connection.pair_indices(i);
            at(connection.where, [&] {
                const auto& from = resolve(connection.src, pair.first);
                const auto& to = resolve(connection.dest, pair.second);
                world_.connect(from, to, attrs, options);
                if (!connection.weak && connection.time_shifted == 0) {
                    sim_edges_.try_emplace({from.sid, to.sid}, connection.where);
                }
                if (last_src == nullptr || *last_src != from.sid || *last_dest != to.sid) {
                    link(connection, from.sid, to.sid, attrs);
                    last_src = &from.sid;
                    last_dest = &to.sid;
                }
            });
        }
    }

    void link(const Scenario::Connection& connection, const std::string& src, const std::string& dest,
              const std::vector<std::pair<std::string, std::string>>& attrs) {
        auto found = std::find_if(links_.begin(), links_.end(), [&](const SimLink& l) {
            return l.src == src && l.dest == dest && l.weak == connection.weak &&
                   l.time_shifted == connection.time_shifted && l.async_requests == connection.async_requests;
        });
        if (found == links_.end()) {
            found = links_.insert(links_.end(), SimLink{src, dest, {}, connection.weak, connection.time_shifted,
                                                        connection.async_requests});
        }
        for (const auto& a : attrs) {
            if (std::find(found->attrs.begin(), found->attrs.end(), a) == found->attrs.end()) found->attrs.push_back(a);
        }
    }

public:
    /// Where the file first connects `src` to `dest` without a delay, if it does.
    [[nodiscard]] const ScenarioLocation* edge_where(const std::string& src, const std::string& dest) const {
        const auto found = sim_edges_.find({src, dest});
        return found == sim_edges_.end() ? nullptr : &found->second;
    }

    [[nodiscard]] std::vector<SimLink> take_links() { return std::move(links_); }

    /// Forgets the created entities once they are connected: the World keeps what the run
    /// needs, and with a million entities these copies are a good part of the memory.
    void release_entities() {
        full_ids_ = {};
        created_ = {};
        indexed_groups_ = 0;
    }

    [[nodiscard]] std::vector<std::pair<std::string, std::string>> entity_types() const {
        std::vector<std::pair<std::string, std::string>> out;
        const std::function<void(const EntityRef&)> add = [&](const EntityRef& e) {
            out.emplace_back(e.full_id(), e.type);
            for (const auto& child : e.children) add(child);
        };
        for (const auto& group : created_) {
            for (const auto& e : group) add(e);
        }
        return out;
    }

private:
    const Scenario& scenario_;
    SimStarter& starter_;
    World& world_;
    const RunControl* control_;
    GroupIds groups_;
    std::vector<std::vector<EntityRef>> created_;
    std::unordered_map<std::string, const EntityRef*> full_ids_;  // filled on the first full id
    std::size_t indexed_groups_ = 0;                              // groups of created_ in it
    std::map<std::pair<std::string, std::string>, ScenarioLocation> sim_edges_;  // undelayed, by sids
    std::vector<SimLink> links_;  // a handful: looked for in order
};

}  // namespace

asio::awaitable<ScenarioSummary> run_scenario(const Scenario& scenario, SimStarter& starter, ScenarioRunOptions options) {
    const auto started = std::chrono::steady_clock::now();
    WorldOptions world_options;
    world_options.time_resolution = scenario.world().time_resolution;
    world_options.max_loop_iterations = scenario.world().max_loop_iterations;
    world_options.cache = scenario.world().cache;
    world_options.start_timeout = to_clock_duration(scenario.world().start_timeout);
    if (const auto timeout = options.step_timeout ? options.step_timeout : scenario.world().step_timeout) {
        world_options.step_timeout = to_clock_duration(*timeout);
    }
    World world(world_options);
    if (options.on_step) world.on_step(options.on_step, options.step_inputs);
    // The control outlives this run; it must not keep pointing at this World.
    struct Attach {
        RunControl* control;
        ~Attach() {
            if (control) control->world_ = nullptr;
        }
    } attach{options.control.get()};
    if (options.control) options.control->world_ = &world;
    std::exception_ptr error;
    Builder builder(scenario, starter, world, options.control.get());
    try {
        co_await builder.build();
    } catch (...) {
        error = std::current_exception();
    }
    if (error) {
        co_await world.shutdown();
        std::rethrow_exception(error);
    }
    std::vector<std::pair<std::string, std::string>> entity_types;
    if (options.entity_types) entity_types = builder.entity_types();
    builder.release_entities();
    RunOptions run;
    run.lazy_stepping = scenario.world().lazy_stepping;
    run.rt_strict = scenario.world().rt_strict;
    run.rt_factor = options.rt_factor ? options.rt_factor : scenario.world().rt_factor;
    ScenarioSummary summary;
    summary.until = options.until.value_or(scenario.until());
    try {
        co_await world.run(summary.until, run);
    } catch (const ScenarioError&) {
        throw;
    } catch (const SimulationError&) {
        throw;
    } catch (const Interrupted&) {
        throw;
    } catch (const CycleError& e) {
        // The connection that closes the cycle, as the file reads it: the last edge back to the start.
        const auto& sids = e.sids();
        for (std::size_t i = sids.size() - 1; i > 0; --i) {
            if (const auto* where = builder.edge_where(sids[i - 1], sids[i])) throw ScenarioError(*where, e.what());
        }
        throw ScenarioError(scenario.until_where(), e.what());
    } catch (const ConfigError& e) {
        throw ScenarioError(scenario.until_where(), e.what());
    }
    summary.steps = world.step_counts();
    summary.links = builder.take_links();
    summary.entity_types = std::move(entity_types);
    summary.wall_time = std::chrono::steady_clock::now() - started;
    co_return summary;
}

void RunControl::interrupt(const std::string& reason) {
    if (reason_) return;
    reason_ = reason;
    if (world_) world_->interrupt(reason);
}

}  // namespace mas::mosaik
