#include "orchestrator/sim_failure.hpp"

#include <string_view>

#include <fmt/format.h>

#include "simulator_calls.hpp"

namespace mas::mosaik::detail {

std::pair<std::string, std::string> describe_exception() {
    auto described = describe_current_exception();
    auto& name = described.first;
    for (const std::string_view prefix : {"mas::mosaik::", "mas::"}) {
        if (name.starts_with(prefix)) {
            name.erase(0, prefix.size());
            break;
        }
    }
    return described;
}

SimulationError call_failed(const std::string& sid, const std::string& method, Json content) {
    std::string reason;
    if (content.is_array() && content.size() >= 2 && content[0].is_string() && content[1].is_string()) {
        reason = fmt::format("{}: {}", content[0].as_string(), content[1].as_string());
    } else if (content.is_string()) {
        reason = content.as_string();
    } else {
        reason = fmt::format("a failure reply of unexpected shape ({})", content.describe());
    }
    return {sid, fmt::format("Simulator \"{}\" failed in {}: {}", sid, method, reason), std::move(content)};
}

SimulationError connection_lost(const std::string& sid, const std::string& method) {
    return {sid, fmt::format("Simulator \"{}\" closed its connection (during {})", sid, method)};
}

SimulationError invalid_reply(const std::string& sid, const std::string& method, const std::string& expected,
                              const Json& reply) {
    return {sid, fmt::format("Simulator \"{}\" sent an invalid reply to {}: expected {}, got {}", sid, method,
                             expected, reply.describe())};
}

}  // namespace mas::mosaik::detail
