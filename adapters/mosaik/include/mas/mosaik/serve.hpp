#pragma once
/// \file
/// serve: answer mosaik's requests on a channel with a Simulator until `stop`.

#include <string>
#include <string_view>

#include <asio/awaitable.hpp>

#include "mas/channel/channel.hpp"
#include "mas/core/json.hpp"
#include "mas/mosaik/simulator.hpp"

namespace mas::mosaik {

/// How a served session ended.
enum class ServeEnd {
    stopped,                ///< mosaik sent stop and no request had failed
    stopped_after_failure,  ///< mosaik sent stop after at least one failure reply
};

/// Awaits sim.prepare() (closing the channel and rethrowing if it fails), then answers mosaik's
/// requests on `channel` with `sim` until mosaik sends `stop`, which gets no
/// reply (as with mosaik_api_v3); then calls sim.finalize() and closes the channel.
/// Each request `[method, args, kwargs]` is mapped to the Simulator call with Python-like argument
/// binding (positional or keyword). A failing call is answered with mosaik_api_v3's failure content
/// `[type_name, message, traceback lines...]` and serving goes on: an exception in user code, wrong
/// argument types or count, an unknown model or param, a step time before the previous one, a
/// request that is not `[method, args, kwargs]`, and an unknown method (`["KeyError", "'name'",
/// ...]`). Runs on the channel's executor. Throws mas::ConnectionError if mosaik goes away before
/// `stop`. Cancellation closes nothing; the caller owns the channel.
asio::awaitable<ServeEnd> serve(Channel channel, Simulator& sim);

/// mosaik_api_v3's failure content for an exception of Python type `type_name`:
/// `[type_name, message, "Traceback (most recent call last):\n", "  File ..., in <where>\n",
/// "<type_name>: <message>\n"]`.
Json failure_content(const std::string& type_name, const std::string& message, std::string_view where);

}  // namespace mas::mosaik
