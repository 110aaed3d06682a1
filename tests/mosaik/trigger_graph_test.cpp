// TriggerGraph against mosaik's own rule: a simulator's earliest trigger time is the minimum,
// over itself and each of its triggering ancestors, of the ancestor's next (or current) step plus
// the shortest delay from it. Random trigger graphs, with cycles, and random schedule changes.
#include "orchestrator/trigger_graph.hpp"

#include <memory>
#include <optional>
#include <random>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "mas/mosaik/orchestrator/local_sim_proxy.hpp"
#include "orchestrator/sim_runner.hpp"

using namespace mas;
using namespace mas::mosaik;
using mas::mosaik::detail::SimRunner;

namespace {

class Idle final : public Simulator {
public:
    Meta init(const std::string&, double, const JsonObject&) override { return Meta(); }
    std::vector<Entity> create(std::int64_t, const std::string&, const JsonObject&) override { return {}; }
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t, const Inputs&, std::int64_t) override {
        co_return std::nullopt;
    }
    Outputs get_data(const OutputRequest&) override { return Outputs(); }
};

using Sims = std::vector<std::unique_ptr<SimRunner>>;

// `count` simulators, all in one group (so delays have two tiers) or none.
Sims make_sims(std::size_t count, bool grouped) {
    Sims sims;
    for (std::size_t i = 0; i < count; ++i) {
        auto proxy = std::make_unique<LocalSimProxy>(fmt::format("S-{}", i), std::make_unique<Idle>());
        const GroupPath group = grouped ? GroupPath{0} : GroupPath{};
        sims.push_back(std::make_unique<SimRunner>(std::move(proxy), group, SimType::hybrid, Json::object()));
        sims.back()->start_order = i;
    }
    return sims;
}

using Time = std::optional<TieredTime>;

void lower(Time& current, const Time& candidate) {
    if (candidate && (!current || *candidate < *current)) current = candidate;
}

// mosaik's way: the shortest delay from every triggering ancestor (Floyd-Warshall over the trigger
// edges, all of one shape here), then the minimum over the ancestors' own times.
struct Reference {
    std::vector<std::vector<std::optional<TieredInterval>>> shortest;

    explicit Reference(const Sims& sims) : shortest(sims.size(), std::vector<std::optional<TieredInterval>>(sims.size())) {
        const auto n = sims.size();
        const auto relax = [](std::optional<TieredInterval>& current, const TieredInterval& candidate) {
            if (!current || candidate < *current) current = candidate;
        };
        for (const auto& sim : sims) {
            for (const auto& targets : sim->trigger_targets) {
                for (const auto& [dest, delay] : targets) relax(shortest[sim->start_order][dest->start_order], delay);
            }
        }
        for (std::size_t k = 0; k < n; ++k) {
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t j = 0; j < n; ++j) {
                    if (shortest[i][k] && shortest[k][j]) relax(shortest[i][j], *shortest[i][k] + *shortest[k][j]);
                }
            }
        }
    }

    [[nodiscard]] Time earliest(const Sims& sims, std::size_t of, bool with_current) const {
        const auto own = [&](const SimRunner& sim) {
            Time t = sim.next_steps.empty() ? Time() : Time(*sim.next_steps.begin());
            if (with_current) lower(t, sim.current_step);
            return t;
        };
        Time out = own(*sims[of]);
        for (std::size_t anc = 0; anc < sims.size(); ++anc) {
            const auto ancestor_time = own(*sims[anc]);
            if (shortest[anc][of] && ancestor_time) lower(out, *ancestor_time + *shortest[anc][of]);
        }
        return out;
    }
};

// Random trigger edges: each a time shift of 0 to 2 (never 0 on an edge closing a loop back to an
// earlier simulator, as mosaik requires of cycles) and, in a group, sometimes weak.
void connect_randomly(Sims& sims, bool grouped, std::mt19937& random) {
    const auto n = sims.size();
    const auto edges = n + random() % (2 * n);
    for (std::size_t e = 0; e < edges; ++e) {
        const auto from = random() % n;
        const auto to = random() % n;
        if (from == to) continue;
        const bool backwards = to < from;
        const std::int64_t shift = static_cast<std::int64_t>(random() % 3);
        const bool weak = grouped && random() % 2 == 0;
        const auto group = grouped ? GroupPath{0} : GroupPath{};
        const auto delay = connect_interval(group, group, backwards && !weak && shift == 0 ? 1 : shift, weak);
        sims[from]->trigger_targets.push_back({{sims[to].get(), delay}});
    }
}

