// example-sim as a real process, driven over TCP on 127.0.0.1 by a scripted mosaik, and its
// class in process, stepped with every shape of inputs.
#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "example_sim.hpp"
#include "integration/child_process.hpp"
#include "mas/core/json.hpp"
#include "mas/core/json_codec.hpp"
#include "mas/mosaik/orchestrator/local_sim_proxy.hpp"
#include "mosaik/mosaik_peer.hpp"
#include "support/run.hpp"

using namespace mas;
using test::call;

namespace {

constexpr auto guard = std::chrono::seconds(30);

// init, create, setup_done, step (with a delta input), get_data, stop, as mosaik would send them.
asio::awaitable<void> drive(test::RawPeer& peer) {
    auto request_1 = test::request(0, "init", Json::array({"ExampleSim-0"}),
                              Json::object({{"time_resolution", 1.0}, {"eid_prefix", "Model_"}}));
    auto init = co_await call(peer, std::move(request_1));
    CHECK(init[2]["type"] == Json("hybrid"));
    CHECK(init[2]["models"]["ExampleModel"]["trigger"] == Json::array({"delta"}));
    auto request_2 = test::request(1, "create", Json::array({2, "ExampleModel"}), Json::object({{"init_val", 2}}));
    auto created = co_await call(peer, std::move(request_2));
    CHECK(created == Json::array({1, 1, Json::array({Json::object({{"eid", "Model_0"}, {"type", "ExampleModel"}}),
                                                     Json::object({{"eid", "Model_1"}, {"type", "ExampleModel"}})})}));
    auto request_3 = test::request(2, "setup_done", Json::array(), Json::object());
    auto done = co_await call(peer, std::move(request_3));
    CHECK(done == Json::array({1, 2, nullptr}));
    auto inputs = Json::object({{"Model_1", Json::object({{"delta", Json::object({{"Agent-0.a", -1}, {"Agent-0.b", -2}})}})}});
    auto request_4 = test::request(3, "step", Json::array({0, inputs, 10}), Json::object());
    auto step = co_await call(peer, std::move(request_4));
    CHECK(step == Json::array({1, 3, 1}));
    auto request = Json::object({{"Model_0", Json::array({"val", "delta"})}, {"Model_1", Json::array({"val"})}});
    auto request_5 = test::request(4, "get_data", Json::array({request}), Json::object());
    auto data = co_await call(peer, std::move(request_5));
    auto expected = Json::object({{"time", 0},
                                  {"Model_0", Json::object({{"val", 3}, {"delta", 1}})},
                                  {"Model_1", Json::object({{"val", -1}})}});
    CHECK(test::same_json(data[2], expected));
    auto stop = Json::array({0, 5, Json::array({"stop", Json::array(), Json::object()})});
    co_await test::send_frame(peer, stop);
    auto end = co_await peer.read_until_closed();
    CHECK(end.data.empty());
}

}  // namespace

TEST_CASE("example-sim connects back to mosaik, serves a full run and exits 0", "[mosaik][integration]") {
    asio::io_context io;
    test::RawListener listener(io.get_executor());
    test::ChildProcess child(MAS_EXAMPLE_SIM_EXE, {"127.0.0.1:" + std::to_string(listener.endpoint().port)});
    test::run(io, [&]() -> asio::awaitable<void> {
        auto peer = co_await listener.accept();
        co_await drive(peer);
    }());
    auto status = child.wait(guard);
    CAPTURE(child.output(test::Stream::err));
    CHECK(status.success());
}

TEST_CASE("example-sim --remote waits for mosaik to connect, serves and exits 0", "[mosaik][integration]") {
    test::ChildProcess child(MAS_EXAMPLE_SIM_EXE, {"--remote", "127.0.0.1:0", "-t", "30"});
    // The simulator logs the address it listens on; port 0 became a real port.
    std::optional<std::string> line;
    while ((line = child.read_line(test::Stream::err, guard)) && line->find("waiting for mosaik") == std::string::npos) {
    }
    REQUIRE(line);
    const auto port = static_cast<std::uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
    asio::io_context io;
    test::run(io, [&]() -> asio::awaitable<void> {
        auto peer = co_await test::raw_connect(port);
        co_await drive(peer);
    }());
    auto status = child.wait(guard);
    CAPTURE(child.output(test::Stream::err));
    CHECK(status.success());
}

