// The scheduler: one coroutine per simulator stepping it by mosaik 3.3's rules (mosaik's
// scheduler.py): settle the next step, wait for inputs, assemble them, step, fetch outputs,
// trigger successors, advance everyone's progress.
#include <algorithm>
#include <cmath>
#include <limits>

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "mas/core/error.hpp"
#include "mas/core/log.hpp"
#include "mas/core/with_timeout.hpp"
#include "orchestrator/orchestrator_log.hpp"
#include "orchestrator/world_impl.hpp"

namespace mas::mosaik {

namespace {

using detail::SimRunner;

}  // namespace

template <class T>
asio::awaitable<T> World::Impl::within_step_timeout(const detail::SimRunner& sim, asio::awaitable<T> call,
                                                    const char* method, std::optional<std::int64_t> time) {
    const auto what = time ? fmt::format("{} {}", method, *time) : std::string(method);
    try {
        co_return co_await with_timeout(std::move(call), *options.step_timeout, what);
    } catch (const Timeout&) {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*options.step_timeout).count();
        throw SimulationError(sim.sid, fmt::format("Simulator \"{}\" did not finish {} within the step timeout "
                                                   "({} ms)",
                                                   sim.sid, what, ms));
    }
}

asio::awaitable<void> World::Impl::run(std::int64_t until_time, RunOptions options) {
    if (ran) throw ConfigError("a World runs only once");
    ran = true;
    if (until_time <= 0) throw ConfigError(fmt::format("until must be positive, got {}", until_time));
    if (options.rt_factor && !(*options.rt_factor > 0)) {
        throw ConfigError(fmt::format("rt_factor must be positive, got {}", *options.rt_factor));
    }
    until = until_time;
    run_options = options;
    if (options.rt_factor) rt_factor = *options.rt_factor * this->options.time_resolution;
    auto executor = co_await asio::this_coro::executor;
    try {
        if (failure) std::rethrow_exception(failure);  // interrupted before the run
        check_cycles();
        for (auto& sim : sims) compile_triggers(*sim);
        triggers.build(sims);
        if (!triggers.exact()) cache_triggering_ancestors();
        for (auto& sim : sims) compile_pulls(*sim);
        for (auto& sim : sims) {
            // Kept once, as the layout in-process outputs are made from; a remote proxy makes
            // the JSON of it once.
            // The index of the request while connecting goes first: the layout's own index can
            // take its memory.
            auto request = std::move(sim->output_request);
            sim->output_request = {};
            sim->output_request_index = {};
            sim->output_layout = OutputRequest(std::move(request));
            update_oldest_read(*sim);
        }
        build_watchers();
        // The input trees of steps with pulled values only are one-off work of the setup, not of
        // a simulator's first step (they need the sources' output layouts, made just before).
        for (auto& sim : sims) {
            if (!sim->pull_plan.empty()) build_pull_skeleton(*sim);
        }
        for (auto& sim : sims) co_await sim->proxy->setup_done();
    } catch (...) {
        failure = std::current_exception();
    }
    std::size_t finished = 0;
    std::size_t spawned = 0;
    if (!failure) {
        rt_start = std::chrono::steady_clock::now();
        // Started last to first: a simulator that cannot step yet waits before its sources step,
        // so each step wakes its successors at once, and a successor reads its sources' outputs
        // right after they were made, while they are still in the cache. Started first to last,
        // the sources ran ahead before their successors had begun, and every output was read
        // only after several other steps (with thousands of entities per simulator, much of the
        // cost of a step). The order changes nothing any simulator computes.
        for (auto it = sims.rbegin(); it != sims.rend(); ++it) {
            auto& sim = *it;
            auto on_end = [this, &finished](std::exception_ptr e) {
                ++finished;
                if (e && !failure) failure = e;
                notify();
            };
            asio::co_spawn(executor, sim_process(*sim), on_end);
            ++spawned;
        }
        // The ticker is shared with its coroutine: a tick that is already due when the run ends
        // still resumes it after this block, and must find the timer and the flag alive.
        std::shared_ptr<RtTicker> ticker;
        if (rt_factor) {
            // Real time moves progress on by itself: re-evaluate every rt_factor seconds.
            ticker = std::make_shared<RtTicker>(executor);
            asio::co_spawn(executor, rt_tick(ticker), [](std::exception_ptr) {});
        }
        const detail::WakeList::Condition ended = [&] { return finished == spawned || failure; };
        while (!ended()) co_await wake.wait(ended);
        if (ticker) {
            ticker->running = false;
            ticker->timer.cancel();
        }
    }
    // Stopping closes the connections, so processes still inside a call end too.
    co_await stop_all();
    const detail::WakeList::Condition all_ended = [&] { return finished == spawned; };
    while (!all_ended()) co_await wake.wait(all_ended);
    if (failure) std::rethrow_exception(failure);
    detail::orchestrator_log()->info("simulation finished at time {}", until);
}

