#include "mas/mosaik/serve.hpp"

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "mosaik/mosaik_peer.hpp"
#include "mosaik/time_twins.hpp"
#include "support/run.hpp"

using namespace mas;
using namespace mas::mosaik;
using test::call;

using test::TimeNode;
using test::TimeSink;
using test::TimeSrc;

namespace {

// Sends one request and returns the failure message, CHECKing that the reply is a TypeError.
asio::awaitable<std::string> type_error(test::RawPeer& peer, Json request) {
    auto reply = co_await call(peer, std::move(request));
    CHECK(reply[0] == Json(2));
    CHECK(reply[2][0] == Json("TypeError"));
    std::string message;
    if (reply[2][1].is_string()) message = reply[2][1].as_string();
    co_return message;
}

}  // namespace

TEST_CASE("A served simulator answers the a_time_based transcript as the Python simulators did", "[mosaik][conformance]") {
    SECTION("Src") {
        TimeSrc sim;
        CHECK(test::replay("a_time_based.jsonl", "Src", sim) == ServeEnd::stopped);
    }
    SECTION("Node") {
        TimeNode sim;
        CHECK(test::replay("a_time_based.jsonl", "Node", sim) == ServeEnd::stopped);
    }
    SECTION("Sink") {
        TimeSink sim;
        CHECK(test::replay("a_time_based.jsonl", "Sink", sim) == ServeEnd::stopped);
    }
}

TEST_CASE("Extra methods are called by name with positional and keyword arguments (d_extra_methods)", "[mosaik][conformance]") {
    TimeNode sim;
    CHECK(test::replay("d_extra_methods.jsonl", "Node", sim) == ServeEnd::stopped);
}

TEST_CASE("An exception in step becomes mosaik_api_v3's failure reply (e_step_exception)", "[mosaik][conformance]") {
    TimeNode sim(2);
    // The recorded type is Python's ValueError; the C++ one is named after the C++ type.
    asio::io_context io;
    test::run(io, [&]() -> asio::awaitable<void> {
        auto served = co_await test::serve_over_tcp(sim);
        auto& peer = *served.mosaik;
        auto kwargs = Json::object({{"time_resolution", 1.0}});
        auto request_1 = test::request(0, "init", Json::array({"Node-0"}), kwargs);
        co_await call(peer, std::move(request_1));
        auto request_2 = test::request(1, "create", Json::array({1, "Node"}), Json::object());
        co_await call(peer, std::move(request_2));
        auto request_3 = test::request(2, "setup_done", Json::array(), Json::object());
        co_await call(peer, std::move(request_3));
        auto request_4 = test::request(3, "step", Json::array({0, Json::object(), 6}), Json::object());
        auto ok = co_await call(peer, std::move(request_4));
        CHECK(ok == Json::array({1, 3, 1}));
        auto request_5 = test::request(4, "step", Json::array({2, Json::object(), 6}), Json::object());
        auto failed = co_await call(peer, std::move(request_5));
        CHECK(failed[0] == Json(2));
        CHECK(failed[1] == Json(4));
        const auto& content = failed[2];
        CHECK(content[0] == Json("std::invalid_argument"));
        CHECK(content[1] == Json("deliberate failure in step at time 2"));
        CHECK(content[2] == Json("Traceback (most recent call last):\n"));
        CHECK(content[content.size() - 1] == Json("std::invalid_argument: deliberate failure in step at time 2\n"));
        auto stop = Json::array({0, 5, Json::array({"stop", Json::array(), Json::object()})});
        co_await test::send_frame(peer, stop);
        auto end = co_await peer.read_until_closed();
        CHECK(end.data.empty());
    }());
}

