// The orchestrator's scheduling rules against hand-computed expectations: mosaik-semantics.md's
// worked examples and mosaik's own scenario tests, with in-test simulators behind SimProxy.
#include "mas/mosaik/orchestrator/world.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "mas/core/error.hpp"
#include "mas/core/json_codec.hpp"
#include "mosaik/mosaik_peer.hpp"
#include "support/run.hpp"

using namespace mas;
using namespace mas::mosaik;

namespace {

using StepFn = std::function<std::optional<std::int64_t>(std::int64_t time, const Json& inputs, std::int64_t max_advance)>;
using DataFn = std::function<Json(const Json& request)>;

// A simulator that answers from functions, in process; records its calls.
class FakeSim : public SimProxy {
public:
    FakeSim(std::string sid, Json meta, std::string eid, StepFn step, DataFn data)
        : sid_(std::move(sid)), meta_(std::move(meta)), eid_(std::move(eid)), step_(std::move(step)),
          data_(std::move(data)) {}
    const std::string& sid() const noexcept override { return sid_; }
    asio::awaitable<Json> init(double, JsonObject) override { co_return meta_; }
    asio::awaitable<Json> create(std::int64_t num, std::string model, JsonObject) override {
        JsonArray out;
        for (std::int64_t i = 0; i < num; ++i) {
            auto eid = num == 1 ? eid_ : fmt::format("{}_{}", eid_, i);
            out.push_back(Json::object({{"eid", eid}, {"type", model}}));
        }
        co_return Json(std::move(out));
    }
    asio::awaitable<void> setup_done() override { co_return; }
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const Json& inputs, std::int64_t max_advance, bool) override {
        if (before_step) co_await before_step(time);
        co_return step_(time, inputs, max_advance);
    }
    /// Awaited at the start of each step: holds a step up as a slow simulator would.
    std::function<asio::awaitable<void>(std::int64_t time)> before_step;
    asio::awaitable<Json> get_data(const Json& outputs) override { co_return data_(outputs); }
    asio::awaitable<Json> call_extra(std::string, JsonArray, JsonObject) override { co_return Json(); }
    asio::awaitable<void> stop() override {
        ++stops;
        co_return;
    }
    void set_request_handler(AsyncRequestHandler handler) override { handler_ = std::move(handler); }
    AsyncRequestHandler handler_;
    int stops = 0;

private:
    std::string sid_;
    Json meta_;
    std::string eid_;
    StepFn step_;
    DataFn data_;
};

Json meta(const std::string& type, JsonObject model) {
    return Json::object({{"api_version", "3.0"}, {"type", type}, {"models", Json::object({{"M", Json(std::move(model))}})}});
}

// Runs a world and records its execution graph as mosaik's node names "sid~t:s" and inputs.
struct Run {
    asio::io_context io;
    World world;
    std::vector<std::string> nodes;
    std::map<std::string, Json> inputs;
    std::map<std::string, std::int64_t> max_advance;
    std::map<std::string, FakeSim*> sims;
    std::map<std::string, EntityRef> entities;

    explicit Run(WorldOptions options = {}) : world(options) {
        world.on_step([this](const StepRecord& r) {
            auto name = r.sid + "~" + r.time.to_string();
            nodes.push_back(name);
            inputs[name] = r.inputs;
            max_advance[name] = r.max_advance;
        });
    }
    void add(const std::string& sid, Json m, StepFn step, DataFn data, GroupPath group = {}) {
        auto sim = std::make_unique<FakeSim>(sid, std::move(m), sid, std::move(step), std::move(data));
        sims[sid] = sim.get();
        test::run(io, world.add_simulator(std::move(sim), {}, std::move(group)));
        entities.emplace(sid, test::run(io, world.create(sid, 1, "M")).at(0));
    }
    void connect(const std::string& a, const std::string& b, std::vector<std::pair<std::string, std::string>> attrs,
                 ConnectionOptions options = {}) {
        world.connect(entities.at(a), entities.at(b), attrs, options);
    }
    void run(std::int64_t until, RunOptions options = {}) { test::run(io, world.run(until, std::move(options))); }
    std::string graph() const { return fmt::format("{}", fmt::join(nodes, " ")); }
};

