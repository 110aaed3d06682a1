// The World with in-process simulators, whose data never becomes JSON: outputs made from the
// request (read by their place in it), outputs filled in another order, and inputs read in place
// while steps with and without pushed values alternate; and the cache freeing what only a
// simulator that stays behind could still read, but none of its readers can.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "mas/mosaik/orchestrator/sim_starter.hpp"
#include "mas/mosaik/orchestrator/world.hpp"
#include "support/run.hpp"

using namespace mas;

namespace {

enum class Fill { request_order, reverse_order, plain };

constexpr int entity_count = 10;  // more than a few, so that ids are found by index
constexpr std::int64_t until = 12;

// Steps itself every time unit; entity i's `out` at step t is 10 t + i. `pulse` (non-persistent), -(10 t + i) - 1, is set only at
// every third step. It records the sums of `in` and `pulse_in` each of its entities received.
using Received = std::map<std::int64_t, std::map<std::string, double>>;

class Node final : public mosaik::Simulator {
public:
    explicit Node(Fill fill) : fill_(fill) {}

    mosaik::Meta init(const std::string&, double, const JsonObject&) override {
        mosaik::Meta meta(mosaik::SimType::hybrid);  // time-based models cannot have non-persistent outputs
        meta.model("N").attrs({"in", "pulse_in", "out", "pulse"}).non_persistent({"pulse"});
        return meta;
    }

    std::vector<mosaik::Entity> create(std::int64_t num, const std::string& model, const JsonObject&) override {
        std::vector<mosaik::Entity> out;
        for (std::int64_t i = 0; i < num; ++i) out.emplace_back(fmt::format("n{}", i), model);
        return out;
    }

    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs& inputs,
                                                      std::int64_t) override {
        time_ = time;
        for (int i = 0; i < entity_count; ++i) {
            const auto eid = fmt::format("n{}", i);
            if (inputs.contains(eid, "in")) received[time][eid + ".in"] = inputs.sum(eid, "in");
            if (inputs.contains(eid, "pulse_in")) received[time][eid + ".pulse_in"] = inputs.sum(eid, "pulse_in");
        }
        co_return time + 1;
    }

    mosaik::Outputs get_data(const mosaik::OutputRequest& request) override {
        std::vector<mosaik::OutputRequest::value_type> wanted(request.begin(), request.end());
        if (fill_ == Fill::reverse_order) std::reverse(wanted.begin(), wanted.end());
        auto out = fill_ == Fill::plain ? mosaik::Outputs() : mosaik::Outputs(request);
        for (const auto& [eid, attrs] : wanted) {
            const double value = 10.0 * static_cast<double>(time_) + std::stod(eid.substr(1));
            for (const auto& attr : attrs) {
                if (attr == "out") out.set(eid, attr, value);
                if (attr == "pulse" && time_ % 3 == 0) out.set(eid, attr, -value - 1);
            }
        }
        return out;
    }

    Received received;

private:
    Fill fill_;
    std::int64_t time_ = 0;
};

std::string listed(const std::map<std::string, double>& values) {
    std::string out;
    for (const auto& [key, value] : values) out += fmt::format("{}={} ", key, value);
    return out;
}

// What A and B received (the simulators go with the World).
asio::awaitable<std::pair<Received, Received>> run_pair(Fill fill) {
    std::vector<Node*> nodes;
    mosaik::SimRegistry registry;
    registry.add("Node", [fill, &nodes] {
        auto sim = std::make_unique<Node>(fill);
        nodes.push_back(sim.get());
        return sim;
    });
    mosaik::SimStarter starter(std::move(registry));
    mosaik::World world;
    std::vector<std::vector<mosaik::EntityRef>> entities;
    for (const std::string sid : {"A", "B"}) {
        auto proxy = co_await starter.start(sid, mosaik::SimConfig(mosaik::SimConfig::Kind::in_process, "Node"));
        co_await world.add_simulator(std::move(proxy));
        const std::string model = "N";
        entities.push_back(co_await world.create(sid, entity_count, model));
    }
    const std::vector<std::pair<std::string, std::string>> attrs{{"out", "in"}, {"pulse", "pulse_in"}};
    for (int i = 0; i < entity_count; ++i) world.connect(entities[0][i], entities[1][i], attrs);
    co_await world.run(until);
    co_return std::pair(nodes.at(0)->received, nodes.at(1)->received);
}

}  // namespace

TEST_CASE("In-process simulators exchange every step's values, however their outputs are filled", "[mosaik]") {
    const auto fill = GENERATE(Fill::request_order, Fill::reverse_order, Fill::plain);
    INFO("fill " << static_cast<int>(fill));
    asio::io_context io;
    const auto [at_a, received] = test::run(io, run_pair(fill));
    REQUIRE(received.size() == static_cast<std::size_t>(until));
    for (std::int64_t t = 0; t < until; ++t) {
        INFO("time " << t);
        std::map<std::string, double> expected;
        for (int i = 0; i < entity_count; ++i) {
            const double value = 10.0 * static_cast<double>(t) + i;
            expected[fmt::format("n{}.in", i)] = value;
            // Pushed at the source's step: steps with and without it alternate.
            if (t % 3 == 0) expected[fmt::format("n{}.pulse_in", i)] = -value - 1;
        }
        CHECK(listed(received.at(t)) == listed(expected));
    }
    CHECK(at_a.empty());
}

