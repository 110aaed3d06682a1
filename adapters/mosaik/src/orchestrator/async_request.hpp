#pragma once
// Answering a simulator's async request with the orchestrator's AsyncRequestHandler, the same
// way for in-process and remote simulators.

#include <memory>
#include <string>

#include <asio/awaitable.hpp>

#include "mas/core/json.hpp"
#include "mas/mosaik/orchestrator/sim_proxy.hpp"

namespace mas::mosaik::detail {

/// The handler a proxy's requests go to; shared with the coroutines that answer them, so that
/// set_request_handler() applies to requests still to come.
using HandlerSlot = std::shared_ptr<AsyncRequestHandler>;

/// What the simulator gets back: the result, or mosaik's failure content.
struct AsyncOutcome {
    AsyncOutcome(bool ok, Json value) : ok(ok), value(std::move(value)) {}
    bool ok;
    Json value;
};

/// Calls the handler in `slot` with a request's content `[method, args, kwargs]` from simulator
/// `sid`. A malformed request, a missing handler and an exception of the handler become the
/// failure content `[type_name, message, traceback...]`. Never throws.
asio::awaitable<AsyncOutcome> answer_async_request(HandlerSlot slot, std::string sid, Json content);

}  // namespace mas::mosaik::detail
