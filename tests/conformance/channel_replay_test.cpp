// Replays the recorded aiomas channel transcripts against libmas over real TCP on 127.0.0.1:
// a raw client sends the recorded requests to a libmas server, and a raw server answers a libmas
// client with the recorded replies. Every frame is compared with the recording.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "mas/channel/channel.hpp"
#include "mas/channel/server.hpp"
#include "mas/core/json_codec.hpp"
#include "support/raw_peer.hpp"
#include "support/run.hpp"
#include "transcript.hpp"

using namespace mas;
using Catch::Contains;
using test::RawFrame;
using test::last_line;

namespace {

/// Stands for Python's bytes in channel_fail.jsonl: a custom type that no codec here has a
/// serializer for, so it cannot be encoded.
struct Bytes {
    std::string data;
};

}  // namespace

/// Shows Json values in failed assertions as their JSON text.
template <>
struct Catch::StringMaker<mas::Json> {
    static std::string convert(const mas::Json& value) {
        try {
            return mas::JsonCodec().encode(value);
        } catch (const mas::Error&) {
            return value.describe();  // a custom value without a serializer
        }
    }
};

template <>
struct mas::Serializer<Bytes> {
    static constexpr std::string_view name = "bytes";
    static Json to_json(const Bytes& b) { return Json(b.data); }
    static Bytes from_json(const Json& j) { return {j.get<std::string>()}; }
};

namespace {

const std::filesystem::path transcript_dir = std::filesystem::path(MAS_CONFORMANCE_DIR) / "aiomas";

/// One recorded frame.
struct Frame {
    Frame() noexcept {}
    int seq = 0;
    std::uint32_t length = 0;  ///< the recorded length header
    std::string raw;           ///< the exact payload text
};

/// A recorded request (c->s) and the reply to it (s->c).
struct Exchange {
    Exchange() noexcept {}
    Frame request;
    Frame reply;
    /// libmas cannot represent the request's content (integers beyond 64 bits).
    bool unrepresentable = false;
};

Frame read_frame_entry(const Json& entry) {
    Frame frame;
    frame.seq = entry["seq"].get<int>();
    frame.length = entry["len"].get<std::uint32_t>();
    frame.raw = entry["raw"].as_string();
    // The payloads are ASCII (ensure_ascii), so the header counts the characters of "raw".
    REQUIRE(frame.length == frame.raw.size());
    return frame;
}

/// The transcript as request/reply pairs. Every channel transcript has one connection on which
/// each request is followed by its reply.
std::vector<Exchange> read_transcript(const std::string& name) {
    std::ifstream in(transcript_dir / name);
    REQUIRE(in);
    const JsonCodec codec;
    std::vector<Exchange> exchanges;
    std::string line;
    bool want_request = true;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        // Lenient: json_formatting's decoded "payload" holds integers beyond 64 bits, and only
        // the other fields are used.
        std::string problem;
        const Json entry = codec.decode_lenient(line, problem);
        REQUIRE(entry["conn"] == Json(0));
        REQUIRE(entry["dir"].as_string() == (want_request ? "c->s" : "s->c"));
        if (want_request) {
            exchanges.emplace_back();
            exchanges.back().request = read_frame_entry(entry);
            std::string content_problem;
            (void)codec.decode_lenient(exchanges.back().request.raw, content_problem);
            exchanges.back().unrepresentable = !content_problem.empty();
        } else {
            exchanges.back().reply = read_frame_entry(entry);
        }
        want_request = !want_request;
    }
    REQUIRE(want_request);
    REQUIRE_FALSE(exchanges.empty());
    return exchanges;
}

/// Decodes a payload into its [type, id, content] parts. Lenient, because the recorded echo of
/// json_formatting seq 4 holds integers beyond 64 bits (only its type and id are compared).
Json decode_payload(std::string_view payload) {
    const JsonCodec codec;
    std::string problem;
    Json message = codec.decode_lenient(payload, problem);
    REQUIRE(message.is_array());
    REQUIRE(message.size() == 3);
    return message;
}