TieredTime random_time(const SimRunner& sim, std::mt19937& random) {
    auto t = sim.at(static_cast<std::int64_t>(random() % 30));
    if (sim.depth > 1) t = TieredTime(Tiers{t.time(), static_cast<std::int64_t>(random() % 3)});
    return t;
}

// A schedule change as the scheduler makes them: a step scheduled, the next step begun, the
// current step ended.
void change_randomly(SimRunner& sim, std::mt19937& random) {
    switch (random() % 3) {
    case 0: sim.schedule_step(random_time(sim, random)); break;
    case 1:
        if (!sim.current_step && !sim.next_steps.empty()) {
            sim.current_step = *sim.next_steps.begin();
            sim.next_steps.erase(sim.next_steps.begin());
        }
        break;
    case 2: sim.current_step.reset(); break;
    }
}

}  // namespace

TEST_CASE("The trigger graph's earliest times are mosaik's minimum over triggering ancestors", "[mosaik]") {
    const bool grouped = GENERATE(false, true);
    std::mt19937 random(grouped ? 7 : 11);
    for (int round = 0; round < 150; ++round) {
        auto sims = make_sims(2 + random() % 10, grouped);
        connect_randomly(sims, grouped, random);
        for (auto& sim : sims) {
            for (int k = random() % 3; k > 0; --k) sim->schedule_step(random_time(*sim, random));
        }
        mosaik::detail::TriggerGraph graph;
        graph.build(sims);
        REQUIRE(graph.exact());
        const Reference reference(sims);
        for (int change = 0; change < 40; ++change) {
            graph.flush();
            const auto changed = graph.take_changed();
            for (std::size_t i = 0; i < sims.size(); ++i) {
                INFO("round " << round << ", change " << change << ", simulator " << i);
                REQUIRE(graph.earliest(*sims[i]) == reference.earliest(sims, i, true));
                REQUIRE(graph.earliest_next(*sims[i]) == reference.earliest(sims, i, false));
            }
            auto& sim = *sims[random() % sims.size()];
            change_randomly(sim, random);
            graph.mark(sim);
        }
    }
}

TEST_CASE("The trigger graph reports simulators whose earliest time moved, and only those", "[mosaik]") {
    auto sims = make_sims(4, false);
    const auto delay = connect_interval({}, {});
    sims[0]->trigger_targets.push_back({{sims[1].get(), delay}});
    sims[1]->trigger_targets.push_back({{sims[2].get(), delay}});
    for (auto& sim : sims) sim->schedule_step(sim->at(0));
    mosaik::detail::TriggerGraph graph;
    graph.build(sims);
    graph.flush();
    CHECK(graph.take_changed().size() == 4);
    // The head of the chain moves on; its successor still has its own step at 0.
    sims[0]->next_steps.clear();
    sims[0]->schedule_step(sims[0]->at(1));
    graph.mark(*sims[0]);
    graph.flush();
    const auto changed = graph.take_changed();
    REQUIRE(changed.size() == 1);
    CHECK(changed[0] == sims[0].get());
    CHECK(graph.earliest(*sims[1]) == Time(sims[1]->at(0)));
}

TEST_CASE("A trigger edge into a group leaves the trigger graph inexact", "[mosaik]") {
    auto sims = make_sims(1, false);
    auto grouped = make_sims(1, true);
    sims.push_back(std::move(grouped[0]));
    sims[1]->start_order = 1;
    sims[0]->trigger_targets.push_back({{sims[1].get(), connect_interval({}, {0})}});
    mosaik::detail::TriggerGraph graph;
    graph.build(sims);
    CHECK_FALSE(graph.exact());
}
