#include "mas/mosaik/controller.hpp"

#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include "example_ctrl.hpp"
#include "mas/agent/clock.hpp"
#include "mas/agent/subprocess_container.hpp"
#include "mas/mosaik/entity_agent.hpp"
#include "mosaik/mosaik_peer.hpp"
#include "mosaik/sim_session.hpp"
#include "support/run.hpp"

using namespace mas;
using namespace mas::mosaik;
using test::SimCall;

namespace {

Json init_call_args(const std::string& sid) { return Json::array({sid}); }

SimCall init(const std::string& sid, double time_resolution = 1.0) {
    return {"init", init_call_args(sid), Json::object({{"time_resolution", time_resolution}})};
}

SimCall step(std::int64_t time, Json inputs, std::int64_t max_advance = 100) {
    return {"step", Json::array({time, std::move(inputs), max_advance})};
}

SimCall get_data(Json outputs) { return {"get_data", Json::array({std::move(outputs)})}; }

Json val_in(double value) { return Json::object({{"val_in", Json::object({{"ExampleSim-0.Model_0", value}})}}); }

// An agent that, on its inputs, yields a few times before it outputs: a driver that does not wait
// for its agents sees nothing.
asio::awaitable<void> hops(int n) {
    for (int i = 0; i < n; ++i) co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
}

// Reports every `period` seconds of model time, from its own task started at creation; outputs
// `tick` with the clock's time each time it wakes.
class Ticker : public EntityAgent {
public:
    Ticker(agent::Container& c, Controller& ctl, std::string eid, double period) : EntityAgent(c, ctl, std::move(eid)) {
        start(run(period));
    }

private:
    asio::awaitable<void> run(double period) {
        for (;;) {
            co_await clock().sleep(period);
            co_await hops(3);
            output("tick", clock().time());
        }
    }
};

// Adds its input `a` to the result of a call to the agent at `remote` (add(a, 10)), with the sum
// as output `sum`; sends `a` to "Other-0.X_0" as `echo`.
class Adder : public EntityAgent {
public:
    Adder(agent::Container& c, Controller& ctl, std::string eid, std::string remote)
        : EntityAgent(c, ctl, std::move(eid)), remote_(std::move(remote)) {}
    asio::awaitable<void> on_inputs(Inputs inputs) override {
        const auto a = static_cast<int>(inputs.sum(eid(), "a"));
        if (a < 0) throw std::domain_error("negative input");
        if (!remote_.empty()) {
            auto proxy = co_await container().connect(remote_);
            auto sum = co_await proxy["add"].call<int>(a, 10);
            output("sum", sum);
        } else {
            co_await hops(5);
            output("sum", a);
        }
        send("Other-0.X_0", "echo", a);
    }

private:
    std::string remote_;
};

class TestCtrl : public Controller {
public:
    explicit TestCtrl(SimType type = SimType::hybrid, std::string remote = "", ControllerOptions options = {})
        : Controller(std::move(options)), type_(type), remote_(std::move(remote)) {}

protected:
    Meta configure(const std::string&, const JsonObject&) override {
        Meta meta(type_);
        meta.model("Ticker").params({"period"}).attrs({"tick"});
        meta.model("Adder").attrs({"a", "sum"});
        return meta;
    }
    EntityAgent& create_agent(const std::string& model, std::string eid, const JsonObject& params) override {
        if (model == "Ticker") return spawn<Ticker>(std::move(eid), params.at("period").get<double>());
        return spawn<Adder>(std::move(eid), remote_);
    }

private:
    SimType type_;
    std::string remote_;
};

}  // namespace

TEST_CASE("example-ctrl answers like the tutorial's demo controller", "[mosaik]") {
    sims::ExampleCtrl ctrl;
    const auto agents = Json::object({{"Agent_0", Json::array({"delta"})}, {"Agent_1", Json::array({"delta"})},
                                      {"Agent_2", Json::array({"delta"})}});
    auto session = test::run_session(
        ctrl, {init("ExampleCtrl-0"),
               {"create", Json::array({3, "Agent"})},
               {"setup_done", Json::array()},
               step(0, Json::object({{"Agent_0", val_in(3)}, {"Agent_1", val_in(0)}, {"Agent_2", val_in(-4)}})),
               get_data(agents),
               step(1, Json::object({{"Agent_1", val_in(2.5)}})),
               get_data(agents)});
    const auto meta = session.ok(0);
    CHECK(meta["type"] == Json("event-based"));
    CHECK(meta["models"]["Agent"]["attrs"] == Json::array({"val_in", "delta"}));
    CHECK(test::same_json(session.ok(1), Json::array({Json::object({{"eid", "Agent_0"}, {"type", "Agent"}}),
                                                      Json::object({{"eid", "Agent_1"}, {"type", "Agent"}}),
                                                      Json::object({{"eid", "Agent_2"}, {"type", "Agent"}})})));
    CHECK(session.ok(3).is_null());  // no self-step
    CHECK(test::same_json(session.ok(4), Json::object({{"time", 0},
                                                       {"Agent_0", Json::object({{"delta", -1}})},
                                                       {"Agent_2", Json::object({{"delta", 1}})}})));
    CHECK(session.ok(5).is_null());
    CHECK(test::same_json(session.ok(6), Json::object()));  // outputs belong to their step
    CHECK(session.end == ServeEnd::stopped);
}