Json value_of(const std::string& eid, const std::string& attr, Json v) {
    return Json::object({{eid, Json::object({{attr, std::move(v)}})}});
}

}  // namespace

TEST_CASE("A time-based source steps an event-based sink through a trigger input (worked example 1)", "[mosaik]") {
    Run r;
    r.add("A", meta("time-based", {{"attrs", Json::array({"P"})}}),
          [](std::int64_t t, const Json&, std::int64_t) { return t + 60; },
          [](const Json&) { return value_of("A", "P", 7); });
    r.add("B", meta("event-based", {{"attrs", Json::array({"P"})}}),
          [](std::int64_t, const Json&, std::int64_t) { return std::nullopt; }, [](const Json&) { return Json::object(); });
    r.connect("A", "B", {{"P", "P"}});
    r.run(180);
    CHECK(r.graph() == "A~0 B~0 A~60 B~60 A~120 B~120");
    CHECK(test::same_json(r.inputs["B~0"], value_of("B", "P", Json::object({{"A.A", 7}}))));
    CHECK(r.max_advance["A~0"] == 180);
    CHECK(r.max_advance["B~0"] == 59);
    CHECK(r.max_advance["B~60"] == 119);
    CHECK(r.max_advance["B~120"] == 180);
    CHECK(r.sims["A"]->stops == 1);
    CHECK(r.sims["B"]->stops == 1);
}

TEST_CASE("A source outside a group triggers a simulator inside one as it would outside (worked example 1)",
          "[mosaik]") {
    // The trigger edge enters a group, where the orchestrator keeps mosaik's ancestor sets.
    Run r;
    r.add("A", meta("time-based", {{"attrs", Json::array({"P"})}}),
          [](std::int64_t t, const Json&, std::int64_t) { return t + 60; },
          [](const Json&) { return value_of("A", "P", 7); });
    r.add("B", meta("event-based", {{"attrs", Json::array({"P"})}}),
          [](std::int64_t, const Json&, std::int64_t) { return std::nullopt; }, [](const Json&) { return Json::object(); },
          GroupPath{0});
    r.connect("A", "B", {{"P", "P"}});
    r.run(180);
    CHECK(r.graph() == "A~0 B~0:0 A~60 B~60:0 A~120 B~120:0");
    CHECK(test::same_json(r.inputs["B~0:0"], value_of("B", "P", Json::object({{"A.A", 7}}))));
    CHECK(r.max_advance["B~0:0"] == 59);
    CHECK(r.max_advance["B~60:0"] == 119);
    CHECK(r.max_advance["B~120:0"] == 180);
}

TEST_CASE("A persistent value is delivered at every step, a non-persistent one once (worked examples 1 and 2)",
          "[mosaik]") {
    for (const bool persistent : {true, false}) {
        CAPTURE(persistent);
        Run r;
        auto a_model = JsonObject{{"attrs", Json::array({"P"})}};
        if (!persistent) a_model.insert_or_assign("non-persistent", Json::array({"P"}));
        r.add("A", meta("hybrid", std::move(a_model)), [](std::int64_t t, const Json&, std::int64_t) { return t + 60; },
              [](const Json&) { return value_of("A", "P", 1); });
        // B steps itself at 30 after its first step.
        r.add("B", meta("event-based", {{"attrs", Json::array({"P"})}}),
              [](std::int64_t t, const Json&, std::int64_t) -> std::optional<std::int64_t> {
                  if (t == 0) return 30;
                  return std::nullopt;
              },
              [](const Json&) { return Json::object(); });
        r.connect("A", "B", {{"P", "P"}});
        r.run(61);
        CHECK(r.graph() == "A~0 B~0 B~30 A~60 B~60");
        CHECK(r.inputs["B~0"].size() == 1);
        CHECK(r.inputs["B~30"].size() == (persistent ? 1u : 0u));
        CHECK(r.max_advance["B~30"] == 59);
    }
}

