#pragma once
// A scripted mosaik for tests: a raw peer that sends mosaik's requests to a served Simulator and
// reads its replies, plus the structural comparison of mosaik JSON (objects unordered).

#include <memory>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "mas/channel/server.hpp"
#include "mas/core/json.hpp"
#include "mas/mosaik/serve.hpp"
#include "support/raw_peer.hpp"

namespace mas::test {

/// Equal as mosaik data: objects compare unordered, arrays in order, numbers by value.
bool same_json(const Json& a, const Json& b);

/// A simulator served over a real TCP connection on 127.0.0.1, and the raw peer playing mosaik.
/// `end` receives serve()'s result, or `error` its exception, once serving ends.
struct ServedSim {
    ServedSim() noexcept {}
    std::shared_ptr<RawPeer> mosaik;
    std::shared_ptr<std::exception_ptr> error;
    std::shared_ptr<std::optional<mosaik::ServeEnd>> end;
    Server server;  ///< the simulator's listener in connect mode (empty otherwise)
};

/// How the connection comes about: the simulator connects to mosaik (mosaik's `cmd` starter), or
/// the simulator listens and mosaik connects (mosaik's `connect` starter, mosaik_api_v3's
/// `--remote`).
enum class Starter { cmd, connect };

/// Starts serving `sim` over TCP on 127.0.0.1, set up as `starter` says.
asio::awaitable<ServedSim> serve_over_tcp(mosaik::Simulator& sim, Starter starter = Starter::cmd);

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

/// Plays mosaik's side of connection `conn` of transcript `file` against `sim`: sends every
/// recorded mosaik->sim frame (mosaik's requests and its replies to the simulator's requests),
/// reads every sim->mosaik frame (the simulator's replies and its own requests) and CHECKs it
/// structurally against the recording, and on the recorded end of the simulator's output checks
/// that it closes without a reply to stop. A recorded failure reply compares id, message and the
/// traceback's first line (the exception type is Python's). Returns how serving ended.
mosaik::ServeEnd replay(const std::string& file, const std::string& conn, mosaik::Simulator& sim,
                        Starter starter = Starter::cmd);

}  // namespace mas::test
