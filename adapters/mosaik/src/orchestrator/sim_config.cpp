#include "mas/mosaik/orchestrator/sim_config.hpp"

#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas::mosaik {
namespace {

std::string text(const std::string& name, const Json& entry, std::string_view key) {
    const auto& value = entry[key];
    if (!value.is_string()) {
        throw ConfigError(fmt::format("sim_config \"{}\": \"{}\" must be a string, got {}", name, key, value.describe()));
    }
    return value.as_string();
}

}  // namespace

SimConfig SimConfig::from_json(const std::string& name, const Json& entry) {
    if (!entry.is_object()) {
        throw ConfigError(fmt::format("sim_config \"{}\" must be an object, got {}", name, entry.describe()));
    }
    if (entry.contains("cpp")) return {Kind::in_process, text(name, entry, "cpp")};
    if (entry.contains("cmd")) {
        SimConfig config(Kind::cmd, text(name, entry, "cmd"));
        if (entry.contains("cwd")) config.cwd = text(name, entry, "cwd");
        if (entry.contains("env")) {
            const auto& env = entry["env"];
            if (!env.is_object()) {
                throw ConfigError(fmt::format("sim_config \"{}\": \"env\" must be an object, got {}", name, env.describe()));
            }
            for (const auto& [key, value] : env.as_object()) config.env[key] = text(name, env, key);
        }
        return config;
    }
    if (entry.contains("connect")) return {Kind::connect, text(name, entry, "connect")};
    if (entry.contains("python")) {
        throw ConfigError(fmt::format("sim_config \"{}\": \"python\" simulators cannot run in libmas; start them with "
                                      "\"cmd\" or register a C++ simulator and use \"cpp\"",
                                      name));
    }
    throw ConfigError(fmt::format("sim_config \"{}\" names no starter: use \"cpp\", \"cmd\" or \"connect\"", name));
}

}  // namespace mas::mosaik
