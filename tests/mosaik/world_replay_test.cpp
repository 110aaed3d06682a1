// The orchestrator against the recorded mosaik runs: each recorded scenario is rebuilt in a World
// whose simulators answer with the recorded replies; every request the World sends must be the
// one mosaik sent to that simulator, in the same order and with the same arguments, and every
// answer to a simulator's async request must be the one mosaik gave.
#include <algorithm>
#include <deque>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "mas/core/error.hpp"
#include "mas/core/json_codec.hpp"
#include "mas/mosaik/orchestrator/world.hpp"
#include "mosaik/mosaik_peer.hpp"
#include "support/run.hpp"

using namespace mas;
using namespace mas::mosaik;

namespace {

Json read_json(const std::string& relative) {
    std::ifstream in(std::string(MAS_CONFORMANCE_DIR) + "/mosaik/" + relative);
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    return JsonCodec().decode(text.str());
}

// Lists of names compared as sets: mosaik keeps attribute pairs in a Python set, so the order of
// attributes in a get_data request is not reproducible.
Json canonical(const Json& j) {
    if (j.is_object()) {
        JsonObject out;
        for (const auto& [k, v] : j.as_object()) out.insert_or_assign(k, canonical(v));
        return Json(std::move(out));
    }
    if (j.is_array() && std::all_of(j.as_array().begin(), j.as_array().end(), [](const Json& x) { return x.is_string(); })) {
        std::set<std::string> names;
        for (const auto& x : j.as_array()) names.insert(x.as_string());
        JsonArray out;
        for (const auto& n : names) out.push_back(Json(n));
        return Json(std::move(out));
    }
    if (j.is_array()) {
        JsonArray out;
        for (const auto& x : j.as_array()) out.push_back(canonical(x));
        return Json(std::move(out));
    }
    return j;
}

// The entity graph's edges are an undirected set.
Json canonical_graph(const Json& reply) {
    if (!reply.is_object() || !reply.as_object().contains("edges")) return canonical(reply);
    std::set<std::pair<std::string, std::string>> edges;
    for (const auto& e : reply["edges"].as_array()) {
        auto a = e[0].as_string();
        auto b = e[1].as_string();
        edges.insert(a < b ? std::make_pair(a, b) : std::make_pair(b, a));
    }
    JsonArray out;
    for (const auto& [a, b] : edges) out.push_back(Json::array({a, b}));
    return Json::object({{"nodes", reply["nodes"]}, {"edges", Json(std::move(out))}});
}

class RecordedSim : public SimProxy {
public:
    RecordedSim(std::string sid, std::deque<Json> script) : sid_(std::move(sid)), script_(std::move(script)) {}

    const std::string& sid() const noexcept override { return sid_; }
    asio::awaitable<Json> init(double time_resolution, JsonObject params) override {
        params.insert_or_assign("time_resolution", time_resolution);
        auto args = Json::array({sid_});
        co_return expect("init", std::move(args), Json(std::move(params)));
    }
    asio::awaitable<Json> create(std::int64_t num, std::string model, JsonObject params) override {
        auto args = Json::array({num, model});
        co_return expect("create", std::move(args), Json(std::move(params)));
    }
    asio::awaitable<void> setup_done() override {
        expect("setup_done", Json::array(), Json::object());
        co_return;
    }
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const Json& inputs, std::int64_t max_advance, bool) override {
        auto args = Json::array({time, inputs, max_advance});
        auto reply = expect("step", std::move(args), Json::object());
        // The requests this simulator made to mosaik during that step, with mosaik's answers.
        while (!script_.empty() && script_.front()["dir"] == Json("sim->mosaik")) {
            auto request = std::move(script_.front());
            script_.pop_front();
            co_await ask(request);
        }
        if (reply.is_null()) co_return std::nullopt;
        co_return reply.get<std::int64_t>();
    }
    asio::awaitable<Json> get_data(const Json& outputs) override {
        auto args = Json::array({outputs});
        co_return expect("get_data", std::move(args), Json::object());
    }
    asio::awaitable<Json> call_extra(std::string method, JsonArray args, JsonObject kwargs) override {
        co_return expect(method, Json(std::move(args)), Json(std::move(kwargs)));
    }
    asio::awaitable<void> stop() override {
        if (!stopped_) expect("stop", Json::array(), Json::object());
        stopped_ = true;
        co_return;
    }
    void set_request_handler(AsyncRequestHandler handler) override { handler_ = std::move(handler); }

    [[nodiscard]] std::size_t left() const { return script_.size(); }

private:
    Json expect(const std::string& method, Json args, Json kwargs) {
        INFO("simulator " << sid_ << ", the World sent " << method << " " << JsonCodec().encode(args));
        REQUIRE_FALSE(script_.empty());
        auto entry = std::move(script_.front());
        script_.pop_front();
        REQUIRE(entry["dir"] == Json("mosaik->sim"));
        CHECK(entry["method"] == Json(method));
        CHECK(test::same_json(canonical(entry["args"]), canonical(args)));
        CHECK(test::same_json(entry["kwargs"], kwargs));
        if (entry["outcome"] == Json("failure")) {
            throw SimulationError(sid_, fmt::format("{}: {}", entry["reply"][0].as_string(), entry["reply"][1].as_string()),
                                  entry["reply"]);
        }
        return entry["reply"];
    }

