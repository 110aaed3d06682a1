// The SimProxy contract, run against every way a simulator can be reached: in-process
// (LocalSimProxy), a served class over TCP, the example-sim executable started by `cmd`, and
// example-sim --remote reached by `connect`.
#include "mas/mosaik/orchestrator/sim_proxy.hpp"

#include <stdexcept>

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "example_sim.hpp"
#include "integration/child_process.hpp"
#include "mas/channel/server.hpp"
#include "mas/mosaik/orchestrator/local_sim_proxy.hpp"
#include "mas/mosaik/orchestrator/remote_sim_proxy.hpp"
#include "mas/mosaik/orchestrator/sim_starter.hpp"
#include "mas/mosaik/serve.hpp"
#include "mosaik/mosaik_peer.hpp"
#include "support/run.hpp"

using namespace mas;
using mosaik::SimProxy;
using mosaik::SimulationError;

namespace {

constexpr auto guard = std::chrono::seconds(30);

/// Asks mosaik for its progress and sends data in every step; set_event's failure is kept.
class AsyncProbe : public mosaik::Simulator {
public:
    mosaik::Meta init(const std::string&, double, const JsonObject&) override {
        mosaik::Meta meta;
        meta.model("Probe").attrs({"progress", "event_error"});
        return meta;
    }
    std::vector<mosaik::Entity> create(std::int64_t, const std::string& model, const JsonObject&) override {
        return {mosaik::Entity("Probe_0", model)};
    }
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs&,
                                                      std::int64_t) override {
        progress_ = co_await mosaik().get_progress();
        auto data = Json::object({{"Probe-0.Probe_0", Json::object({{"Node-0.Node_0", Json::object({{"in", time}})}})}});
        co_await mosaik().set_data(std::move(data));
        try {
            co_await mosaik().set_event(time + 1);
        } catch (const mosaik::MosaikError& e) {
            event_error_ = e.type_name() + ": " + e.message();
        }
        co_return time + 1;
    }
    mosaik::Outputs get_data(const mosaik::OutputRequest&) override {
        mosaik::Outputs out;
        out.set("Probe_0", "progress", progress_).set("Probe_0", "event_error", event_error_);
        return out;
    }

private:
    double progress_ = -1;
    std::string event_error_;
};

/// A simulator whose step fails.
class FailingSim : public AsyncProbe {
public:
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs&,
                                                      std::int64_t) override {
        if (time >= 0) throw std::invalid_argument("deliberate failure at " + std::to_string(time));
        co_return std::nullopt;
    }
};

enum class Way { in_process, served_class, cmd, connect };

std::string to_string(Way way) {
    switch (way) {
    case Way::in_process: return "in-process";
    case Way::served_class: return "served class";
    case Way::cmd: return "cmd";
    case Way::connect: return "connect";
    }
    return "?";
}

asio::awaitable<void> serve_shared(Channel channel, std::shared_ptr<mosaik::Simulator> sim) {
    co_await mosaik::serve(std::move(channel), *sim);
}

/// What a test needs alive while it drives a proxy.
struct Rig {
    asio::io_context io;
    std::optional<Server> server;
    std::optional<test::ChildProcess> child;

    /// A served simulator class over TCP on 127.0.0.1, as a RemoteSimProxy.
    asio::awaitable<std::unique_ptr<SimProxy>> served(std::string sid, std::shared_ptr<mosaik::Simulator> sim) {
        ClientConnected on_connect = [sim](Channel channel) { return serve_shared(std::move(channel), sim); };
        auto listen = Endpoint::tcp("127.0.0.1", 0);
        server = co_await start_server(std::move(listen), std::move(on_connect));
        auto channel = co_await open_connection(server->endpoint());
        co_return std::make_unique<mosaik::RemoteSimProxy>(std::move(sid), std::move(channel));
    }

    /// ExampleSim reached the way `way` says.
    std::unique_ptr<SimProxy> example_sim(Way way) {
        const std::string sid = "ExampleSim-0";
        mosaik::SimRegistry registry;
        registry.add("ExampleSim", [] { return std::make_unique<sims::ExampleSim>(); });
        mosaik::SimStarter starter(std::move(registry));
        switch (way) {
        case Way::in_process:
            return test::run(io, starter.start(sid, mosaik::SimConfig(mosaik::SimConfig::Kind::in_process, "ExampleSim")));
        case Way::served_class: return test::run(io, served(sid, std::make_shared<sims::ExampleSim>()));
        case Way::cmd:
            return test::run(io, starter.start(sid, mosaik::SimConfig(mosaik::SimConfig::Kind::cmd,
                                                                      std::string(MAS_EXAMPLE_SIM_EXE) + " %(addr)s")));
        case Way::connect: break;
        }
        child.emplace(MAS_EXAMPLE_SIM_EXE, std::vector<std::string>{"--remote", "127.0.0.1:0", "-t", "30"});
        std::optional<std::string> line;
        while ((line = child->read_line(test::Stream::err, guard)) &&
               line->find("waiting for mosaik") == std::string::npos) {
        }
        REQUIRE(line);
        const auto port = line->substr(line->rfind(':') + 1);
        return test::run(io, starter.start(sid, mosaik::SimConfig(mosaik::SimConfig::Kind::connect, "127.0.0.1:" + port)));
    }
};