asio::awaitable<void> World::Impl::rt_tick(std::shared_ptr<RtTicker> ticker) {
    constexpr auto tuple = asio::experimental::as_tuple(asio::use_awaitable);
    // More often than every millisecond would only spin: no step is timed that finely.
    constexpr std::chrono::steady_clock::duration shortest = std::chrono::milliseconds(1);
    const auto period = std::max(shortest, to_clock_duration(std::chrono::duration<double>(*rt_factor)));
    for (;;) {
        ticker->timer.expires_after(period);
        auto [ec] = co_await ticker->timer.async_wait(tuple);
        // Checked first: once the run is over, this World may be gone.
        if (ec || !ticker->running) co_return;
        if (failure) co_return;
        for (auto& sim : sims) advance_progress(*sim);
        notify();
    }
}

asio::awaitable<void> World::Impl::stop_all() {
    for (auto& sim : sims) {
        if (sim->stopped) continue;
        sim->stopped = true;
        co_await sim->proxy->stop();
    }
}

asio::awaitable<void> World::Impl::sim_process(SimRunner& sim) {
    advance_progress(sim);
    for (;;) {
        // Checked here first: a coroutine that waits costs an allocation, and mostly nothing is
        // to be waited for.
        if (!step_settled(sim) && !co_await next_step_settled(sim)) break;
        if (!dependencies_done(sim)) co_await wait_for_dependencies(sim);
        sim.spare_step = sim.next_steps.extract(sim.next_steps.begin());
        sim.current_step = sim.spare_step.value();
        triggers.mark(sim);
        if (*sim.current_step != sim.progress) {
            throw SimulationError(sim.sid, fmt::format("simulator {} would step at {}, but has progressed to {}", sim.sid,
                                                       sim.current_step->to_string(), sim.progress.to_string()));
        }
        const auto& tiers = sim.current_step->tiers();
        if (std::any_of(tiers.begin() + 1, tiers.end(), [&](auto s) { return s >= options.max_loop_iterations; })) {
            throw SimulationError(sim.sid, fmt::format("simulator {} has performed a sub-step more than {} times (now "
                                                       "{}): a same-time loop that does not end? Raise "
                                                       "max_loop_iterations if it is meant to be that long",
                                                       sim.sid, options.max_loop_iterations,
                                                       sim.current_step->to_string()));
        }
        StepRecord record;
        record.sid = sim.sid;
        record.time = *sim.current_step;
        const Json& inputs = input_data(sim);
        if (observer_inputs) record.inputs = inputs;
        record.max_advance = max_advance(sim);
        const Outputs* outputs = nullptr;
        try {
            co_await step(sim, record, inputs);
            outputs = co_await get_outputs(sim);
        } catch (const SimulationError& e) {
            // The one line a user reads names the simulator, the call and the simulated time.
            if (e.sid() != sim.sid) throw;
            throw SimulationError(sim.sid, fmt::format("{} (simulated time {})", e.what(), record.time.to_string()),
                                  e.remote_failure());
        }
        sim.current_step.reset();
        triggers.mark(sim);
        if (outputs) notify_dependencies(sim, *outputs);
        advance_all();
        sim_progress = static_cast<double>(progress_total) / static_cast<double>(sims.size()) * 100.0 /
                       static_cast<double>(until);
        record.progress = sim_progress;
        if (observer) observer(record);
        notify();
    }
}