    asio::awaitable<void> ask(const Json& request) {
        const auto& method = request["method"].as_string();
        INFO("simulator " << sid_ << " asks " << method << " " << JsonCodec().encode(request["args"]));
        std::optional<Json> answer;
        std::string failure;
        try {
            answer = co_await handler_(method, request["args"].as_array(), request["kwargs"].as_object());
        } catch (const std::exception& e) {
            failure = e.what();
        }
        if (request["outcome"] == Json("failure")) {
            CHECK_THAT(failure, Catch::Contains(request["reply"][1].as_string()));
        } else {
            REQUIRE(answer);
            CHECK(test::same_json(canonical_graph(request["reply"]), canonical_graph(*answer)));
        }
    }

    std::string sid_;
    std::deque<Json> script_;
    AsyncRequestHandler handler_;
    bool stopped_ = false;
};

struct Replay {
    asio::io_context io;
    std::map<std::string, RecordedSim*> sims;  // valid only while the World lives
    std::map<std::string, std::size_t> left;
    std::optional<std::string> failure;

    explicit Replay(const std::string& name) {
        const auto scenario = read_json("scenarios/" + name + ".json");
        const auto calls = read_json(name + ".calls.json");
        const auto& world_options = scenario["world_options"].as_object();
        WorldOptions options;
        if (const auto* tr = world_options.find("time_resolution")) options.time_resolution = tr->get<double>();
        World world(options);
        test::run(io, build(world, scenario, calls));
        RunOptions run;
        if (const auto* rt = world_options.find("rt_factor")) run.rt_factor = rt->get<double>();
        try {
            test::run(io, world.run(scenario["until"].get<std::int64_t>(), run));
        } catch (const SimulationError& e) {
            failure = e.what();
        }
        // The World owns the simulators; count what they have left before it goes.
        for (const auto& [sid, sim] : sims) left[sid] = sim->left();
    }

    asio::awaitable<void> build(World& world, const Json& scenario, const Json& calls) {
        for (const auto& sim : scenario["sims"].as_array()) {
            const auto& sid = sim["sim_id"].as_string();
            std::deque<Json> script;
            for (const auto& c : calls.as_array()) {
                if (c["sim"] == Json(sid)) script.push_back(c);
            }
            auto proxy = std::make_unique<RecordedSim>(sid, std::move(script));
            sims[sid] = proxy.get();
            co_await world.add_simulator(std::move(proxy), sim["params"].as_object());
        }
        std::map<std::string, EntityRef> entities;
        std::function<void(const EntityRef&)> remember = [&](const EntityRef& e) {
            entities.emplace(e.full_id(), e);
            for (const auto& c : e.children) remember(c);
        };
        const auto* extra_calls = scenario.as_object().find("extra_method_calls");
        const auto call_extras = [&](std::int64_t after) -> asio::awaitable<void> {
            if (!extra_calls) co_return;
            for (const auto& c : extra_calls->as_array()) {
                if (c["after_entities"].get<std::int64_t>() != after) continue;
                co_await world.call_extra(c["sim_id"].as_string(), c["method"].as_string(), c["args"].as_array(),
                                          c["kwargs"].as_object());
            }
        };
        std::int64_t groups = 0;
        co_await call_extras(groups);
        for (const auto& group : scenario["entities"].as_array()) {
            auto created = co_await world.create(group["sim_id"].as_string(), group["num"].get<std::int64_t>(),
                                                 group["model"].as_string(), group["params"].as_object());
            for (const auto& e : created) remember(e);
            co_await call_extras(++groups);
        }
        for (const auto& c : scenario["connections"].as_array()) {
            std::vector<std::pair<std::string, std::string>> attrs;
            for (const auto& pair : c["attrs"].as_array()) attrs.emplace_back(pair[0].as_string(), pair[1].as_string());
            ConnectionOptions options;
            options.time_shifted = c["time_shifted"].is_bool() ? (c["time_shifted"].get<bool>() ? 1 : 0)
                                                               : c["time_shifted"].get<std::int64_t>();
            options.weak = c["weak"].get<bool>();
            options.async_requests = c["async_requests"].get<bool>();
            options.initial_data = c["initial_data"].as_object();
            world.connect(entities.at(c["src"].as_string()), entities.at(c["dest"].as_string()), attrs, options);
        }
        if (const auto* events = scenario.as_object().find("initial_events")) {
            for (const auto& e : events->as_array()) world.set_initial_event(e["sim_id"].as_string(), e["time"].get<std::int64_t>());
        }
    }

    void check_all_played() const {
        CHECK(left.size() == sims.size());
        for (const auto& [sid, n] : left) {
            INFO("simulator " << sid);
            CHECK(n == 0);
        }
    }
};

}  // namespace

TEST_CASE("The World sends what mosaik sent in the recorded runs", "[mosaik][conformance]") {
    const auto name = GENERATE(as<std::string>{}, "a_time_based", "b_event_hybrid", "c_async_requests", "c2_set_event_rt",
                               "d_extra_methods", "f_connect_mode");
    INFO("recording " << name);
    Replay replay(name);
    CHECK_FALSE(replay.failure);
    replay.check_all_played();
}

TEST_CASE("A simulator's failure in step stops the World and every simulator, as in e_step_exception",
          "[mosaik][conformance]") {
    Replay replay("e_step_exception");
    REQUIRE(replay.failure);
    CHECK_THAT(*replay.failure, Catch::Contains("ValueError"));
    replay.check_all_played();
}