TEST_CASE("A time-shifted connection with initial data closes a loop (worked example 3)", "[mosaik]") {
    Run r;
    r.add("A", meta("time-based", {{"attrs", Json::array({"val_in", "val_out"})}}),
          [](std::int64_t t, const Json&, std::int64_t) { return t + 1; },
          [](const Json&) { return value_of("A", "val_out", 10); });
    std::int64_t b_time = 0;
    r.add("B", meta("hybrid", {{"attrs", Json::array({"val_in", "val_out"})}}),
          [&](std::int64_t t, const Json&, std::int64_t) {
              b_time = t;
              return t + 1;
          },
          [&](const Json&) { return value_of("B", "val_out", 100 + b_time); });
    r.connect("A", "B", {{"val_out", "val_in"}});
    ConnectionOptions shifted;
    shifted.time_shifted = 1;
    shifted.initial_data.insert_or_assign("val_out", -1);
    r.connect("B", "A", {{"val_out", "val_in"}}, shifted);
    r.run(2);
    CHECK(r.graph() == "A~0 B~0 A~1 B~1");
    CHECK(test::same_json(r.inputs["A~0"], value_of("A", "val_in", Json::object({{"B.B", -1}}))));
    CHECK(test::same_json(r.inputs["A~1"], value_of("A", "val_in", Json::object({{"B.B", 100}}))));
    CHECK(test::same_json(r.inputs["B~1"], value_of("B", "val_in", Json::object({{"A.A", 10}}))));
}

TEST_CASE("A time shift as long as int64 allows delays the data past the end instead of wrapping", "[mosaik]") {
    Run r;
    r.add("A", meta("time-based", {{"attrs", Json::array({"val_in", "val_out"})}}),
          [](std::int64_t t, const Json&, std::int64_t) { return t + 1; },
          [](const Json&) { return value_of("A", "val_out", 10); });
    r.add("B", meta("time-based", {{"attrs", Json::array({"val_in", "val_out"})}}),
          [](std::int64_t t, const Json&, std::int64_t) { return t + 1; },
          [](const Json&) { return value_of("B", "val_out", 20); });
    r.connect("A", "B", {{"val_out", "val_in"}});
    ConnectionOptions far;
    far.time_shifted = std::numeric_limits<std::int64_t>::max();
    far.initial_data.insert_or_assign("val_out", -1);
    r.connect("B", "A", {{"val_out", "val_in"}}, far);
    // Added to a time of 1 or 2, the shift wrapped round to a negative time: "the progress of
    // simulator A would go back from 0 to -2".
    r.run(3);
    CHECK(r.graph() == "A~0 B~0 A~1 B~1 A~2 B~2");
    CHECK(test::same_json(r.inputs["A~0"], value_of("A", "val_in", Json::object({{"B.B", -1}}))));
    CHECK(test::same_json(r.inputs["B~2"], value_of("B", "val_in", Json::object({{"A.A", 10}}))));
}

