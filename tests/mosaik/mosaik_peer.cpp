#include "mosaik/mosaik_peer.hpp"

#include <algorithm>
#include <fstream>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/this_coro.hpp>
#include <catch2/catch.hpp>

#include "mas/channel/channel.hpp"
#include "mas/core/json_codec.hpp"
#include "support/run.hpp"

namespace mas::test {
namespace {

using EndSlot = std::shared_ptr<std::optional<mosaik::ServeEnd>>;
using ErrorSlot = std::shared_ptr<std::exception_ptr>;

// Serves `sim` on `channel` and keeps the outcome for the test.
asio::awaitable<void> serve_recording(Channel channel, mosaik::Simulator& sim, ErrorSlot error, EndSlot end) {
    try {
        *end = co_await mosaik::serve(std::move(channel), sim);
    } catch (...) {
        *error = std::current_exception();
    }
}

// One recorded frame the simulator sent, read back and compared.
asio::awaitable<void> expect_frame(RawPeer& peer, const Json& line) {
    const auto& expected = line["payload"];
    auto actual = co_await read_message(peer);
    INFO("seq " << line["seq"].describe() << ": got " << JsonCodec().encode(actual) << ", recorded "
                << JsonCodec().encode(expected));
    if (expected[0] == Json(2)) {
        CHECK(actual[0] == expected[0]);
        CHECK(actual[1] == expected[1]);
        CHECK(actual[2][1] == expected[2][1]);
        CHECK(actual[2][2] == Json("Traceback (most recent call last):\n"));
    } else {
        CHECK(same_json(actual, expected));
    }
}

}  // namespace

bool same_json(const Json& a, const Json& b) {
    if (a.is_object() && b.is_object()) {
        if (a.size() != b.size()) return false;
        for (const auto& [key, value] : a.as_object()) {
            const auto* other = b.as_object().find(key);
            if (!other || !same_json(value, *other)) return false;
        }
        return true;
    }
    if (a.is_array() && b.is_array()) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (!same_json(a[i], b[i])) return false;
        }
        return true;
    }
    return a == b;
}

asio::awaitable<ServedSim> serve_over_tcp(mosaik::Simulator& sim, Starter starter) {
    auto executor = co_await asio::this_coro::executor;
    ServedSim served;
    served.error = std::make_shared<std::exception_ptr>();
    served.end = std::make_shared<std::optional<mosaik::ServeEnd>>();
    if (starter == Starter::connect) {
        ClientConnected on_connect = [&sim, error = served.error, end = served.end](Channel channel) {
            return serve_recording(std::move(channel), sim, error, end);
        };
        auto endpoint = Endpoint::tcp("127.0.0.1", 0);
        served.server = co_await start_server(std::move(endpoint), std::move(on_connect));
        auto peer = co_await raw_connect(served.server.endpoint().port);
        served.mosaik = std::make_shared<RawPeer>(std::move(peer));
        co_return served;
    }
    RawListener listener(executor);
    auto channel = co_await open_connection(listener.endpoint());
    auto peer = co_await listener.accept();
    served.mosaik = std::make_shared<RawPeer>(std::move(peer));
    asio::co_spawn(executor, serve_recording(std::move(channel), sim, served.error, served.end), asio::detached);
    co_return served;
}

asio::awaitable<void> send_frame(RawPeer& peer, const Json& message) {
    const auto frame = raw_frame(JsonCodec().encode(message));
    co_await peer.write(frame);
}

asio::awaitable<Json> read_message(RawPeer& peer) {
    auto frame = co_await peer.read_frame();
    co_return JsonCodec().decode(frame.payload);
}

Json request(std::int64_t id, const std::string& method, Json args, Json kwargs) {
    return Json::array({0, id, Json::array({method, std::move(args), std::move(kwargs)})});
}

asio::awaitable<Json> call(RawPeer& peer, Json request) {
    co_await send_frame(peer, request);
    co_return co_await read_message(peer);
}

std::vector<Json> transcript(const std::string& name, const std::string& conn) {
    std::ifstream in(std::string(MAS_CONFORMANCE_DIR) + "/mosaik/" + name);
    std::vector<Json> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        auto item = JsonCodec().decode(line);
        if (item["conn"] == Json(conn)) out.push_back(std::move(item));
    }
    return out;
}


mosaik::ServeEnd replay(const std::string& file, const std::string& conn, mosaik::Simulator& sim, Starter starter) {
    asio::io_context io;
    auto lines = transcript(file, conn);
    REQUIRE_FALSE(lines.empty());
    ServedSim served;
    run(io, [&]() -> asio::awaitable<void> {
        served = co_await serve_over_tcp(sim, starter);
        for (const auto& line : lines) {
            if (line.contains("event")) {
                if (line["event"] == Json("eof") && line["dir"] == Json("sim->mosaik")) {
                    auto end = co_await served.mosaik->read_until_closed();
                    CHECK(end.data.empty());  // no reply to stop
                }
                continue;
            }
            if (line["dir"] == Json("mosaik->sim")) {
                co_await send_frame(*served.mosaik, line["payload"]);
            } else {
                co_await expect_frame(*served.mosaik, line);
            }
        }
    }());
    // serve() has closed the connection; let it hand over its result. The guard only fails a hang.
    while (!*served.end && !*served.error) REQUIRE(io.run_one_for(hang_guard) > 0);
    if (*served.error) std::rethrow_exception(*served.error);
    return **served.end;
}

}  // namespace mas::test