TEST_CASE("example-sim exits non-zero with one error line when mosaik vanishes", "[mosaik][integration]") {
    asio::io_context io;
    test::RawListener listener(io.get_executor());
    test::ChildProcess child(MAS_EXAMPLE_SIM_EXE, {"127.0.0.1:" + std::to_string(listener.endpoint().port)});
    test::run(io, [&]() -> asio::awaitable<void> {
        auto peer = co_await listener.accept();
        auto request_6 = test::request(0, "init", Json::array({"ExampleSim-0"}), Json::object({{"time_resolution", 1.0}}));
        co_await call(peer, std::move(request_6));
        peer.close();
    }());
    auto status = child.wait(guard);
    CHECK(status.exited);
    CHECK(status.code != 0);
    CHECK_THAT(child.output(test::Stream::err), Catch::Contains("example-sim: error: mosaik at"));
}

TEST_CASE("example-sim rejects a time_resolution other than 1 at init", "[mosaik][integration]") {
    asio::io_context io;
    test::RawListener listener(io.get_executor());
    test::ChildProcess child(MAS_EXAMPLE_SIM_EXE, {"127.0.0.1:" + std::to_string(listener.endpoint().port)});
    test::run(io, [&]() -> asio::awaitable<void> {
        auto peer = co_await listener.accept();
        auto request_7 = test::request(0, "init", Json::array({"ExampleSim-0"}), Json::object({{"time_resolution", 0.5}}));
        auto init = co_await call(peer, std::move(request_7));
        CHECK(init[0] == Json(2));
        CHECK_THAT(init[2][1].as_string(), Catch::Contains("only supports time_resolution=1."));
        auto stop = Json::array({0, 1, Json::array({"stop", Json::array(), Json::object()})});
        co_await test::send_frame(peer, stop);
        co_await peer.read_until_closed();
    }());
    auto status = child.wait(guard);
    CHECK(status.exited);
    CHECK(status.code == 1);  // a request failed before stop
}

TEST_CASE("example-sim answers get_data for an unknown entity or attribute with a failure naming it and serves on",
          "[mosaik][integration]") {
    asio::io_context io;
    test::RawListener listener(io.get_executor());
    test::ChildProcess child(MAS_EXAMPLE_SIM_EXE, {"127.0.0.1:" + std::to_string(listener.endpoint().port)});
    test::run(io, [&]() -> asio::awaitable<void> {
        auto peer = co_await listener.accept();
        auto init = test::request(0, "init", Json::array({"ExampleSim-0"}), Json::object({{"time_resolution", 1.0}}));
        co_await call(peer, std::move(init));
        auto create = test::request(1, "create", Json::array({1, "ExampleModel"}), Json::object({{"init_val", 2}}));
        co_await call(peer, std::move(create));

        auto nobody = Json::object({{"Model_7", Json::array({"val"})}});
        auto request_1 = test::request(2, "get_data", Json::array({nobody}), Json::object());
        auto unknown_entity = co_await call(peer, std::move(request_1));
        CHECK(unknown_entity[0] == Json(2));
        CHECK(unknown_entity[1] == Json(2));
        CHECK_THAT(unknown_entity[2][1].as_string(), Catch::Contains("Unknown entity: Model_7"));

        auto colour = Json::object({{"Model_0", Json::array({"val", "colour"})}});
        auto request_2 = test::request(3, "get_data", Json::array({colour}), Json::object());
        auto unknown_attr = co_await call(peer, std::move(request_2));
        CHECK(unknown_attr[0] == Json(2));
        CHECK_THAT(unknown_attr[2][1].as_string(), Catch::Contains("Unknown output attribute: colour"));

        auto val = Json::object({{"Model_0", Json::array({"val"})}});
        auto request_3 = test::request(4, "get_data", Json::array({val}), Json::object());
        auto data = co_await call(peer, std::move(request_3));
        CHECK(data[0] == Json(1));
        auto expected = Json::object({{"time", 0}, {"Model_0", Json::object({{"val", 2}})}});
        CHECK(test::same_json(data[2], expected));
        auto stop = test::request(5, "stop", Json::array(), Json::object());
        co_await test::send_frame(peer, stop);
        co_await peer.read_until_closed();
    }());
    auto status = child.wait(guard);
    CHECK(status.exited);
    CHECK(status.code == 1);  // requests failed before stop
}

