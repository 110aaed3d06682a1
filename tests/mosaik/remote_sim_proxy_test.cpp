// RemoteSimProxy on the wire: the recorded mosaik transcripts replayed against a raw peer that
// plays the recorded simulator, compared byte for byte, and a misbehaving simulator.
#include "mas/mosaik/orchestrator/remote_sim_proxy.hpp"

#include <deque>
#include <fstream>
#include <set>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/io_context.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include "mas/core/json_codec.hpp"
#include "mosaik/mosaik_peer.hpp"
#include "support/raw_peer.hpp"
#include "support/run.hpp"

using namespace mas;
using mosaik::RemoteSimProxy;
using mosaik::SimulationError;

namespace {

/// The connections recorded in a transcript, in order of first appearance.
std::vector<std::string> connections(const std::string& file) {
    std::ifstream in(std::string(MAS_CONFORMANCE_DIR) + "/mosaik/" + file);
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        auto conn = JsonCodec().decode(line)["conn"].as_string();
        if (std::find(out.begin(), out.end(), conn) == out.end()) out.push_back(conn);
    }
    return out;
}

bool is_frame(const Json& line, const char* dir, std::int64_t type) {
    return !line.contains("event") && line["dir"] == Json(dir) && line["payload"][0] == Json(type);
}

/// The recorded reply (sim->mosaik or mosaik->sim as `dir` says) to request `id`, or null.
const Json* reply_to(const std::vector<Json>& lines, const char* dir, const Json& id) {
    for (const auto& line : lines) {
        if ((is_frame(line, dir, 1) || is_frame(line, dir, 2)) && line["payload"][1] == id) return &line["payload"];
    }
    return nullptr;
}

/// The recorded simulator: writes its frames as recorded and checks what the proxy sends.
asio::awaitable<void> play_simulator(test::RawPeer& peer, const std::vector<Json>& lines) {
    for (const auto& line : lines) {
        if (line.contains("event")) {
            if (line["event"] == Json("eof") && line["dir"] == Json("sim->mosaik")) peer.shutdown_send();
            if (line["event"] == Json("eof") && line["dir"] == Json("mosaik->sim")) {
                auto end = co_await peer.read_until_closed();
                CHECK(end.data.empty());
            }
            continue;
        }
        const auto& raw = line["raw"].as_string();
        if (line["dir"] == Json("sim->mosaik")) {
            const auto frame = test::raw_frame(raw);
            co_await peer.write(frame);
            continue;
        }
        auto frame = co_await peer.read_frame();
        const auto& recorded = line["payload"];
        INFO("seq " << line["seq"].describe() << ": sent " << frame.payload << ", recorded " << raw);
        if (recorded[0] == Json(2)) {
            // mosaik's own failure: the traceback lines are Python's.
            auto actual = JsonCodec().decode(frame.payload);
            CHECK(actual[0] == recorded[0]);
            CHECK(actual[1] == recorded[1]);
            CHECK(actual[2][0] == recorded[2][0]);
            CHECK(actual[2][1] == recorded[2][1]);
        } else {
            CHECK(frame.payload == raw);
        }
    }
}

asio::awaitable<Json> call(mosaik::SimProxy& proxy, std::string method, JsonArray args, JsonObject kwargs) {
    if (method == "init") {
        const double resolution = kwargs.at("time_resolution").get<double>();
        kwargs.erase("time_resolution");
        co_return co_await proxy.init(resolution, std::move(kwargs));
    }
    if (method == "create") {
        auto model = args[1].as_string();
        co_return co_await proxy.create(args[0].get<std::int64_t>(), std::move(model), std::move(kwargs));
    }
    if (method == "setup_done") {
        co_await proxy.setup_done();
        co_return Json();
    }
    if (method == "step") {
        auto next = co_await proxy.step(args[0].get<std::int64_t>(), args[1], args[2].get<std::int64_t>(), false);
        co_return next ? Json(*next) : Json();
    }
    if (method == "get_data") co_return co_await proxy.get_data(args[0]);
    co_return co_await proxy.call_extra(std::move(method), std::move(args), std::move(kwargs));
}