TEST_CASE("Bad requests get failure replies and serving goes on", "[mosaik]") {
    TimeNode sim;
    asio::io_context io;
    std::shared_ptr<std::optional<ServeEnd>> end;
    test::run(io, [&]() -> asio::awaitable<void> {
        auto served = co_await test::serve_over_tcp(sim);
        end = served.end;
        auto& peer = *served.mosaik;
        auto request_6 = test::request(0, "init", Json::array({"Node-0"}), Json::object({{"time_resolution", 1}}));
        auto reply = co_await call(peer, std::move(request_6));
        CHECK(reply[0] == Json(1));

        auto request_7 = test::request(1, "frobnicate", Json::array(), Json::object());
        auto unknown = co_await call(peer, std::move(request_7));
        CHECK(unknown[0] == Json(2));
        CHECK(unknown[2][0] == Json("KeyError"));
        CHECK(unknown[2][1] == Json("'frobnicate'"));
        CHECK(unknown[2][2] == Json("Traceback (most recent call last):\n"));

        auto not_a_call = Json::array({0, 2, Json::object({{"method", "init"}})});
        co_await test::send_frame(peer, not_a_call);
        auto bad = co_await test::read_message(peer);
        CHECK(bad[0] == Json(2));
        CHECK(bad[2][0] == Json("TypeError"));

        auto request_8 = test::request(3, "create", Json::array({"two", "Node"}), Json::object());
        auto wrong_type = co_await call(peer, std::move(request_8));
        CHECK(wrong_type[2][0] == Json("TypeError"));
        CHECK_THAT(wrong_type[2][1].as_string(), Catch::Contains("'num'"));

        auto request_9 = test::request(4, "create", Json::array({1, "Nope"}), Json::object());
        auto unknown_model = co_await call(peer, std::move(request_9));
        CHECK_THAT(unknown_model[2][1].as_string(), Catch::Contains("unknown model 'Nope'"));
        auto request_10 = test::request(5, "create", Json::array({1, "Child"}), Json::object());
        auto hidden_model = co_await call(peer, std::move(request_10));
        CHECK(hidden_model[0] == Json(2));
        auto request_11 = test::request(6, "create", Json::array({1, "Node"}), Json::object({{"colour", 1}}));
        auto bad_param = co_await call(peer, std::move(request_11));
        CHECK_THAT(bad_param[2][1].as_string(), Catch::Contains("unexpected param 'colour'"));
        // create(10**12, ...) kept a served simulator busy for minutes before it failed.
        auto huge = test::request(70, "create", Json::array({std::int64_t{1'000'000'000'000}, "Node"}), Json::object());
        auto too_many_entities = co_await call(peer, std::move(huge));
        CHECK(too_many_entities[2][0] == Json("ValueError"));
        CHECK(too_many_entities[2][1] ==
              Json("create(): num 1000000000000 is more than the 10000000 entities one create may make"));
        auto request_12 = test::request(7, "setup_done", Json::array({1}), Json::object());
        auto too_many = co_await call(peer, std::move(request_12));
        CHECK_THAT(too_many[2][1].as_string(), Catch::Contains("takes 0 positional arguments but 1 were given"));

        auto request_13 = test::request(8, "create", Json::array({1, "Node"}), Json::object());
        auto created = co_await call(peer, std::move(request_13));
        CHECK(created[0] == Json(1));
        auto request_14 = test::request(9, "step", Json::array({4, Json::object(), 10}), Json::object());
        auto step4 = co_await call(peer, std::move(request_14));
        CHECK(step4[2] == Json(5));
        auto request_15 = test::request(10, "step", Json::array({2, Json::object(), 10}), Json::object());
        auto back = co_await call(peer, std::move(request_15));
        CHECK(back[2][0] == Json("ValueError"));
        CHECK_THAT(back[2][1].as_string(), Catch::Contains("time 2 goes back before the previous step time 4"));
        auto request_16 = test::request(11, "step", Json::array({5, Json::array(), 10}), Json::object());
        auto bad_inputs = co_await call(peer, std::move(request_16));
        CHECK(bad_inputs[2][0] == Json("TypeError"));
        auto request_17 = test::request(12, "get_data", Json::array({Json::object({{"Nobody", Json::array({"val"})}})}),
                                            Json::object());
        auto unknown_entity = co_await call(peer, std::move(request_17));
        CHECK(unknown_entity[0] == Json(2));

        auto stop = Json::array({0, 13, Json::array({"stop", Json::array(), Json::object()})});
        co_await test::send_frame(peer, stop);
        co_await peer.read_until_closed();
    }());
    REQUIRE(end);
    CHECK(*end == ServeEnd::stopped_after_failure);
}