/// A whole run of ExampleSim through a proxy, with the replies example-sim gives mosaik.
asio::awaitable<void> drive_example_sim(SimProxy& proxy) {
    auto params = JsonObject{{"eid_prefix", "Model_"}};
    auto meta = co_await proxy.init(1.0, std::move(params));
    CHECK(meta["type"] == Json("hybrid"));
    CHECK(meta["models"]["ExampleModel"]["trigger"] == Json::array({"delta"}));
    auto model_params = JsonObject{{"init_val", 2}};
    std::string model = "ExampleModel";
    auto created = co_await proxy.create(2, std::move(model), std::move(model_params));
    CHECK(created == Json::array({Json::object({{"eid", "Model_0"}, {"type", "ExampleModel"}}),
                                  Json::object({{"eid", "Model_1"}, {"type", "ExampleModel"}})}));
    co_await proxy.setup_done();
    auto inputs = Json::object({{"Model_1", Json::object({{"delta", Json::object({{"Agent-0.a", -1}, {"Agent-0.b", -2}})}})}});
    auto next = co_await proxy.step(0, std::move(inputs), 10, false);
    CHECK(next == std::optional<std::int64_t>(1));
    auto request = Json::object({{"Model_0", Json::array({"val", "delta"})}, {"Model_1", Json::array({"val"})}});
    auto data = co_await proxy.get_data(std::move(request));
    auto expected = Json::object({{"time", 0},
                                  {"Model_0", Json::object({{"val", 3}, {"delta", 1}})},
                                  {"Model_1", Json::object({{"val", -1}})}});
    CHECK(test::same_json(data, expected));
    co_await proxy.stop();
    co_await proxy.stop();  // idempotent
}

/// The proxy of simulator `sid` for `sim`, in-process or served over TCP.
std::unique_ptr<SimProxy> proxy_for(Rig& rig, bool remote, std::string sid, std::unique_ptr<mosaik::Simulator> sim) {
    if (!remote) return std::make_unique<mosaik::LocalSimProxy>(std::move(sid), std::move(sim));
    return test::run(rig.io, rig.served(std::move(sid), std::shared_ptr<mosaik::Simulator>(std::move(sim))));
}

}  // namespace

TEST_CASE("Every kind of proxy drives example-sim through a whole run with the same replies", "[mosaik][integration]") {
    const auto way = GENERATE(Way::in_process, Way::served_class, Way::cmd, Way::connect);
    CAPTURE(to_string(way));
    Rig rig;
    auto proxy = rig.example_sim(way);
    CHECK(proxy->sid() == "ExampleSim-0");
    test::run(rig.io, drive_example_sim(*proxy));
    if (way == Way::cmd) {
        const auto* process = dynamic_cast<mosaik::RemoteSimProxy&>(*proxy).process();
        REQUIRE(process);
        REQUIRE(process->exit_status());
        CHECK(process->exit_status()->success());
    }
    if (way == Way::connect) {
        CAPTURE(rig.child->output(test::Stream::err));
        CHECK(rig.child->wait(guard).success());
    }
}

TEST_CASE("A simulator's async requests during step reach the handler and get its answers", "[mosaik]") {
    const bool remote = GENERATE(false, true);
    CAPTURE(remote);
    Rig rig;
    auto proxy = proxy_for(rig, remote, "Probe-0", std::make_unique<AsyncProbe>());
    std::vector<Json> seen;
    mosaik::AsyncRequestHandler handler = [&](const std::string& method, const JsonArray& args,
                                              const JsonObject& kwargs) -> asio::awaitable<Json> {
        seen.push_back(Json::array({method, Json(args), Json(kwargs)}));
        if (method == "get_progress") co_return Json(42.5);
        if (method == "set_event") {
            throw SimulationError("Probe-0", "Simulator 'Probe-0' tried to set an event in non-real-time mode.");
        }
        co_return Json();
    };
    proxy->set_request_handler(handler);
    test::run(rig.io, [&]() -> asio::awaitable<void> {
        JsonObject none;
        co_await proxy->init(1.0, none);
        std::string model = "Probe";
        co_await proxy->create(1, std::move(model), none);
        co_await proxy->setup_done();
        auto inputs = Json::object();
        auto next = co_await proxy->step(3, std::move(inputs), 10, false);
        CHECK(next == std::optional<std::int64_t>(4));
        auto request = Json::object({{"Probe_0", Json::array({"progress", "event_error"})}});
        auto data = co_await proxy->get_data(std::move(request));
        CHECK(data["Probe_0"]["progress"] == Json(42.5));
        CHECK(data["Probe_0"]["event_error"] ==
              Json("SimulationError: Simulator 'Probe-0' tried to set an event in non-real-time mode."));
        co_await proxy->stop();
    }());
    REQUIRE(seen.size() == 3);
    CHECK(seen[0] == Json::array({"get_progress", Json::array(), Json::object()}));
    auto data = Json::object({{"Probe-0.Probe_0", Json::object({{"Node-0.Node_0", Json::object({{"in", 3}})}})}});
    CHECK(seen[1] == Json::array({"set_data", Json::array({data}), Json::object()}));
    CHECK(seen[2] == Json::array({"set_event", Json::array({4}), Json::object()}));
}