TEST_CASE("example-ctrl rejects an agent with two val_in sources, as the tutorial does", "[mosaik]") {
    sims::ExampleCtrl ctrl;
    auto two = Json::object({{"val_in", Json::object({{"S-0.M_0", 1}, {"S-0.M_1", 2}})}});
    auto session = test::run_session(ctrl, {init("ExampleCtrl-0"),
                                            {"create", Json::array({1, "Agent"})},
                                            step(0, Json::object({{"Agent_0", two}}))});
    CHECK_THAT(session.failure(2), Catch::Contains("only one incoming connection allowed per agent"));
    CHECK(session.end == ServeEnd::stopped_after_failure);
}

TEST_CASE("A controller step runs the agents until idle and returns their next wake-up", "[mosaik]") {
    TestCtrl ctrl;
    const auto both = Json::object({{"Ticker_0", Json::array({"tick"})}, {"Ticker_1", Json::array({"tick"})}});
    // time_resolution 0.5: the agents' periods of 2 s and 3 s are 4 and 6 mosaik steps.
    auto session = test::run_session(
        ctrl, {init("Ctl-0", 0.5),
               {"create", Json::array({1, "Ticker"}), Json::object({{"period", 2.0}})},
               {"create", Json::array({1, "Ticker"}), Json::object({{"period", 3.0}})},
               step(0, Json::object()), get_data(both), step(4, Json::object()), get_data(both),
               step(6, Json::object()), get_data(both)});
    CHECK(session.ok(1)[0]["eid"] == Json("Ticker_0"));
    CHECK(session.ok(2)[0]["eid"] == Json("Ticker_1"));
    CHECK(session.ok(3) == Json(4));
    CHECK(test::same_json(session.ok(4), Json::object()));
    CHECK(session.ok(5) == Json(6));
    CHECK(test::same_json(session.ok(6), Json::object({{"time", 4}, {"Ticker_0", Json::object({{"tick", 2.0}})}})));
    CHECK(session.ok(7) == Json(8));  // Ticker_0 again at 4 s, Ticker_1 at 6 s
    CHECK(test::same_json(session.ok(8), Json::object({{"time", 6}, {"Ticker_1", Json::object({{"tick", 3.0}})}})));
}

