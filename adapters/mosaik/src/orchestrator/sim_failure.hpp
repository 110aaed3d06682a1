#pragma once
// The SimulationErrors the proxies raise, worded alike for in-process and remote simulators.

#include <string>
#include <utility>

#include "mas/core/json.hpp"
#include "mas/mosaik/orchestrator/sim_proxy.hpp"

namespace mas::mosaik::detail {

/// The type name and message of the exception being handled (describe_current_exception), with
/// libmas' C++ type names shown without the `mas::mosaik::` or `mas::` namespace, as mosaik's
/// peers see them (so SimulationError stays "SimulationError"). Call it only inside a catch block.
std::pair<std::string, std::string> describe_exception();

/// `Simulator "<sid>" failed in <method>: <type>: <message>`, keeping the failure content
/// `[type, message, traceback...]` (a content of another shape is kept as it is).
SimulationError call_failed(const std::string& sid, const std::string& method, Json content);

/// `Simulator "<sid>" closed its connection (during <method>)`.
SimulationError connection_lost(const std::string& sid, const std::string& method);

/// `Simulator "<sid>" sent an invalid reply to <method>: expected <expected>, got <kind>`.
SimulationError invalid_reply(const std::string& sid, const std::string& method, const std::string& expected,
                              const Json& reply);

}  // namespace mas::mosaik::detail
