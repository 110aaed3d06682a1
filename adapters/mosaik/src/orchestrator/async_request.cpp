#include "orchestrator/async_request.hpp"

#include <optional>

#include <fmt/format.h>

#include "mas/core/log.hpp"
#include "orchestrator/sim_failure.hpp"
#include "simulator_calls.hpp"

namespace mas::mosaik::detail {

asio::awaitable<AsyncOutcome> answer_async_request(HandlerSlot slot, std::string sid, Json content) {
    std::string method = "<request>";
    std::optional<Json> failure;
    try {
        const bool ok = content.is_array() && content.size() == 3 && content[0].is_string() &&
                        content[1].is_array() && content[2].is_object();
        if (!ok) {
            throw CallFailure("TypeError",
                              fmt::format("a request must be [method, args, kwargs], got {}", content.describe()));
        }
        method = content[0].as_string();
        if (!slot || !*slot) {
            throw SimulationError(sid, fmt::format("Simulator '{}' made the request {} but nobody answers requests "
                                                   "from simulators",
                                                   sid, method));
        }
        // A copy: the handler may be replaced while this request waits for it.
        const auto handler = *slot;
        auto result = co_await handler(method, content[1].as_array(), content[2].as_object());
        co_return AsyncOutcome(true, std::move(result));
    } catch (...) {
        auto [type, message] = describe_exception();
        mas::log("mas.mosaik")->debug("request {} from simulator {} failed: {}: {}", method, sid, type, message);
        // Shaped like mosaik's own failure replies; the traceback names the orchestrator.
        failure = Json::array({type, message, "Traceback (most recent call last):\n",
                               fmt::format("  File \"<libmas orchestrator>\", in {}\n", method),
                               fmt::format("{}: {}\n", type, message)});
    }
    co_return AsyncOutcome(false, std::move(*failure));
}

}  // namespace mas::mosaik::detail
