// Replays of the recorded mosaik transcripts with event-based, hybrid and requesting simulators,
// and of mosaik connecting to a listening simulator, against the C++ twins of scenarios/sims.py.
#include <catch2/catch.hpp>

#include "mas/mosaik/serve.hpp"
#include "mosaik/event_twins.hpp"
#include "mosaik/mosaik_peer.hpp"
#include "mosaik/time_twins.hpp"

using namespace mas;
using mas::mosaik::ServeEnd;

namespace {

// mosaik's success replies to the simulator's own requests, in the recorded order.
std::vector<Json> mosaik_replies(const std::string& file, const std::string& conn) {
    std::vector<Json> out;
    for (const auto& line : test::transcript(file, conn)) {
        if (line["dir"] == Json("mosaik->sim") && line.contains("payload") && line["payload"][0] == Json(1)) {
            out.push_back(line["payload"][2]);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("Event-based and hybrid simulators answer b_event_hybrid as the Python simulators did",
          "[mosaik][conformance]") {
    SECTION("Gen: self-steps, null when done, and the output time in get_data") {
        test::EvGen sim;
        CHECK(test::replay("b_event_hybrid.jsonl", "Gen", sim) == ServeEnd::stopped);
    }
    SECTION("Hyb: triggered steps answered with null") {
        test::Hyb sim;
        CHECK(test::replay("b_event_hybrid.jsonl", "Hyb", sim) == ServeEnd::stopped);
    }
    SECTION("ESink: triggered steps answered with null") {
        test::EvSink sim;
        CHECK(test::replay("b_event_hybrid.jsonl", "ESink", sim) == ServeEnd::stopped);
    }
}

TEST_CASE("A simulator's set_event in step goes to mosaik and step waits for the reply (c2_set_event_rt)",
          "[mosaik][conformance]") {
    test::RtEvent sim;
    CHECK(test::replay("c2_set_event_rt.jsonl", "R", sim) == ServeEnd::stopped);
}

TEST_CASE("mosaik connects to a listening simulator and the frames are those of f_connect_mode",
          "[mosaik][conformance]") {
    SECTION("Node listens and mosaik connects") {
        test::TimeNode sim;
        CHECK(test::replay("f_connect_mode.jsonl", "Node", sim, test::Starter::connect) == ServeEnd::stopped);
    }
    SECTION("Src connects to mosaik") {
        test::TimeSrc sim;
        CHECK(test::replay("f_connect_mode.jsonl", "Src", sim) == ServeEnd::stopped);
    }
}

TEST_CASE("A simulator's requests to mosaik during step are numbered on their own and their replies reach it "
          "(c_async_requests)",
          "[mosaik][conformance]") {
    SECTION("Ctl asks mosaik seven times per step and catches the failed set_event") {
        test::AsyncCtl sim;
        CHECK(test::replay("c_async_requests.jsonl", "Ctl", sim) == ServeEnd::stopped);
        // The replies came back to the simulator as values, unchanged.
        const auto replies = mosaik_replies("c_async_requests.jsonl", "Ctl");
        REQUIRE(replies.size() == 12);  // six per step: five answers and set_data's null
        REQUIRE(sim.answers().size() == 2);
        for (std::size_t i = 0; i < 2; ++i) {
            const auto& answers = sim.answers()[i];
            const auto* recorded = &replies[i * 6];
            CHECK(answers.progress == recorded[0].get<double>());
            CHECK(test::same_json(answers.graph, recorded[1]));
            CHECK(test::same_json(answers.one, recorded[2]));
            CHECK(test::same_json(answers.many, recorded[3]));
            CHECK(test::same_json(answers.data, recorded[4]));
        }
        CHECK(sim.answers()[0].progress == 25.0);
        CHECK(sim.answers()[1].progress == 75.0);
        using Entry = std::pair<std::string, std::string>;
        const Entry refused{"SimulationError", "Simulator 'Ctl-0' tried to set an event in non-real-time mode."};
        CHECK(sim.log() == std::vector<Entry>{refused, refused});
    }
    SECTION("Node answers mosaik's get_data on behalf of Ctl and gets Ctl's set_data as input") {
        test::TimeNode sim;
        CHECK(test::replay("c_async_requests.jsonl", "Node", sim) == ServeEnd::stopped);
    }
}
