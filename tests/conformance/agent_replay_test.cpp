// Replays the recorded aiomas agent transcript (agent_two_processes: a container calling an
// agent in another container's process) against libmas containers over real TCP on 127.0.0.1,
// in both roles, and compares every frame byte for byte.

#include <string>
#include <vector>

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "mas/agent/agent.hpp"
#include "mas/agent/container.hpp"
#include "mas/agent/date_time.hpp"
#include "mas/core/json_codec.hpp"
#include "mas/core/msgpack_codec.hpp"
#include "support/run.hpp"
#include "transcript.hpp"

using namespace mas;
using namespace mas::agent;

namespace {

// The recorded callee agent, rebuilt in C++.
class Callee : public Agent {
public:
    explicit Callee(Container& c) : Agent(c) {
        expose("spam", &Callee::spam, {"times"});
        expose("add", &Callee::add, {"a", "b"});
        expose("next_day", &Callee::next_day, {"date"});
        expose("call_back", &Callee::call_back, {"caller", "name"});
        expose("stop", &Callee::stop);
    }
    std::string spam(int times) {
        std::string out;
        for (int i = 0; i < times; ++i) out += "spam";
        return out;
    }
    int add(int a, int b) { return a + b; }
    DateTime next_day(const DateTime& date) { return date.shift_seconds(86400); }
    asio::awaitable<Json> call_back(rpc::Proxy caller, std::string name) { co_return co_await caller["hello"](name); }
    void stop() { stopped = true; }
    bool stopped = false;
};

// The recorded caller agent: the callee calls its hello back.
class Caller : public Agent {
public:
    explicit Caller(Container& c) : Agent(c) { expose("hello", &Caller::hello, {"name"}); }
    std::string hello(const std::string& name) { return "hello " + name; }
};

asio::awaitable<test::ScriptResult> client_script(std::uint16_t port, const std::vector<test::RecordedFrame>& frames) {
    auto raw = co_await test::raw_connect(port);
    auto result = co_await test::play(raw, frames, true);
    raw.close();
    co_return result;
}

asio::awaitable<test::ScriptResult> server_script(test::RawListener& listener,
                                                  const std::vector<test::RecordedFrame>& frames) {
    auto raw = co_await listener.accept();
    co_return co_await test::play(raw, frames, false);
}

/// What the libmas caller got, in call order.
asio::awaitable<std::vector<std::string>> caller_calls(Container& container, std::string callee_container) {
    const JsonCodec codec;
    std::vector<std::string> out;
    auto callee = co_await container.connect(callee_container + "/0");
    out.push_back(co_await callee["spam"].call<std::string>(2));
    out.push_back(std::to_string(co_await callee["add"].call<int>(1, 2)));
    const auto date = DateTime::parse("2016-01-01T00:00:00+00:00");
    out.push_back((co_await callee["next_day"].call<DateTime>(date)).to_string());
    auto* caller = container.agent("0");
    out.push_back(co_await callee["call_back"].call<std::string>(*caller, "B"));
    std::string missing = "exists";
    try {
        (void)co_await container.connect(callee_container + "/7");
    } catch (const ConnectionError& e) {
        missing = e.what();
    }
    out.push_back(missing);
    out.push_back(codec.encode(co_await callee["stop"]()));
    co_return out;
}

void answer_transcript(std::string_view transcript, std::shared_ptr<const Codec> codec) {
    const auto frames = test::read_frames(transcript);
    asio::io_context io;
    ContainerOptions options;
    options.codec = codec;
    auto container = test::run(io, Container::create("tcp://127.0.0.1:0", options));
    auto& callee = container->spawn<Callee>();
    const auto port = Endpoint::parse(container->addr()).port;
    test::check_frames(test::run(io, client_script(port, frames)), {}, codec.get());
    CHECK(callee.stopped);
}

void call_transcript(std::string_view transcript, std::shared_ptr<const Codec> codec) {
    using namespace asio::experimental::awaitable_operators;
    const auto frames = test::read_frames(transcript);
    asio::io_context io;
    test::RawListener listener(io.get_executor());
    ContainerOptions options;
    options.codec = codec;
    auto container = test::run(io, Container::create("tcp://127.0.0.1:0", options));
    container->spawn<Caller>();
    const auto remote = "tcp://127.0.0.1:" + std::to_string(listener.endpoint().port);
    auto both = [&]() -> asio::awaitable<std::pair<test::ScriptResult, std::vector<std::string>>> {
        auto [script, outcomes] = co_await (server_script(listener, frames) && caller_calls(*container, remote));
        co_return std::make_pair(std::move(script), std::move(outcomes));
    };
    auto [script, outcomes] = test::run(io, both());
    test::check_frames(script, {}, codec.get());
    CHECK(outcomes == std::vector<std::string>{"spamspam", "3", "2016-01-02T00:00:00+00:00", "hello B",
                                               "Agent \"7\" does not exist in Container(" + remote + ")", "null"});
}

}  // namespace

TEST_CASE("A libmas container answers the agent_two_processes transcript byte for byte", "[conformance][agent]") {
    answer_transcript("agent_two_processes.jsonl", nullptr);
}

TEST_CASE("A libmas container calls the recorded callee container byte for byte", "[conformance][agent]") {
    call_transcript("agent_two_processes.jsonl", nullptr);
}

TEST_CASE("A libmas container with the MsgPack codec answers the msgpack_agent_two_processes transcript byte for byte",
          "[conformance][agent][msgpack]") {
    answer_transcript("msgpack_agent_two_processes.jsonl", std::make_shared<MsgPackCodec>());
}

TEST_CASE("A libmas container with the MsgPack codec calls the recorded callee container byte for byte",
          "[conformance][agent][msgpack]") {
    call_transcript("msgpack_agent_two_processes.jsonl", std::make_shared<MsgPackCodec>());
}