TEST_CASE("A same-time loop over a weak connection runs in sub-steps (mosaik's test_same-time_loop)", "[mosaik]") {
    Run r;
    int loop_count = 0;
    r.add("Loop",
          meta("hybrid", {{"attrs", Json::array({"loop_in", "loop_out"})},
                          {"trigger", Json::array({"loop_in"})},
                          {"non-persistent", Json::array({"loop_out"})}}),
          [&](std::int64_t t, const Json&, std::int64_t) -> std::optional<std::int64_t> {
              if (++loop_count == 3) {
                  loop_count = 0;
                  return t + 1;
              }
              return std::nullopt;
          },
          [&](const Json&) { return loop_count == 0 ? Json::object() : value_of("Loop", "loop_out", loop_count); },
          GroupPath{0});
    Json echo = 0;
    r.add("Echo", meta("event-based", {{"attrs", Json::array({"loop_in", "loop_out"})}}),
          [&](std::int64_t, const Json& inputs, std::int64_t) {
              echo = inputs["Echo"]["loop_in"]["Loop.Loop"];
              return std::nullopt;
          },
          [&](const Json&) { return value_of("Echo", "loop_out", echo); }, GroupPath{0});
    r.world.set_initial_event("Loop");
    r.connect("Loop", "Echo", {{"loop_out", "loop_in"}});
    ConnectionOptions weak;
    weak.weak = true;
    r.connect("Echo", "Loop", {{"loop_out", "loop_in"}}, weak);
    r.run(2);
    CHECK(r.graph() == "Loop~0:0 Echo~0:0 Loop~0:1 Echo~0:1 Loop~0:2 Loop~1:0 Echo~1:0 Loop~1:1 Echo~1:1 Loop~1:2");
    CHECK(test::same_json(r.inputs["Echo~0:1"], value_of("Echo", "loop_in", Json::object({{"Loop.Loop", 2}}))));
    CHECK(test::same_json(r.inputs["Loop~1:2"], value_of("Loop", "loop_in", Json::object({{"Echo.Echo", 2}}))));
}

TEST_CASE("A same-time loop that never ends fails after max_loop_iterations", "[mosaik]") {
    WorldOptions options;
    options.max_loop_iterations = 5;
    Run r(options);
    const auto model = JsonObject{{"attrs", Json::array({"x"})}};
    r.add("P", meta("event-based", model), [](std::int64_t, const Json&, std::int64_t) { return std::nullopt; },
          [](const Json&) { return value_of("P", "x", 1); }, GroupPath{0});
    r.add("Q", meta("event-based", model), [](std::int64_t, const Json&, std::int64_t) { return std::nullopt; },
          [](const Json&) { return value_of("Q", "x", 1); }, GroupPath{0});
    r.world.set_initial_event("P");
    r.connect("P", "Q", {{"x", "x"}});
    ConnectionOptions weak;
    weak.weak = true;
    r.connect("Q", "P", {{"x", "x"}}, weak);
    REQUIRE_THROWS_WITH(r.run(3), Catch::Contains("more than 5 times"));
    CHECK(r.sims["P"]->stops == 1);
    CHECK(r.sims["Q"]->stops == 1);
}

namespace {

// A FakeSim whose create() replies with `reply`, as a remote simulator could.
class ReplyingSim : public FakeSim {
public:
    ReplyingSim(std::string sid, Json meta, Json reply)
        : FakeSim(std::move(sid), std::move(meta), "", [](std::int64_t, const Json&, std::int64_t) { return std::nullopt; },
                  [](const Json&) { return Json::object(); }),
          reply_(std::move(reply)) {}
    asio::awaitable<Json> create(std::int64_t, std::string, JsonObject) override { co_return reply_; }

private:
    Json reply_;
};

}  // namespace

TEST_CASE("Entities connected again are one edge of the entity graph, read before and after more connections",
          "[mosaik]") {
    Run r;
    const auto model = JsonObject{{"attrs", Json::array({"x", "y"})}};
    const auto step = [](std::int64_t t, const Json&, std::int64_t) { return t + 1; };
    const auto data = [](const Json&) { return Json::object(); };
    for (const auto* sid : {"A", "B", "C"}) r.add(sid, meta("time-based", model), step, data);
    const auto edge = [](const char* a, const char* b) { return Json::array({a, b, Json::object()}); };
    r.connect("A", "B", {{"x", "x"}});
    r.connect("A", "B", {{"y", "y"}});
    CHECK(r.world.entity_graph()["edges"] == Json::array({edge("A.A", "B.B")}));
    r.connect("B", "C", {{"x", "x"}});
    r.connect("B", "A", {{"x", "y"}});  // the same undirected edge as A - B
    r.connect("B", "C", {{"y", "y"}});
    CHECK(r.world.entity_graph()["edges"] == Json::array({edge("A.A", "B.B"), edge("B.B", "C.C")}));
}

