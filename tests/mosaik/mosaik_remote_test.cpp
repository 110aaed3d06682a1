// MosaikRemote: a simulator's requests to mosaik during step, against a scripted mosaik over TCP.
#include "mas/mosaik/mosaik_remote.hpp"

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "mas/core/error.hpp"
#include "mas/mosaik/serve.hpp"
#include "mosaik/mosaik_peer.hpp"
#include "support/run.hpp"

using namespace mas;
using namespace mas::mosaik;
using test::call;

namespace {

// Asks mosaik for the progress in each step and keeps what came of it. With `catch_failure`
// false, a MosaikError leaves step (and fails it).
class ProgressAsker : public Simulator {
public:
    explicit ProgressAsker(bool catch_failure = true) : catch_failure_(catch_failure) {}

    Meta init(const std::string&, double, const JsonObject&) override {
        Meta meta;
        meta.model("A").attrs({"x"});
        return meta;
    }
    std::vector<Entity> create(std::int64_t, const std::string&, const JsonObject&) override { return {}; }
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const Inputs&, std::int64_t) override {
        try {
            progress = co_await mosaik().get_progress();
        } catch (const MosaikError& e) {
            failure.emplace(e);
            if (!catch_failure_) throw;
        } catch (const ConnectionError& e) {
            lost.emplace(e);
            throw;
        }
        co_return time + 1;
    }
    Outputs get_data(const OutputRequest&) override { return {}; }

    std::optional<double> progress;
    std::optional<MosaikError> failure;
    std::optional<ConnectionError> lost;

private:
    bool catch_failure_;
};

// init, then step at `time`; returns once the simulator's get_progress request has arrived.
asio::awaitable<void> start_step(test::RawPeer& peer, std::int64_t id, std::int64_t time) {
    if (id == 0) {
        auto init = test::request(0, "init", Json::array({"A-0"}), Json::object());
        co_await call(peer, std::move(init));
        ++id;
    }
    auto step = test::request(id, "step", Json::array({time, Json::object(), 10}), Json::object());
    co_await test::send_frame(peer, step);
    auto asked = co_await test::read_message(peer);
    CHECK(asked[0] == Json(0));
    CHECK(asked[2] == Json::array({"get_progress", Json::array(), Json::object()}));
}

Json simulation_error(std::int64_t id) {
    return Json::array({2, id, Json::array({"SimulationError", "no progress today",
                                            "Traceback (most recent call last):\n",
                                            "SimulationError: no progress today\n"})});
}

}  // namespace

TEST_CASE("A failure reply from mosaik reaches the simulator as MosaikError with its type and message",
          "[mosaik]") {
    ProgressAsker sim;
    asio::io_context io;
    test::run(io, [&]() -> asio::awaitable<void> {
        auto served = co_await test::serve_over_tcp(sim);
        auto& peer = *served.mosaik;
        co_await start_step(peer, 0, 0);
        auto refusal = simulation_error(0);
        co_await test::send_frame(peer, refusal);
        auto reply = co_await test::read_message(peer);
        CHECK(reply == Json::array({1, 1, 1}));  // the simulator caught it and still answered step

        co_await start_step(peer, 2, 1);
        auto answer = Json::array({1, 1, 50.0});
        co_await test::send_frame(peer, answer);
        auto second = co_await test::read_message(peer);
        CHECK(second == Json::array({1, 2, 2}));
        auto stop = test::request(3, "stop", Json::array(), Json::object());
        co_await test::send_frame(peer, stop);
        co_await peer.read_until_closed();
    }());
    REQUIRE(sim.failure);
    CHECK(sim.failure->type_name() == "SimulationError");
    CHECK(sim.failure->message() == "no progress today");
    const auto sent = simulation_error(0);
    CHECK(sim.failure->content() == sent[2]);
    CHECK(sim.progress == 50.0);
}

TEST_CASE("A MosaikError the simulator does not catch fails that step and serving goes on", "[mosaik]") {
    ProgressAsker sim(false);
    asio::io_context io;
    test::run(io, [&]() -> asio::awaitable<void> {
        auto served = co_await test::serve_over_tcp(sim);
        auto& peer = *served.mosaik;
        co_await start_step(peer, 0, 0);
        auto refusal = simulation_error(0);
        co_await test::send_frame(peer, refusal);
        auto reply = co_await test::read_message(peer);
        CHECK(reply[0] == Json(2));
        CHECK(reply[1] == Json(1));
        CHECK(reply[2][0] == Json("mas::mosaik::MosaikError"));
        CHECK_THAT(reply[2][1].as_string(), Catch::Contains("no progress today"));
        auto setup_done = test::request(2, "setup_done", Json::array(), Json::object());
        auto done = co_await call(peer, std::move(setup_done));
        CHECK(done == Json::array({1, 2, nullptr}));
        auto stop = test::request(3, "stop", Json::array(), Json::object());
        co_await test::send_frame(peer, stop);
        co_await peer.read_until_closed();
    }());
    CHECK(sim.failure);
}

TEST_CASE("A pending request to mosaik fails with ConnectionError when mosaik closes the connection mid-step",
          "[mosaik]") {
    ProgressAsker sim;
    asio::io_context io;
    std::shared_ptr<std::exception_ptr> error;
    test::run(io, [&]() -> asio::awaitable<void> {
        auto served = co_await test::serve_over_tcp(sim);
        error = served.error;
        co_await start_step(*served.mosaik, 0, 0);
        served.mosaik->close();  // mosaik goes away without answering get_progress
    }());
    // Run until serve has given up; the guard only fails a hung test.
    while (!*error) REQUIRE(io.run_one_for(test::hang_guard) > 0);
    CHECK(sim.lost);
    CHECK_FALSE(sim.progress);
    CHECK_THROWS_AS(std::rethrow_exception(*error), ConnectionError);
}