void check_identical(const RawFrame& got, const Frame& recorded) {
    CAPTURE(recorded.seq, recorded.raw, got.payload);
    CHECK(got.length == recorded.length);
    CHECK(got.payload == recorded.raw);
}

/// A failure reply (type 2) with the recorded reply's id. The traceback is environment-specific,
/// so only its last line is compared, and only the part given.
void check_failure(const RawFrame& got, const Frame& recorded, std::string_view last_line_part) {
    CAPTURE(recorded.seq, recorded.raw, got.payload);
    CHECK(got.length == got.payload.size());
    const Json ours = decode_payload(got.payload);
    const Json theirs = decode_payload(recorded.raw);
    CHECK(ours[0] == Json(2));
    CHECK(ours[1] == theirs[1]);
    REQUIRE(ours[2].is_string());
    CHECK_THAT(last_line(ours[2].as_string()), Contains(std::string(last_line_part)));
}

// ---- the C++ server against recorded requests --------------------------------------------------

/// How the C++ server answers, as the Python server of each recording did.
enum class Scenario {
    echo,  ///< "ohai" -> "cya", anything else echoed (channel_send_reply, json_formatting)
    fail,  ///< "ohai" -> failure "ValueError: nope", "reply with bytes" -> an unencodable value
};

asio::awaitable<void> answer(Request& request, Scenario scenario) {
    const bool ohai = request.content() == Json("ohai");
    if (scenario == Scenario::fail && ohai) {
        // Like aiomas' `req.fail(ValueError('nope'))` of an exception never raised: no traceback.
        co_await request.fail_with_text("ValueError: nope\n");
    } else if (scenario == Scenario::fail && request.content() == Json("reply with bytes")) {
        Json unencodable(Bytes{"spam"});
        co_await request.reply(std::move(unencodable));
    } else {
        Json result = ohai ? Json("cya") : request.content();
        co_await request.reply(std::move(result));
    }
}

asio::awaitable<void> serve(Channel channel, Scenario scenario) {
    try {
        for (;;) {
            auto request = co_await channel.recv();
            co_await answer(request, scenario);
        }
    } catch (const ConnectionError&) {
        // The raw client closed the connection: the end of the transcript.
    }
}

/// A libmas server on 127.0.0.1 playing one scenario.
struct ScenarioServer {
    explicit ScenarioServer(Scenario scenario) { server = test::run(io, start(scenario)); }

    asio::awaitable<Server> start(Scenario scenario) {
        // Named, not written inside the co_await expression: g++ 12 destroys such a lambda twice.
        ClientConnected on_connect = [scenario](Channel channel) { return serve(std::move(channel), scenario); };
        const auto endpoint = Endpoint::tcp("127.0.0.1", 0);
        co_return co_await start_server(endpoint, std::move(on_connect));
    }

    asio::io_context io;
    Server server;
};

/// Sends every recorded request's bytes on one raw connection, each after the previous reply,
/// and returns the replies.
asio::awaitable<std::vector<RawFrame>> send_recorded_requests(std::uint16_t port,
                                                              const std::vector<Exchange>& exchanges) {
    auto raw = co_await test::raw_connect(port);
    std::vector<RawFrame> replies;
    for (const auto& exchange : exchanges) {
        const auto bytes = test::raw_header(exchange.request.length) + exchange.request.raw;
        co_await raw.write(bytes);
        replies.push_back(co_await raw.read_frame());
    }
    raw.close();
    co_return replies;
}

std::vector<RawFrame> replay_against_server(Scenario scenario, const std::vector<Exchange>& exchanges) {
    ScenarioServer server(scenario);
    auto replies = test::run(server.io, send_recorded_requests(server.server.endpoint().port, exchanges));
    REQUIRE(replies.size() == exchanges.size());
    return replies;
}

// ---- the C++ client against recorded replies ---------------------------------------------------

/// What the libmas client got for one recorded request.
struct Outcome {
    Outcome() noexcept {}
    bool sent = false;          ///< false: the request was not sent (unrepresentable)
    std::string result;         ///< the result, re-encoded; empty after a failure
    bool failed = false;        ///< a RemoteError was raised
    std::string traceback;      ///< RemoteError::remote_traceback()
    std::string origin;         ///< RemoteError::origin()
};

