#pragma once
// A scripted mosaik for tests: a raw peer that sends mosaik's requests to a served Simulator and
// reads its replies, plus the structural comparison of mosaik JSON (objects unordered).

#include <memory>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "mas/core/json.hpp"
#include "mas/mosaik/serve.hpp"
#include "support/raw_peer.hpp"

namespace mas::test {

/// Equal as mosaik data: objects compare unordered, arrays in order, numbers by value.
bool same_json(const Json& a, const Json& b);

/// Starts serving `sim` over a real TCP connection on 127.0.0.1 and returns the raw peer playing
/// mosaik. `end` receives serve()'s result or its exception once serving ends.
struct ServedSim {
    ServedSim() noexcept {}
    std::shared_ptr<RawPeer> mosaik;
    std::shared_ptr<std::exception_ptr> error;
    std::shared_ptr<std::optional<mosaik::ServeEnd>> end;
};
asio::awaitable<ServedSim> serve_over_tcp(mosaik::Simulator& sim);

/// Writes `[type, id, content]` as one frame.
asio::awaitable<void> send_frame(RawPeer& peer, const Json& message);
/// Reads and decodes one frame.
asio::awaitable<Json> read_message(RawPeer& peer);
/// The request message `[0, id, [method, args, kwargs]]`. (Build it before co_await: g++ 12
/// mishandles string-literal temporaries inside a co_await expression.)
Json request(std::int64_t id, const std::string& method, Json args, Json kwargs);
/// Sends a request message and returns the reply message.
asio::awaitable<Json> call(RawPeer& peer, Json request);

/// The lines of a mosaik transcript (tests/conformance/data/mosaik/<name>) of connection `conn`.
std::vector<Json> transcript(const std::string& name, const std::string& conn);

}  // namespace mas::test