TEST_CASE("Calls with missing or unknown arguments get a TypeError naming the argument and serving goes on",
          "[mosaik]") {
    TimeNode sim;
    asio::io_context io;
    std::shared_ptr<std::optional<ServeEnd>> end;
    test::run(io, [&]() -> asio::awaitable<void> {
        auto served = co_await test::serve_over_tcp(sim);
        end = served.end;
        auto& peer = *served.mosaik;
        auto no_sid = test::request(0, "init", Json::array(), Json::object({{"time_resolution", 1.0}}));
        auto no_sid_failed = co_await type_error(peer, std::move(no_sid));
        CHECK_THAT(no_sid_failed, Catch::Contains("init() missing required argument 'sid'"));
        auto init = test::request(1, "init", Json::array({"Node-0"}), Json::object());
        auto initialised = co_await call(peer, std::move(init));
        CHECK(initialised[0] == Json(1));

        auto no_model = test::request(2, "create", Json::array({2}), Json::object());
        auto no_model_failed = co_await type_error(peer, std::move(no_model));
        CHECK_THAT(no_model_failed, Catch::Contains("create() missing required argument 'model'"));
        auto no_max_advance = test::request(3, "step", Json::array({0, Json::object()}), Json::object());
        auto no_max_advance_failed = co_await type_error(peer, std::move(no_max_advance));
        CHECK_THAT(no_max_advance_failed, Catch::Contains("step() missing required argument 'max_advance'"));
        auto no_args = test::request(4, "step", Json::array(), Json::object());
        auto no_args_failed = co_await type_error(peer, std::move(no_args));
        CHECK_THAT(no_args_failed, Catch::Contains("step() missing required argument 'time'"));
        auto no_outputs = test::request(5, "get_data", Json::array(), Json::object());
        auto no_outputs_failed = co_await type_error(peer, std::move(no_outputs));
        CHECK_THAT(no_outputs_failed, Catch::Contains("get_data() missing required argument 'outputs'"));
        auto speed = Json::object({{"speed", 2}});
        auto unknown_kwarg = test::request(6, "step", Json::array({0, Json::object(), 10}), speed);
        auto unknown_kwarg_failed = co_await type_error(peer, std::move(unknown_kwarg));
        CHECK_THAT(unknown_kwarg_failed, Catch::Contains("step() got an unexpected keyword argument 'speed'"));
        auto twice = test::request(7, "create", Json::array({1, "Node"}), Json::object({{"num", 1}}));
        auto twice_failed = co_await type_error(peer, std::move(twice));
        CHECK_THAT(twice_failed, Catch::Contains("multiple values for argument 'num'"));

        // None of it changed the simulator: the first entity is still Node_0 and steps from 0.
        auto create = test::request(8, "create", Json::array({1, "Node"}), Json::object());
        auto created = co_await call(peer, std::move(create));
        CHECK(created[2][0]["eid"] == Json("Node_0"));
        auto step = test::request(9, "step", Json::array({0, Json::object(), 10}), Json::object());
        auto stepped = co_await call(peer, std::move(step));
        CHECK(stepped == Json::array({1, 9, 1}));
        auto stop = test::request(10, "stop", Json::array(), Json::object());
        co_await test::send_frame(peer, stop);
        co_await peer.read_until_closed();
    }());
    REQUIRE(end);
    CHECK(*end == ServeEnd::stopped_after_failure);
}

TEST_CASE("serve ends with ConnectionError when mosaik vanishes before stop", "[mosaik]") {
    TimeSrc sim;
    asio::io_context io;
    std::shared_ptr<std::exception_ptr> error;
    test::run(io, [&]() -> asio::awaitable<void> {
        auto served = co_await test::serve_over_tcp(sim);
        error = served.error;
        auto request_18 = test::request(0, "init", Json::array({"Src-0"}), Json::object());
        co_await call(*served.mosaik, std::move(request_18));
        served.mosaik->close();
    }());
    // Run until serve has noticed the closed connection; the guard only fails a hung test.
    while (!*error) REQUIRE(io.run_one_for(test::hang_guard) > 0);
    CHECK_THROWS_WITH(std::rethrow_exception(*error), Catch::Contains("went away before sending stop"));
}