/// Plays the recorded server: reads each request the libmas client sends and answers with the
/// recorded reply bytes. Returns the frames it read.
asio::awaitable<std::vector<RawFrame>> answer_recorded_replies(test::RawListener& listener,
                                                               const std::vector<Exchange>& exchanges) {
    auto raw = co_await listener.accept();
    std::vector<RawFrame> requests;
    for (const auto& exchange : exchanges) {
        if (exchange.unrepresentable) continue;
        requests.push_back(co_await raw.read_frame());
        const auto bytes = test::raw_header(exchange.reply.length) + exchange.reply.raw;
        co_await raw.write(bytes);
    }
    // Nothing else may come: the client closes after its last request.
    auto end = co_await raw.read_until_closed();
    if (!end.data.empty()) {
        // Shows up as one request too many, with the extra bytes as its payload.
        RawFrame extra;
        extra.payload = std::move(end.data);
        requests.push_back(std::move(extra));
    }
    co_return requests;
}

asio::awaitable<Outcome> send_recorded_request(Channel& channel, const Exchange& exchange) {
    Outcome outcome;
    if (exchange.unrepresentable) {
        // json_formatting seq 4/5 hold integers beyond 64 bits, which libmas cannot represent,
        // so that exchange is skipped. Trying to send a value that cannot be encoded uses up the
        // request id without sending anything (as in aiomas), so the later requests keep their
        // recorded ids.
        Json unencodable(Bytes{});
        try {
            (void)co_await channel.send(std::move(unencodable));
            outcome.sent = true;
        } catch (const CodecError&) {
            outcome.sent = false;
        }
        co_return outcome;
    }
    const Json message = decode_payload(exchange.request.raw);
    Json content = message[2];
    outcome.sent = true;
    try {
        const Json result = co_await channel.send(std::move(content));
        outcome.result = JsonCodec().encode(result);
    } catch (const RemoteError& e) {
        outcome.failed = true;
        outcome.traceback = e.remote_traceback();
        outcome.origin = e.origin();
    }
    co_return outcome;
}

asio::awaitable<std::vector<Outcome>> send_recorded_contents(Endpoint server, const std::vector<Exchange>& exchanges) {
    auto channel = co_await open_connection(std::move(server));
    std::vector<Outcome> outcomes;
    for (const auto& exchange : exchanges) outcomes.push_back(co_await send_recorded_request(channel, exchange));
    channel.close();
    co_return outcomes;
}

struct ClientReplay {
    ClientReplay() noexcept {}
    std::string server;                ///< the raw server's address, "127.0.0.1:port"
    std::vector<RawFrame> requests;    ///< what the libmas client sent
    std::vector<Outcome> outcomes;     ///< what it got back
};

asio::awaitable<ClientReplay> replay_client(test::RawListener& listener, const std::vector<Exchange>& exchanges) {
    using namespace asio::experimental::awaitable_operators;
    const auto endpoint = listener.endpoint();
    ClientReplay replay;
    replay.server = endpoint.host + ":" + std::to_string(endpoint.port);
    auto [requests, outcomes] =
        co_await (answer_recorded_replies(listener, exchanges) && send_recorded_contents(endpoint, exchanges));
    replay.requests = std::move(requests);
    replay.outcomes = std::move(outcomes);
    co_return replay;
}

ClientReplay replay_against_client(const std::vector<Exchange>& exchanges) {
    asio::io_context io;
    test::RawListener listener(io.get_executor());
    auto replay = test::run(io, replay_client(listener, exchanges));
    REQUIRE(replay.outcomes.size() == exchanges.size());
    return replay;
}

/// Checks the frames a libmas client sent: byte for byte the recorded requests, none extra.
void check_requests(const ClientReplay& replay, const std::vector<Exchange>& exchanges) {
    std::size_t next = 0;
    for (const auto& exchange : exchanges) {
        if (exchange.unrepresentable) continue;
        REQUIRE(next < replay.requests.size());
        check_identical(replay.requests[next++], exchange.request);
    }
    CHECK(next == replay.requests.size());
}

