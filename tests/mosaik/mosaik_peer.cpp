#include "mosaik/mosaik_peer.hpp"

#include <algorithm>
#include <fstream>

#include <asio/co_spawn.hpp>
#include <asio/this_coro.hpp>

#include "mas/channel/channel.hpp"
#include "mas/core/json_codec.hpp"

namespace mas::test {

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

asio::awaitable<ServedSim> serve_over_tcp(mosaik::Simulator& sim) {
    auto executor = co_await asio::this_coro::executor;
    RawListener listener(executor);
    ServedSim served;
    served.error = std::make_shared<std::exception_ptr>();
    served.end = std::make_shared<std::optional<mosaik::ServeEnd>>();
    auto channel = co_await open_connection(listener.endpoint());
    auto peer = co_await listener.accept();
    served.mosaik = std::make_shared<RawPeer>(std::move(peer));
    auto on_done = [error = served.error, end = served.end](std::exception_ptr e, mosaik::ServeEnd result) {
        *error = e;
        if (!e) *end = result;
    };
    asio::co_spawn(executor, mosaik::serve(std::move(channel), sim), on_done);
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

}  // namespace mas::test