TieredTime World::Impl::progress_limit(const SimRunner& sim) const {
    TieredTime lowest = sim.at(until);
    const auto consider = [&](const TieredTime& t) {
        if (t < lowest) lowest = t;
    };
    if (triggers.exact()) {
        if (const auto& earliest = triggers.earliest(sim)) consider(*earliest);
    } else {
        for (const auto& [anc, delay] : sim.triggering_ancestors) {
            if (!anc->next_steps.empty()) consider(*anc->next_steps.begin() + delay);
            // An ancestor inside a step can still trigger at that step's time (mosaik leaves this
            // out, which lets progress race past a trigger that is still coming).
            if (anc->current_step) consider(*anc->current_step + delay);
        }
        if (!sim.next_steps.empty()) consider(*sim.next_steps.begin());
        if (sim.current_step) consider(*sim.current_step);
    }
    if (rt_factor) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - rt_start).count();
        // Real time lets progress reach until at most; a tiny factor must not count past int64.
        const double steps = std::ceil(elapsed / *rt_factor);
        consider(sim.at(steps < static_cast<double>(until) ? static_cast<std::int64_t>(steps) : until));
    }
    return lowest;
}

void World::Impl::advance_progress(SimRunner& sim) {
    triggers.flush();
    const auto next = progress_limit(sim);
    if (next == sim.progress) return;
    if (next < sim.progress) {
        throw SimulationError(sim.sid, fmt::format("the progress of simulator {} would go back from {} to {}", sim.sid,
                                                   sim.progress.to_string(), next.to_string()));
    }
    progress_total += next.time() - sim.progress.time();
    sim.progress = next;
    touch(sim);
}

void World::Impl::advance_all() {
    triggers.flush();
    // Only where an earliest trigger time moved can progress move, unless real time moves it
    // (or mosaik's ancestor sets are in use, which the trigger graph does not follow).
    const auto& changed = triggers.take_changed();
    if (rt_factor || !triggers.exact()) {
        for (auto& sim : sims) advance_progress(*sim);
        return;
    }
    for (auto* sim : changed) advance_progress(*sim);
}

void World::Impl::schedule(SimRunner& sim, const TieredTime& t) {
    if (!sim.schedule_step(t)) return;
    triggers.mark(sim);
    if (sim.newer_step) touch(sim);
}

bool World::Impl::step_settled(const SimRunner& sim) const {
    return sim.progress.time() < until && !sim.next_steps.empty() && *sim.next_steps.begin() == sim.progress;
}

asio::awaitable<bool> World::Impl::next_step_settled(SimRunner& sim) {
    while (sim.progress.time() < until) {
        if (!sim.next_steps.empty() && *sim.next_steps.begin() == sim.progress) co_return true;
        const auto seen = sim.progress;
        sim.newer_step = false;
        co_await wait_until(sim, [&] { return sim.newer_step || sim.progress != seen; });
        sim.newer_step = false;
    }
    co_return false;
}

bool World::Impl::dependencies_done(const SimRunner& sim) const {
    const auto& next = *sim.next_steps.begin();
    for (const auto& [pre, delay] : sim.input_delays) {
        if (!(pre->progress + delay > next)) return false;
    }
    for (const auto& [succ, interval] : sim.successors_to_wait_for) {
        if (succ->progress < next + interval) return false;
    }
    if (run_options.lazy_stepping) {
        for (const auto& [succ, interval] : sim.successors) {
            if (succ->progress < next + interval) return false;
        }
    }
    return true;
}

asio::awaitable<void> World::Impl::wait_for_dependencies(SimRunner& sim) {
    co_await wait_until(sim, [&] { return dependencies_done(sim); });
}