/// Checks that the libmas client got each recorded result as the recorded value.
void check_results(const ClientReplay& replay, const std::vector<Exchange>& exchanges) {
    for (std::size_t i = 0; i < exchanges.size(); ++i) {
        const auto& outcome = replay.outcomes[i];
        CAPTURE(exchanges[i].reply.seq);
        if (exchanges[i].unrepresentable) {
            CHECK_FALSE(outcome.sent);
            continue;
        }
        REQUIRE_FALSE(outcome.failed);
        const Json recorded = decode_payload(exchanges[i].reply.raw);
        CHECK(outcome.result == JsonCodec().encode(recorded[2]));
    }
}

}  // namespace

TEST_CASE("A libmas server answers the channel_send_reply transcript byte for byte", "[conformance][channel]") {
    const auto exchanges = read_transcript("channel_send_reply.jsonl");
    const auto replies = replay_against_server(Scenario::echo, exchanges);
    for (std::size_t i = 0; i < exchanges.size(); ++i) check_identical(replies[i], exchanges[i].reply);
}

TEST_CASE("A libmas server's failure replies match the channel_fail transcript in type, id and last line",
          "[conformance][channel]") {
    const auto exchanges = read_transcript("channel_fail.jsonl");
    REQUIRE(exchanges.size() == 2);
    const auto replies = replay_against_server(Scenario::fail, exchanges);
    for (const auto& exchange : exchanges) REQUIRE(decode_payload(exchange.reply.raw)[0] == Json(2));
    // fail_with_text sends exactly the text; aiomas' own failure without a traceback is the same.
    check_failure(replies[0], exchanges[0].reply, "ValueError: nope");
    CHECK(last_line(decode_payload(replies[0].payload)[2].as_string()) ==
          last_line(decode_payload(exchanges[0].reply.raw)[2].as_string()));
    // A reply value the codec cannot encode becomes a failure reply naming the problem.
    check_failure(replies[1], exchanges[1].reply, "No serializer found for type");
}

TEST_CASE("A libmas server echoes the json_formatting transcript byte for byte and refuses integers beyond "
          "64 bits with a failure reply",
          "[conformance][channel]") {
    const auto exchanges = read_transcript("json_formatting.jsonl");
    const auto replies = replay_against_server(Scenario::echo, exchanges);
    std::size_t unrepresentable = 0;
    for (std::size_t i = 0; i < exchanges.size(); ++i) {
        if (exchanges[i].unrepresentable) {
            // seq 4: the request id is known, so it gets a failure reply and the connection stays
            // open; the frames after it still match.
            ++unrepresentable;
            check_failure(replies[i], exchanges[i].reply, "18446744073709551616 does not fit in 64 bits");
        } else {
            check_identical(replies[i], exchanges[i].reply);
        }
    }
    CHECK(unrepresentable == 1);
}

TEST_CASE("A libmas client sends the channel_send_reply transcript byte for byte and gets its results",
          "[conformance][channel]") {
    const auto exchanges = read_transcript("channel_send_reply.jsonl");
    const auto replay = replay_against_client(exchanges);
    check_requests(replay, exchanges);
    check_results(replay, exchanges);
}

TEST_CASE("A libmas client sends the channel_fail transcript byte for byte and raises its tracebacks as "
          "RemoteError",
          "[conformance][channel]") {
    const auto exchanges = read_transcript("channel_fail.jsonl");
    const auto replay = replay_against_client(exchanges);
    check_requests(replay, exchanges);
    for (std::size_t i = 0; i < exchanges.size(); ++i) {
        const auto& outcome = replay.outcomes[i];
        CAPTURE(exchanges[i].reply.seq);
        REQUIRE(outcome.failed);
        CHECK(outcome.traceback == decode_payload(exchanges[i].reply.raw)[2].as_string());
        CHECK(outcome.origin == replay.server);
    }
}

TEST_CASE("A libmas client sends the json_formatting transcript byte for byte and gets the recorded echoes",
          "[conformance][channel]") {
    const auto exchanges = read_transcript("json_formatting.jsonl");
    const auto replay = replay_against_client(exchanges);
    check_requests(replay, exchanges);
    check_results(replay, exchanges);
}