namespace {

using Stamps = std::vector<std::weak_ptr<const Json>>;  // Head's outputs, by time

// A simulator of one model with the given attributes, whose entities are named prefix0, prefix1, ...
class OneModel : public mosaik::Simulator {
public:
    OneModel(mosaik::SimType type, std::string model, std::vector<std::string> attrs, std::string prefix)
        : type_(type), model_(std::move(model)), attrs_(std::move(attrs)), prefix_(std::move(prefix)) {}
    mosaik::Meta init(const std::string&, double, const JsonObject&) override {
        mosaik::Meta meta(type_);
        meta.model(model_).attrs(attrs_);
        return meta;
    }
    std::vector<mosaik::Entity> create(std::int64_t num, const std::string& model, const JsonObject&) override {
        std::vector<mosaik::Entity> out;
        for (std::int64_t i = 0; i < num; ++i) out.emplace_back(fmt::format("{}{}", prefix_, i), model);
        return out;
    }

private:
    mosaik::SimType type_;
    std::string model_;
    std::vector<std::string> attrs_;
    std::string prefix_;
};

// Head steps every time unit and feeds Tail. Its output at t is a custom value whose repr it
// watches: the value lives as long as the World's cache (or anybody) holds it.
class Head final : public OneModel {
public:
    Head() : OneModel(mosaik::SimType::time_based, "H", {"out"}, "h") {}
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs&, std::int64_t) override {
        time_ = time;
        co_return time + 1;
    }
    mosaik::Outputs get_data(const mosaik::OutputRequest& request) override {
        auto repr = std::make_shared<const Json>(time_);
        made->push_back(repr);
        mosaik::Outputs out;
        for (const auto& [eid, attrs] : request) {
            for (const auto& attr : attrs) out.set(eid, attr, Json(JsonCustom{"Stamp", repr}));
        }
        return out;
    }
    std::shared_ptr<Stamps> made = std::make_shared<Stamps>();

private:
    std::int64_t time_ = 0;
};

// Steps every `step` time units, reads Head's value and notes how many of Head's values are
// still alive that no step from now on can read: those of times before its last step.
class Tail final : public OneModel {
public:
    Tail(std::shared_ptr<Stamps> made, std::int64_t step)
        : OneModel(mosaik::SimType::time_based, "T", {"in"}, "t"), made_(std::move(made)), step_(step) {}
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs& inputs, std::int64_t) override {
        const auto* sources = inputs.sources("t0", "in");
        got.push_back(sources && sources->size() == 1 ? sources->begin()->second.as_custom().repr->get<std::int64_t>() : -1);
        std::int64_t alive = 0;
        for (std::size_t t = 0; t < made_->size(); ++t) {
            if (!(*made_)[t].expired() && static_cast<std::int64_t>(t) < time - step_) ++alive;
        }
        stale.push_back(alive);
        co_return time + step_;
    }
    mosaik::Outputs get_data(const mosaik::OutputRequest&) override { return {}; }
    std::vector<std::int64_t> got;    // the value read at each step
    std::vector<std::int64_t> stale;  // at each step: Head's values nothing can read any more, still alive

private:
    std::shared_ptr<Stamps> made_;
    std::int64_t step_;
};

// Event-based and never triggered: it never steps, so its own reads stay at the start. It reads
// from nobody, so no cache waits for it.
class Idle final : public OneModel {
public:
    Idle() : OneModel(mosaik::SimType::event_based, "I", {"in"}, "i") {}
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t, const mosaik::Inputs&, std::int64_t) override {
        co_return std::nullopt;
    }
    mosaik::Outputs get_data(const mosaik::OutputRequest&) override { return {}; }
};

}  // namespace

TEST_CASE("A cache keeps what the simulators reading from it may still read, not what the slowest simulator may",
          "[mosaik]") {
    constexpr std::int64_t until = 30;
    // Every step, or every tenth: Head then makes ten entries for each one Tail reads.
    const std::int64_t step = GENERATE(1, 10);
    INFO("Tail steps every " << step);
    asio::io_context io;
    std::vector<std::int64_t> got;
    std::vector<std::int64_t> stale;
    test::run(io, [&]() -> asio::awaitable<void> {
        auto head_sim = std::make_unique<Head>();
        auto tail_sim = std::make_unique<Tail>(head_sim->made, step);
        auto* tail = tail_sim.get();  // the World owns it
        mosaik::SimRegistry registry;
        registry.add("Head", [&] { return std::move(head_sim); });
        registry.add("Tail", [&] { return std::move(tail_sim); });
        registry.add("Idle", [] { return std::make_unique<Idle>(); });
        mosaik::SimStarter starter(std::move(registry));
        mosaik::World world;
        co_await world.add_simulator(co_await starter.start("Idle", mosaik::SimConfig(mosaik::SimConfig::Kind::in_process, "Idle")));
        co_await world.add_simulator(co_await starter.start("Head", mosaik::SimConfig(mosaik::SimConfig::Kind::in_process, "Head")));
        co_await world.add_simulator(co_await starter.start("Tail", mosaik::SimConfig(mosaik::SimConfig::Kind::in_process, "Tail")));
        const auto h = co_await world.create("Head", 1, "H");
        const auto t = co_await world.create("Tail", 1, "T");
        world.connect(h.at(0), t.at(0), {{"out", "in"}});
        co_await world.run(until);
        got = tail->got;
        stale = tail->stale;
    }());
    REQUIRE(got.size() == static_cast<std::size_t>(until / step));
    for (std::size_t k = 0; k < got.size(); ++k) {
        const auto t = static_cast<std::int64_t>(k) * step;
        INFO("Tail's step at " << t);
        CHECK(got[k] == t);
        // The entry of the last step read may stay (mosaik keeps the newest entry at or before
        // the oldest read), and newer ones; anything older can never be read again.
        CHECK(stale[k] == 0);
    }
}
