#include "orchestrator/sim_failure.hpp"

#include <fmt/format.h>

#include "mas/channel/request.hpp"
#include "simulator_calls.hpp"

namespace mas::mosaik::detail {

std::string python_type_name(const std::exception& error) {
    auto name = exception_type_name(error);
    for (const std::string_view prefix : {"mas::mosaik::", "mas::"}) {
        if (name.starts_with(prefix)) return name.substr(prefix.size());
    }
    return name;
}

std::pair<std::string, std::string> describe_exception() {
    try {
        throw;
    } catch (const CallFailure& e) {
        return {e.type(), e.what()};
    } catch (const std::exception& e) {
        return {python_type_name(e), e.what()};
    } catch (...) {
        return {"UnknownError", "an exception not derived from std::exception"};
    }
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