std::int64_t World::Impl::max_advance(SimRunner& sim) {
    std::int64_t lowest = until + 1;
    if (triggers.exact()) {
        triggers.flush();
        if (const auto& earliest = triggers.earliest_next(sim)) lowest = std::min(lowest, earliest->time());
        return lowest - 1;
    }
    for (const auto& [anc, delay] : sim.triggering_ancestors) {
        if (!anc->next_steps.empty()) lowest = std::min(lowest, (*anc->next_steps.begin() + delay).time());
    }
    if (!sim.next_steps.empty()) lowest = std::min(lowest, sim.next_steps.begin()->time());
    return lowest - 1;
}

asio::awaitable<void> World::Impl::step(SimRunner& sim, StepRecord& record, const Json& inputs) {
    const auto now = sim.current_step->time();
    sim.in_step = true;
    // Only an observer looks at the times: two clock reads are a noticeable part of a step.
    if (observer) record.start = std::chrono::steady_clock::now();
    // The inputs of steps with pulled values only are the same object, with new values.
    // Pulled values only: read in place from the sources' outputs, where the simulator can.
    auto call = sim.pulled_in_place
                    ? sim.proxy->step_pulled(now, sim.pull_skeleton, sim.pull_values, record.max_advance)
                    : sim.proxy->step(now, inputs, record.max_advance, &inputs == &sim.pull_skeleton);
    // Without a timeout the call is awaited directly: one coroutine frame less per step.
    std::optional<std::int64_t> next;
    if (options.step_timeout) {
        next = co_await within_step_timeout(sim, std::move(call), "step", now);
    } else {
        next = co_await std::move(call);
    }
    if (observer) record.end = std::chrono::steady_clock::now();
    sim.in_step = false;
    sim.pull_holds.clear();
    sim.last_step = *sim.current_step;
    update_oldest_read(sim);
    ++sim.steps_done;
    record.next_step = next;
    if (next) {
        if (*next <= now) {
            throw SimulationError(sim.sid, fmt::format("simulator {} returned the next step {}, which is not later "
                                                       "than the current step {}",
                                                       sim.sid, *next, now));
        }
        if (*next < until) schedule(sim, sim.at(*next));
    } else if (sim.type == SimType::time_based) {
        throw SimulationError(sim.sid, fmt::format("time-based simulator {} returned no next step at {}", sim.sid, now));
    }
    if (rt_factor) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - rt_start).count();
        const double behind = elapsed - *rt_factor * static_cast<double>(now);
        if (behind > 0 && run_options.rt_strict) {
            throw SimulationError(sim.sid, fmt::format("the simulation is too slow for the real-time factor {}",
                                                       *run_options.rt_factor));
        }
        // A few milliseconds behind is the cost of any step, not a slow simulation; and a run that
        // is behind stays behind for many steps, so one line a second says it.
        constexpr double tolerance = 0.01;
        if (behind > tolerance) {
            rt_worst_behind = std::max(rt_worst_behind, behind);
            const auto wall = std::chrono::steady_clock::now();
            if (wall - rt_last_warning >= std::chrono::seconds(1)) {
                detail::orchestrator_log()->warn("the simulation is {:.3f} s behind real time (at time {})",
                                                 rt_worst_behind, now);
                rt_last_warning = wall;
                rt_worst_behind = 0;
            }
        }
    }
}