/// mosaik's side: the recorded requests made through the proxy, each result checked against the
/// recorded reply; the simulator's requests answered with mosaik's recorded replies.
asio::awaitable<void> play_mosaik(RemoteSimProxy& proxy, const std::vector<Json>& lines) {
    auto requests = std::make_shared<std::deque<const Json*>>();
    for (const auto& line : lines) {
        if (is_frame(line, "sim->mosaik", 0)) requests->push_back(&line["payload"]);
    }
    mosaik::AsyncRequestHandler handler = [requests, &lines, sid = proxy.sid()](const std::string& method, const JsonArray& args,
                                                             const JsonObject& kwargs) -> asio::awaitable<Json> {
        REQUIRE_FALSE(requests->empty());
        const auto& recorded = *requests->front();
        requests->pop_front();
        CHECK(recorded[2] == Json::array({method, Json(args), Json(kwargs)}));
        const auto* reply = reply_to(lines, "mosaik->sim", recorded[1]);
        REQUIRE(reply);
        if ((*reply)[0] == Json(2)) throw SimulationError(sid, (*reply)[2][1].as_string());
        co_return (*reply)[2];
    };
    proxy.set_request_handler(handler);
    for (const auto& line : lines) {
        if (!is_frame(line, "mosaik->sim", 0)) continue;
        const auto& content = line["payload"][2];
        if (content[0] == Json("stop")) {
            co_await proxy.stop();
            continue;
        }
        const auto* reply = reply_to(lines, "sim->mosaik", line["payload"][1]);
        REQUIRE(reply);
        std::optional<Json> result;
        std::optional<SimulationError> error;
        try {
            result = co_await call(proxy, content[0].as_string(), content[1].as_array(), content[2].as_object());
        } catch (const SimulationError& e) {
            error = e;
        }
        INFO("request " << JsonCodec().encode(content));
        if ((*reply)[0] == Json(1)) {
            REQUIRE(result);
            CHECK(test::same_json(*result, (*reply)[2]));
        } else {
            REQUIRE(error);
            CHECK(error->remote_failure() == (*reply)[2]);
            CHECK_THAT(error->what(), Catch::Contains("failed in " + content[0].as_string()));
        }
    }
    CHECK(requests->empty());
}

/// A proxy connected to a raw peer on 127.0.0.1.
struct WirePair {
    std::unique_ptr<RemoteSimProxy> proxy;
    std::shared_ptr<test::RawPeer> sim;
};

asio::awaitable<WirePair> wire_pair(std::string sid) {
    auto executor = co_await asio::this_coro::executor;
    test::RawListener listener(executor);
    auto channel = co_await open_connection(listener.endpoint());
    WirePair pair;
    pair.sim = std::make_shared<test::RawPeer>(co_await listener.accept());
    pair.proxy = std::make_unique<RemoteSimProxy>(std::move(sid), std::move(channel));
    co_return pair;
}

/// Runs `a` and `b` concurrently and rethrows the first failure.
asio::awaitable<void> both(asio::awaitable<void> a, asio::awaitable<void> b) {
    namespace ex = asio::experimental;
    auto executor = co_await asio::this_coro::executor;
    auto group = ex::make_parallel_group(asio::co_spawn(executor, std::move(a), ex::deferred),
                                         asio::co_spawn(executor, std::move(b), ex::deferred));
    auto [order, error_a, error_b] = co_await group.async_wait(ex::wait_for_all(), asio::use_awaitable);
    (void)order;
    if (error_a) std::rethrow_exception(error_a);
    if (error_b) std::rethrow_exception(error_b);
}

void replay(const std::string& file, const std::string& conn) {
    const auto lines = test::transcript(file, conn);
    REQUIRE_FALSE(lines.empty());
    asio::io_context io;
    auto pair = test::run(io, wire_pair(conn + "-0"));
    test::run(io, both(play_mosaik(*pair.proxy, lines), play_simulator(*pair.sim, lines)));
}

}  // namespace

TEST_CASE("A RemoteSimProxy sends mosaik's recorded frames byte for byte and reads the replies as mosaik did",
          "[mosaik][conformance]") {
    const std::string file = GENERATE("a_time_based.jsonl", "b_event_hybrid.jsonl", "c_async_requests.jsonl",
                                      "c2_set_event_rt.jsonl", "d_extra_methods.jsonl", "e_step_exception.jsonl",
                                      "f_connect_mode.jsonl");
    for (const auto& conn : connections(file)) {
        CAPTURE(file, conn);
        replay(file, conn);
    }
}