TEST_CASE("example-sim steps as the tutorial's Python class for inputs of every shape, kept or changed",
          "[mosaik]") {
    // The expected values are what the tutorial's simulator_mosaik.py computes: delta becomes
    // sum() of the entity's incoming deltas (which starts from the int 0, so -0.0 becomes 0.0),
    // an entity without any keeps its delta, and val += delta stays an int until a float joins.
    mosaik::LocalSimProxy proxy("ExampleSim-0", std::make_unique<sims::ExampleSim>());
    const auto all = Json::object({{"Model_0", Json::array({"val", "delta"})},
                                   {"Model_1", Json::array({"val", "delta"})},
                                   {"Model_2", Json::array({"val", "delta"})}});
    const auto deltas = [](Json a, Json b, Json c) {
        return Json::object({{"Model_0", Json::object({{"delta", Json::object({{"A-0.a", std::move(a)}})}})},
                             {"Model_1", Json::object({{"delta", Json::object({{"A-0.b", std::move(b)}})}})},
                             {"Model_2", Json::object({{"delta", Json::object({{"A-0.c", std::move(c)}})}})}});
    };
    const auto models = [](Json v0, Json d0, Json v1, Json d1, Json v2, Json d2) {
        return Json::object({{"Model_0", Json::object({{"val", std::move(v0)}, {"delta", std::move(d0)}})},
                             {"Model_1", Json::object({{"val", std::move(v1)}, {"delta", std::move(d1)}})},
                             {"Model_2", Json::object({{"val", std::move(v2)}, {"delta", std::move(d2)}})}});
    };
    // Every entity one delta, in creation order; later the same keys with new values, as the
    // World hands pulled inputs again.
    auto in_order = deltas(1, 2.5, -0.0);
    const auto new_values = deltas(10, 1, 3);
    // Some entities, out of order.
    const auto some = Json::object({{"Model_2", Json::object({{"delta", Json::object({{"A-0.c", 1}})}})},
                                     {"Model_0", Json::object({{"delta", Json::object({{"A-0.a", 2}})}})}});
    // Several deltas for one entity.
    const auto summed =
        Json::object({{"Model_0", Json::object({{"delta", Json::object({{"A-0.a", 1}, {"B-0.a", -3}})}})},
                      {"Model_1", Json::object({{"delta", Json::object({{"A-0.b", 1}, {"B-0.b", 0.5}})}})}});
    auto with_new = all;
    with_new.as_object().insert_or_assign("Model_3", Json::array({"val", "delta"}));
    const JsonObject params{{"eid_prefix", "Model_"}};
    const JsonObject init_2{{"init_val", 2}};
    const JsonObject init_0{{"init_val", 0}};
    asio::io_context io;
    std::vector<Json> seen;
    test::run(io, [&]() -> asio::awaitable<void> {
        co_await proxy.init(1.0, params);
        co_await proxy.create(3, "ExampleModel", init_2);
        co_await proxy.setup_done();
        co_await proxy.step(0, in_order, 100, false);
        seen.push_back(co_await proxy.get_data(all));
        in_order = new_values;
        co_await proxy.step(1, in_order, 100, true);
        seen.push_back(co_await proxy.get_data(all));
        co_await proxy.step(2, some, 100, false);
        seen.push_back(co_await proxy.get_data(all));
        co_await proxy.step(3, summed, 100, false);
        seen.push_back(co_await proxy.get_data(all));
        co_await proxy.step(4, in_order, 100, false);
        seen.push_back(co_await proxy.get_data(all));
        // A new entity after the inputs' keys were planned: it gets no delta and keeps its own.
        co_await proxy.create(1, "ExampleModel", init_0);
        co_await proxy.step(5, in_order, 100, true);
        seen.push_back(co_await proxy.get_data(with_new));
        co_await proxy.stop();
    }());
    // Compared as encoded, which tells 2 from 2.0 as Python's json does.
    const auto text = [](std::int64_t time, Json expected) {
        auto with_time = Json::object({{"time", time}});
        for (auto& [eid, attrs] : expected.as_object()) with_time.as_object().insert_or_assign(eid, std::move(attrs));
        return JsonCodec().encode(with_time);
    };
    REQUIRE(seen.size() == 6);
    CHECK(JsonCodec().encode(seen[0]) == text(0, models(3, 1, 4.5, 2.5, 2.0, 0.0)));
    CHECK(JsonCodec().encode(seen[1]) == text(1, models(13, 10, 5.5, 1, 5.0, 3)));
    CHECK(JsonCodec().encode(seen[2]) == text(2, models(15, 2, 6.5, 1, 6.0, 1)));
    CHECK(JsonCodec().encode(seen[3]) == text(3, models(13, -2, 8.0, 1.5, 7.0, 1)));
    CHECK(JsonCodec().encode(seen[4]) == text(4, models(23, 10, 9.0, 1, 10.0, 3)));
    auto last = models(33, 10, 10.0, 1, 13.0, 3);
    last.as_object().insert_or_assign("Model_3", Json::object({{"val", 1}, {"delta", 1}}));
    CHECK(JsonCodec().encode(seen[5]) == text(5, last));
}