TEST_CASE("A create reply's children and relations reach the World, and a malformed one is a clear error", "[mosaik]") {
    const auto two_models = Json::object({{"api_version", "3.0"}, {"type", "time-based"},
                                          {"models", Json::object({{"M", Json::object({{"attrs", Json::array({"x"})}})},
                                                                   {"Part", Json::object({{"public", false}, {"attrs", Json::array({"x"})}})}})}});
    const auto create = [&](const Json& reply, std::int64_t num = 1) {
        asio::io_context io;
        World world;
        test::run(io, world.add_simulator(std::make_unique<ReplyingSim>("S", two_models, reply), {}));
        auto refs = test::run(io, world.create("S", num, "M"));
        return std::make_pair(std::move(refs), world.entity_graph());
    };
    const auto good = Json::array({
        Json::object({{"eid", "a"}, {"type", "M"}, {"rel", Json::array({"b"})}}),
        // A relation named from both sides, and twice, is one edge.
        Json::object({{"eid", "b"}, {"type", "M"}, {"rel", Json::array({"a", "a"})},
                      {"children", Json::array({Json::object({{"eid", "b.0"}, {"type", "Part"}, {"rel", Json::array({"b"})}})})}}),
    });
    const auto [refs, graph] = create(good, 2);
    REQUIRE(refs.size() == 2);
    CHECK(refs[0].full_id() == "S.a");
    CHECK(refs[0].children.empty());
    REQUIRE(refs[1].children.size() == 1);
    CHECK(refs[1].children[0].full_id() == "S.b.0");
    CHECK(refs[1].children[0].type == "Part");
    CHECK(graph["nodes"].size() == 3);
    CHECK(graph["nodes"].contains("S.b.0"));
    CHECK(graph["edges"] == Json::array({Json::array({"S.a", "S.b", Json::object()}),
                                         Json::array({"S.b.0", "S.b", Json::object()})}));

    const auto fails_with = [&](Json reply, const std::string& reason, std::int64_t num = 1) {
        INFO(JsonCodec().encode(reply));
        try {
            (void)create(reply, num);
            FAIL("create succeeded");
        } catch (const SimulationError& e) {
            CHECK(e.sid() == "S");
            CHECK_THAT(e.what(), Catch::Contains(reason));
        }
    };
    fails_with(Json::object(), "returned object of 0 keys instead of 1 entities");
    fails_with(Json::array(), "returned array of 0 elements instead of 1 entities");
    fails_with(Json::array({Json::object({{"eid", 1}, {"type", "M"}})}), "an entity must have string \"eid\" and \"type\"");
    fails_with(Json::array({Json::object({{"eid", "a"}, {"type", "N"}})}), "entity a has unknown model \"N\"");
    fails_with(Json::array({Json::object({{"eid", "a"}, {"type", "M"}, {"rel", "b"}})}),
               "entity a has a \"rel\" that is not a list of ids");
    fails_with(Json::array({Json::object({{"eid", "a"}, {"type", "M"}, {"rel", Json::array({2})}})}),
               "entity a has a \"rel\" that is not a list of ids");
    fails_with(Json::array({Json::object({{"eid", "a"}, {"type", "M"}, {"children", Json::object()}})}),
               "entity a has a \"children\" that is not a list of entities");
    fails_with(Json::array({Json::object({{"eid", "a"}, {"type", "M"}, {"children", Json::array({Json::object({{"eid", "c"}})})}})}),
               "an entity must have string \"eid\" and \"type\"");
}