asio::awaitable<const Outputs*> World::Impl::get_outputs(SimRunner& sim) {
    if (sim.output_layout.size() == 0) co_return nullptr;
    // What its readers have gone past goes first: an in-process simulator's outputs then take
    // over the storage of those it replaces, instead of touching new memory (with thousands of
    // entities, megabytes each step).
    prune_cache(sim);
    auto call = sim.proxy->get_outputs(sim.output_layout);
    Outputs data;
    if (options.step_timeout) {
        data = co_await within_step_timeout(sim, std::move(call), "get_data");
    } else {
        data = co_await std::move(call);
    }
    const std::int64_t output_time = data.time().value_or(sim.last_step.time());
    if (output_time < sim.last_step.time()) {
        throw SimulationError(sim.sid, fmt::format("simulator {}: output time {} is before its step time {}", sim.sid,
                                                   output_time, sim.last_step.time()));
    }
    sim.output_time = output_time == sim.current_step->time() ? *sim.current_step : sim.at(output_time);
    for (const auto& [from, targets] : sim.output_to_push) {
        const auto* value = data.find(from.first, from.second);
        if (!value) continue;
        for (const auto& target : targets) {
            target.dest->add_timed_input(detail::TimedInput{output_time + target.delay.tiers()[0], 0,
                                                            sim.full_id(from.first), target.dest_attr.first,
                                                            target.dest_attr.second, *value});
        }
    }
    if (!sim.outputs) {
        sim.data = std::move(data);
        co_return &sim.data;
    }
    auto& cache = *sim.outputs;
    auto entry = std::find_if(cache.rbegin(), cache.rend(), [&](const auto& e) { return e.first == output_time; });
    if (entry == cache.rend()) {
        if (sim.spare_outputs) {
            *sim.spare_outputs = std::move(data);
            cache.emplace_back(output_time, std::move(sim.spare_outputs));
        } else {
            cache.emplace_back(output_time, std::make_shared<Outputs>(std::move(data)));
        }
        prune_cache(sim);
        co_return cache.back().second.get();
    }
    // A later sub-step of the same time replaces it (a step still reading the old one holds it).
    entry->second = std::make_shared<Outputs>(std::move(data));
    co_return entry->second.get();
}

void World::Impl::notify_dependencies(SimRunner& sim, const Outputs& outputs) {
    if (!sim.output_time) return;
    // Scheduling a step twice changes nothing, so each list of targets is scheduled once, as soon
    // as one of its ports has a value: with all entities connected alike, that is the first one.
    for (std::size_t list = 0; list < sim.trigger_targets.size(); ++list) {
        const auto& ports = sim.trigger_ports[list];
        const bool fired = std::any_of(ports.begin(), ports.end(), [&](const Outputs::Hint& port) {
            return port_value(sim, outputs, port) != nullptr;
        });
        if (!fired) continue;
        for (const auto& [dest, delay] : sim.trigger_targets[list]) schedule(*dest, *sim.output_time + delay);
    }
}

void World::Impl::update_oldest_read(SimRunner& sim) {
    // Its next pulled read is at (its next step - shift) > last step - shift.
    const auto t = sim.last_step.time();
    sim.oldest_read = std::min(t, t + 1 - std::max<std::int64_t>(0, sim.max_pull_shift));
}

void World::Impl::prune_cache(SimRunner& sim) {
    if (!options.cache || !sim.outputs || sim.outputs->size() < 2) return;
    // Only its successors read its cache (pulled inputs and async get_data), each no further back
    // than its oldest_read: a source is pruned as its own readers go on, not held back by the
    // slowest simulator of the scenario (in a chain of a thousand simulators, whose tail lags its
    // head by many steps, that kept as many entries in every cache, and memory grew with `until`).
    auto oldest_needed = std::numeric_limits<std::int64_t>::max();
    for (const auto& [reader, delay] : sim.successors) oldest_needed = std::min(oldest_needed, reader->oldest_read);
    auto& cache = *sim.outputs;
    // Keep the newest entry at or before the oldest step still to read from, and all newer ones
    // (mosaik drops that entry too, which loses a value when lazy stepping is off). Entries older
    // than that cannot be read any more.
    std::optional<std::int64_t> keep_from;
    for (const auto& [t, data] : cache) {
        if (t <= oldest_needed && (!keep_from || t > *keep_from)) keep_from = t;
    }
    if (!keep_from) return;
    std::erase_if(cache, [&](auto& e) {
        if (e.first >= *keep_from) return false;
        if (!sim.spare_outputs && e.second.use_count() == 1) {
            // Emptied now: its storage goes back to the request's spare, for the next get_data.
            *e.second = Outputs();
            sim.spare_outputs = std::move(e.second);
        }
        return true;
    });
}

}  // namespace mas::mosaik