TEST_CASE("Agents calling agents in another process finish within the step; sends go out with set_data",
          "[mosaik][integration]") {
    asio::io_context io;
    auto parent = test::run(io, agent::Container::create("tcp://127.0.0.1:0"));
    auto child = test::run(io, agent::start_subprocess_container(*parent, MAS_SUBPROC_CHILD_EXE));
    const auto callee = test::run(io, child.spawn("Callee"));
    const auto& path = callee.path();  // agents/<aid>
    TestCtrl ctrl(SimType::event_based, child.addr() + path.substr(path.rfind('/')));
    test::run(io, [&]() -> asio::awaitable<void> {
        auto served = co_await test::serve_over_tcp(ctrl);
        auto& peer = *served.mosaik;
        auto r0 = test::request(0, "init", init_call_args("Ctl-0"), Json::object({{"time_resolution", 1.0}}));
        co_await test::call(peer, std::move(r0));
        auto r1 = test::request(1, "create", Json::array({2, "Adder"}), Json::object());
        co_await test::call(peer, std::move(r1));
        auto inputs = Json::object({{"Adder_0", Json::object({{"a", Json::object({{"S-0.s", 5}})}})},
                                    {"Adder_1", Json::object({{"a", Json::object({{"S-0.s", 7}})}})}});
        auto r2 = test::request(2, "step", Json::array({3, std::move(inputs), 10}), Json::object());
        co_await test::send_frame(peer, r2);
        // Before answering step, the controller sends what its agents addressed elsewhere.
        auto set_data = co_await test::read_message(peer);
        REQUIRE(set_data[0] == Json(0));
        CHECK(set_data[1] == Json(0));  // the simulator's own request counter
        CHECK(set_data[2][0] == Json("set_data"));
        auto sent = Json::object({{"Ctl-0.Adder_0", Json::object({{"Other-0.X_0", Json::object({{"echo", 5}})}})},
                                  {"Ctl-0.Adder_1", Json::object({{"Other-0.X_0", Json::object({{"echo", 7}})}})}});
        CHECK(test::same_json(set_data[2][1][0], sent));
        auto ack = Json::array({1, set_data[1], Json()});
        co_await test::send_frame(peer, ack);
        auto stepped = co_await test::read_message(peer);
        CHECK(stepped == Json::array({1, 2, Json()}));
        auto wanted = Json::object({{"Adder_0", Json::array({"sum"})}, {"Adder_1", Json::array({"sum"})}});
        auto r3 = test::request(3, "get_data", Json::array({std::move(wanted)}), Json::object());
        auto data = co_await test::call(peer, std::move(r3));
        CHECK(test::same_json(data[2], Json::object({{"time", 3},
                                                     {"Adder_0", Json::object({{"sum", 15}})},
                                                     {"Adder_1", Json::object({{"sum", 17}})}})));
        auto stop = Json::array({0, 4, Json::array({"stop", Json::array(), Json::object()})});
        co_await test::send_frame(peer, stop);
        co_await peer.read_until_closed();
    }());
    test::run(io, child.stop());
}

TEST_CASE("Controller errors reach mosaik as failure replies", "[mosaik]") {
    SECTION("a time-based meta") {
        TestCtrl ctrl(SimType::time_based);
        auto session = test::run_session(ctrl, {init("Ctl-0")});
        CHECK_THAT(session.failure(0), Catch::Contains("event-based or hybrid"));
    }
    SECTION("an agent failing on its inputs, unknown entities and attributes") {
        TestCtrl ctrl;
        auto bad = Json::object({{"Adder_0", Json::object({{"a", Json::object({{"S-0.s", -1}})}})}});
        auto stranger = Json::object({{"Nobody", Json::object({{"a", Json::object({{"S-0.s", 1}})}})}});
        auto session = test::run_session(
            ctrl, {init("Ctl-0"), {"create", Json::array({1, "Adder"})}, step(0, bad),
                   get_data(Json::object({{"Adder_9", Json::array({"sum"})}})),
                   get_data(Json::object({{"Adder_0", Json::array({"volume"})}})), step(1, stranger),
                   step(2, Json::object())});
        CHECK_THAT(session.failure(2), Catch::Contains("negative input"));
        CHECK_THAT(session.failure(3), Catch::Contains("unknown entity \"Adder_9\""));
        CHECK_THAT(session.failure(4), Catch::Contains("unknown attribute \"volume\" of Adder_0"));
        CHECK_THAT(session.failure(5), Catch::Contains("inputs for unknown entity \"Nobody\""));
        CHECK(session.ok(6).is_null());  // the controller goes on
    }
}

TEST_CASE("A step whose agents do not become idle fails after the step timeout", "[mosaik]") {
    class Stuck : public EntityAgent {
    public:
        using EntityAgent::EntityAgent;
        asio::awaitable<void> on_inputs(Inputs) override {
            // Waits for something that is not the clock and never comes.
            asio::steady_timer never(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
            co_await never.async_wait(asio::use_awaitable);
        }
    };
    class StuckCtrl : public Controller {
    public:
        explicit StuckCtrl(ControllerOptions options) : Controller(std::move(options)) {}

    protected:
        Meta configure(const std::string&, const JsonObject&) override {
            Meta meta(SimType::event_based);
            meta.model("Stuck").attrs({"x"});
            return meta;
        }
        EntityAgent& create_agent(const std::string&, std::string eid, const JsonObject&) override {
            return spawn<Stuck>(std::move(eid));
        }
    };
    ControllerOptions options;
    options.step_timeout = std::chrono::milliseconds(100);
    StuckCtrl ctrl(options);
    auto in = Json::object({{"Stuck_0", Json::object({{"x", Json::object({{"S-0.s", 1}})}})}});
    auto session = test::run_session(ctrl, {init("Ctl-0"), {"create", Json::array({1, "Stuck"})}, step(0, in)});
    CHECK_THAT(session.failure(2), Catch::Contains("step at time 0: waiting for the agents to become idle timed out"));
}