TEST_CASE("Scenario mistakes are configuration errors", "[mosaik]") {
    Run r;
    const auto model = JsonObject{{"attrs", Json::array({"x"})}};
    r.add("P", meta("time-based", model), [](std::int64_t t, const Json&, std::int64_t) { return t + 1; },
          [](const Json&) { return value_of("P", "x", 1); });
    r.add("Q", meta("time-based", model), [](std::int64_t t, const Json&, std::int64_t) { return t + 1; },
          [](const Json&) { return value_of("Q", "x", 1); });
    CHECK_THROWS_WITH(r.connect("P", "Q", {{"y", "x"}}), Catch::Contains("\"y\" is not an output of P.P"));
    ConnectionOptions shifted;
    shifted.time_shifted = 1;
    CHECK_THROWS_WITH(r.connect("P", "Q", {{"x", "x"}}, shifted), Catch::Contains("needs initial_data for \"x\""));
    ConnectionOptions weak;
    weak.weak = true;
    weak.initial_data.insert_or_assign("x", 0);
    CHECK_THROWS_WITH(r.connect("P", "Q", {{"x", "x"}}, weak), Catch::Contains("weak connections may only be used"));
    r.connect("P", "Q", {{"x", "x"}});
    r.connect("Q", "P", {{"x", "x"}});
    CHECK_THROWS_WITH(r.run(3), Catch::Contains("cycle without a time shift or weak connection: P -> Q -> P"));
    CHECK(r.sims["P"]->stops == 1);
}

TEST_CASE("An event-based source with an initial event feeds a hybrid and a third simulator "
          "(where mosaik 3.3.3 fails with 'cannot progress backwards')",
          "[mosaik]") {
    Run r;
    // Gen (event-based) steps itself at 0, 2, 4, 6 and emits ev and level each time.
    r.add("Gen", meta("event-based", {{"attrs", Json::array({"ev", "level"})}}),
          [](std::int64_t t, const Json&, std::int64_t) -> std::optional<std::int64_t> {
              if (t < 6) return t + 2;
              return std::nullopt;
          },
          [](const Json&) { return Json::object({{"Gen", Json::object({{"ev", 1}, {"level", 2}})}}); });
    r.add("Hyb", meta("hybrid", {{"attrs", Json::array({"trig_in", "out"})}, {"trigger", Json::array({"trig_in"})},
                                 {"non-persistent", Json::array({"out"})}}),
          [](std::int64_t, const Json&, std::int64_t) { return std::nullopt; },
          [](const Json&) { return value_of("Hyb", "out", 3); });
    r.add("Sink", meta("event-based", {{"attrs", Json::array({"in2"})}}),
          [](std::int64_t, const Json&, std::int64_t) { return std::nullopt; }, [](const Json&) { return Json::object(); });
    r.add("Clock", meta("time-based", {{"attrs", Json::array({"tick"})}}),
          [](std::int64_t t, const Json&, std::int64_t) { return t + 1; }, [](const Json&) { return Json::object(); });
    r.world.set_initial_event("Gen");
    r.connect("Gen", "Hyb", {{"ev", "trig_in"}});
    r.connect("Hyb", "Sink", {{"out", "in2"}});
    r.run(8);
    const std::vector<std::string> expected_gen{"Gen~0", "Gen~2", "Gen~4", "Gen~6"};
    std::vector<std::string> gen;
    std::vector<std::string> sink;
    for (const auto& n : r.nodes) {
        if (n.starts_with("Gen")) gen.push_back(n);
        if (n.starts_with("Sink")) sink.push_back(n);
    }
    CHECK(gen == expected_gen);
    CHECK(sink == std::vector<std::string>{"Sink~0", "Sink~2", "Sink~4", "Sink~6"});
    CHECK(r.world.step_counts().back() == std::pair<std::string, std::int64_t>{"Clock", 8});
}