TEST_CASE("Without a handler a simulator's async request fails and the step can go on", "[mosaik]") {
    const bool remote = GENERATE(false, true);
    CAPTURE(remote);
    Rig rig;
    auto proxy = proxy_for(rig, remote, "Probe-0", std::make_unique<AsyncProbe>());
    test::run(rig.io, [&]() -> asio::awaitable<void> {
        JsonObject none;
        co_await proxy->init(1.0, none);
        // get_progress is not caught by the probe: its failure fails the step.
        auto inputs = Json::object();
        auto step = proxy->step(0, std::move(inputs), 10, false);
        CHECK_THROWS_WITH(co_await std::move(step), Catch::Contains("nobody answers requests from simulators"));
        co_await proxy->stop();
    }());
}

TEST_CASE("A simulator's exception becomes a SimulationError naming it, with the failure content", "[mosaik]") {
    const bool remote = GENERATE(false, true);
    CAPTURE(remote);
    Rig rig;
    auto proxy = proxy_for(rig, remote, "Fail-0", std::make_unique<FailingSim>());
    test::run(rig.io, [&]() -> asio::awaitable<void> {
        JsonObject none;
        co_await proxy->init(1.0, none);
        std::optional<SimulationError> error;
        try {
            auto inputs = Json::object();
            co_await proxy->step(2, std::move(inputs), 10, false);
        } catch (const SimulationError& e) {
            error = e;
        }
        REQUIRE(error);
        CHECK(error->sid() == "Fail-0");
        CHECK(std::string(error->what()) ==
              "Simulator \"Fail-0\" failed in step: std::invalid_argument: deliberate failure at 2");
        const auto& content = error->remote_failure();
        REQUIRE(content.size() >= 3);
        CHECK(content[0] == Json("std::invalid_argument"));
        CHECK(content[1] == Json("deliberate failure at 2"));
        CHECK(content[2] == Json("Traceback (most recent call last):\n"));
        // The checks serve() makes hold in-process too.
        std::string model = "Nope";
        auto bad_model = proxy->create(1, std::move(model), none);
        CHECK_THROWS_WITH(co_await std::move(bad_model),
                          "Simulator \"Fail-0\" failed in create: ValueError: create(): unknown model 'Nope'");
        std::string method = "describe";
        auto extra = proxy->call_extra(std::move(method), JsonArray(), none);
        CHECK_THROWS_WITH(co_await std::move(extra), "Simulator \"Fail-0\" failed in describe: KeyError: 'describe'");
        co_await proxy->stop();
    }());
}

TEST_CASE("An in-process simulator with an invalid meta fails init with Meta::validate's reason", "[mosaik]") {
    class BadMeta : public AsyncProbe {
    public:
        mosaik::Meta init(const std::string&, double, const JsonObject&) override {
            mosaik::Meta meta;
            meta.model("step");  // collides with the API
            return meta;
        }
    };
    asio::io_context io;
    mosaik::LocalSimProxy proxy("Bad-0", std::make_unique<BadMeta>());
    JsonObject none;
    CHECK_THROWS_WITH(test::run(io, proxy.init(1.0, none)),
                      Catch::StartsWith("Simulator \"Bad-0\" failed in init: mas::ConfigError: "));
    test::run(io, proxy.stop());
}

namespace {

/// Notes at every step whether its inputs were marked as shaped like the step before's.
class ShapeProbe : public AsyncProbe {
public:
    explicit ShapeProbe(std::vector<bool>& seen) : seen_(seen) {}
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs& inputs,
                                                      std::int64_t) override {
        seen_.push_back(inputs.same_shape());
        co_return time + 1;
    }

private:
    std::vector<bool>& seen_;
};

}  // namespace

TEST_CASE("An in-process simulator learns that a step's inputs are the last step's keys with new values", "[mosaik]") {
    std::vector<bool> seen;
    mosaik::LocalSimProxy proxy("Probe-0", std::make_unique<ShapeProbe>(seen));
    asio::io_context io;
    test::run(io, [&]() -> asio::awaitable<void> {
        JsonObject none;
        co_await proxy.init(1.0, none);
        const auto a = Json::object({{"Probe_0", Json::object({{"in", Json::object({{"X-0.X_0", 1}})}})}});
        const auto b = Json::object({{"Probe_0", Json::object({{"in", Json::object({{"X-0.X_1", 2}})}})}});
        co_await proxy.step(0, a, 10, false);  // first sight
        co_await proxy.step(1, a, 10, true);   // the same object again, as the World promises
        co_await proxy.step(2, b, 10, true);   // another object: its keys are not known
        co_await proxy.step(3, b, 10, false);  // the World does not promise it
        co_await proxy.step(4, b, 10, true);
        co_await proxy.stop();
    }());
    CHECK(seen == std::vector<bool>{false, true, false, false, true});
}