TEST_CASE("A RemoteSimProxy rejects replies of the wrong kind with a SimulationError", "[mosaik]") {
    asio::io_context io;
    auto pair = test::run(io, wire_pair("Odd-0"));
    test::run(io, [&]() -> asio::awaitable<void> {
        // The simulator answers every request with a reply of the wrong kind.
        auto answer_wrongly = [](std::shared_ptr<test::RawPeer> sim) -> asio::awaitable<void> {
            const std::vector<Json> replies{Json("a meta?"), Json::object(), Json("soon"), Json(2.5),
                                            Json(std::uint64_t(1) << 63), Json::array()};
            for (const auto& reply : replies) {
                auto request = co_await test::read_message(*sim);
                auto message = Json::array({1, request[1], reply});
                co_await test::send_frame(*sim, message);
            }
        };
        auto executor = co_await asio::this_coro::executor;
        asio::co_spawn(executor, answer_wrongly(pair.sim), asio::detached);
        JsonObject none;
        auto init = pair.proxy->init(1.0, none);
        CHECK_THROWS_WITH(co_await std::move(init),
                          "Simulator \"Odd-0\" sent an invalid reply to init: expected a meta object, got string \"a meta?\"");
        std::string model = "M";
        auto create = pair.proxy->create(1, std::move(model), none);
        CHECK_THROWS_WITH(co_await std::move(create), Catch::Contains("invalid reply to create"));
        for (int i = 0; i < 3; ++i) {
            auto inputs = Json::object();
            auto step = pair.proxy->step(0, std::move(inputs), 1, false);
            CHECK_THROWS_AS(co_await std::move(step), SimulationError);
        }
        auto outputs = Json::object();
        auto data = pair.proxy->get_data(std::move(outputs));
        CHECK_THROWS_WITH(co_await std::move(data), Catch::Contains("invalid reply to get_data"));
    }());
}

TEST_CASE("A simulator that closes its connection during a step fails the step, it does not hang", "[mosaik]") {
    asio::io_context io;
    auto pair = test::run(io, wire_pair("Gone-0"));
    test::run(io, [&]() -> asio::awaitable<void> {
        auto vanish = [](std::shared_ptr<test::RawPeer> sim) -> asio::awaitable<void> {
            co_await test::read_message(*sim);
            sim->close();
        };
        auto executor = co_await asio::this_coro::executor;
        asio::co_spawn(executor, vanish(pair.sim), asio::detached);
        auto inputs = Json::object();
        auto step = pair.proxy->step(0, std::move(inputs), 1, false);
        CHECK_THROWS_WITH(co_await std::move(step), "Simulator \"Gone-0\" closed its connection (during step)");
        auto again = pair.proxy->setup_done();
        CHECK_THROWS_WITH(co_await std::move(again), Catch::Contains("closed its connection"));
        co_await pair.proxy->stop();
    }());
}

TEST_CASE("stop does not wait for a simulator that neither replies nor closes", "[mosaik]") {
    asio::io_context io;
    auto pair = test::run(io, wire_pair("Mute-0"));
    test::run(io, [&]() -> asio::awaitable<void> {
        auto executor = co_await asio::this_coro::executor;
        auto check_stop = [](std::shared_ptr<test::RawPeer> sim) -> asio::awaitable<void> {
            auto stop = co_await test::read_message(*sim);
            CHECK(stop == Json::array({0, 0, Json::array({"stop", Json::array(), Json::object()})}));
            auto end = co_await sim->read_until_closed();  // the proxy closes after its short wait
            CHECK(end.data.empty());
        };
        auto stop = pair.proxy->stop();
        co_await both(check_stop(pair.sim), std::move(stop));
        CHECK_FALSE(pair.proxy->channel().is_open());
    }());
}

TEST_CASE("A malformed request from a simulator gets a failure reply and serving goes on", "[mosaik]") {
    asio::io_context io;
    auto pair = test::run(io, wire_pair("Odd-0"));
    mosaik::AsyncRequestHandler handler = [](const std::string& method, const JsonArray&,
                                             const JsonObject&) -> asio::awaitable<Json> { co_return Json(method); };
    pair.proxy->set_request_handler(handler);
    test::run(io, [&]() -> asio::awaitable<void> {
        auto& sim = *pair.sim;
        auto bad = Json::array({0, 0, Json::array({"get_progress", Json::array()})});
        co_await test::send_frame(sim, bad);
        auto failure = co_await test::read_message(sim);
        CHECK(failure[0] == Json(2));
        CHECK(failure[1] == Json(0));
        CHECK(failure[2][0] == Json("TypeError"));
        auto good = test::request(1, "get_progress", Json::array(), Json::object());
        auto reply = co_await test::call(sim, std::move(good));
        CHECK(reply == Json::array({1, 1, "get_progress"}));
    }());
}