namespace {

// FakeSim whose step at `hang_at` never returns (it waits on a timer that never expires, as a
// simulator waiting for something that never comes).
class HangingSim : public FakeSim {
public:
    HangingSim(std::string sid, Json meta, std::int64_t hang_at)
        : FakeSim(sid, std::move(meta), sid, [](std::int64_t t, const Json&, std::int64_t) { return t + 1; },
                  [](const Json&) { return Json::object(); }),
          hang_at_(hang_at) {}
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const Json& inputs, std::int64_t max_advance, bool same_shape) override {
        if (time == hang_at_) {
            asio::steady_timer never(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
            co_await never.async_wait(asio::use_awaitable);
        }
        co_return co_await FakeSim::step(time, inputs, max_advance, same_shape);
    }

private:
    std::int64_t hang_at_;
};

}  // namespace

TEST_CASE("A simulator that hangs in a step fails the run after the step timeout, and all are stopped", "[mosaik]") {
    WorldOptions options;
    options.step_timeout = std::chrono::milliseconds(50);
    Run r(options);
    const auto model = JsonObject{{"attrs", Json::array({"x"})}};
    r.add("A", meta("time-based", model), [](std::int64_t t, const Json&, std::int64_t) { return t + 1; },
          [](const Json&) { return value_of("A", "x", 1); });
    auto hanging = std::make_unique<HangingSim>("H", meta("time-based", model), 2);
    auto* h = hanging.get();
    test::run(r.io, r.world.add_simulator(std::move(hanging)));
    r.entities.emplace("H", test::run(r.io, r.world.create("H", 1, "M")).at(0));
    r.connect("A", "H", {{"x", "x"}});
    REQUIRE_THROWS_WITH(r.run(10), Catch::Contains("Simulator \"H\" did not finish step 2 within the step timeout (50 ms)"));
    // H stepped at 0 and 1; A, its predecessor, has run as far as lazy stepping lets it.
    CHECK_THAT(r.graph(), Catch::Contains("H~0 ") && Catch::Contains("H~1") && !Catch::Contains("H~2"));
    CHECK(r.sims["A"]->stops == 1);
    CHECK(h->stops == 1);
}

TEST_CASE("Without lazy stepping a source runs ahead, and its successor still reads each step's value", "[mosaik]") {
    for (const bool lazy : {true, false}) {
        CAPTURE(lazy);
        Run r;
        auto a_time = std::make_shared<std::int64_t>(0);
        // Without lazy stepping, B's first step lasts until A has stepped at 3: A must not wait
        // for B (with lazy stepping it would wait, and both would wait for ever).
        asio::steady_timer a_at_3(r.io, asio::steady_timer::time_point::max());
        const auto model = JsonObject{{"attrs", Json::array({"x"})}};
        r.add("A", meta("time-based", model),
              [a_time, &a_at_3](std::int64_t t, const Json&, std::int64_t) {
                  *a_time = t;
                  if (t == 3) a_at_3.cancel();
                  return t + 1;
              },
              [a_time](const Json&) { return value_of("A", "x", *a_time * 10); });
        r.add("B", meta("time-based", model), [](std::int64_t t, const Json&, std::int64_t) { return t + 1; },
              [](const Json&) { return Json::object(); });
        if (!lazy) {
            r.sims["B"]->before_step = [&a_at_3](std::int64_t t) -> asio::awaitable<void> {
                if (t == 0) co_await a_at_3.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
            };
        }
        r.connect("A", "B", {{"x", "x"}});
        RunOptions options;
        options.lazy_stepping = lazy;
        r.run(4, options);
        if (lazy) {
            // A never gets more than one step ahead of B.
            CHECK(r.graph() == "A~0 B~0 A~1 B~1 A~2 B~2 A~3 B~3");
        } else {
            // A had nothing to wait for, so it finished while B was still in its first step.
            CHECK(r.graph() == "A~0 A~1 A~2 A~3 B~0 B~1 B~2 B~3");
        }
        // Either way B gets A's value of its own time, from A's output cache.
        for (std::int64_t t = 0; t < 4; ++t) {
            CAPTURE(t);
            CHECK(test::same_json(r.inputs[fmt::format("B~{}", t)], value_of("B", "x", Json::object({{"A.A", t * 10}}))));
        }
    }
}
