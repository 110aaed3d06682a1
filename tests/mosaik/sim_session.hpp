#pragma once
// A whole scripted mosaik session against a simulator class: the calls go over TCP through the
// scripted mosaik peer, in order, followed by stop. For tests of simulators' behaviour, written as
// plain lists of calls outside any coroutine.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "mas/core/json.hpp"
#include "mas/mosaik/serve.hpp"
#include "mas/mosaik/simulator.hpp"

namespace mas::test {

/// One request mosaik sends: `[method, args, kwargs]`.
struct SimCall {
    std::string method;
    Json args;
    Json kwargs = Json::object();
};

/// The replies of a session and how serving ended.
struct SimSession {
    /// The reply messages `[type, id, content]`, one per call, in order.
    std::vector<Json> replies;
    /// serve()'s result after stop.
    std::optional<mosaik::ServeEnd> end;

    /// The content of reply `i`; fails the test (REQUIRE) if it is a failure reply.
    const Json& ok(std::size_t i) const;
    /// The failure message (content[1]) of reply `i`; fails the test if it is a success reply.
    [[nodiscard]] std::string failure(std::size_t i) const;
};

/// Serves `sim` over TCP on 127.0.0.1, sends `calls` with ids 0, 1, ..., then stop, and waits
/// until the simulator has closed the connection and serve() has ended (finalize has run).
/// Rethrows serve()'s exception, if any.
SimSession run_session(mosaik::Simulator& sim, const std::vector<SimCall>& calls);

}  // namespace mas::test
