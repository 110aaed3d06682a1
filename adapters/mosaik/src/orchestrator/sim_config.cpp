#include "mas/mosaik/orchestrator/sim_config.hpp"

#include <filesystem>

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

// The files of `"tls": {"ca", "cert", "key", "server_name"}`; relative paths are taken from the
// orchestrator's working directory, as `cwd` is.
void read_tls(const std::string& name, const Json& tls, SimConfig& config) {
    if (!tls.is_object()) {
        throw ConfigError(fmt::format("sim_config \"{}\": \"tls\" must be an object, got {}", name, tls.describe()));
    }
    for (const auto& [key, value] : tls.as_object()) {
        if (key != "ca" && key != "cert" && key != "key" && key != "server_name") {
            throw ConfigError(fmt::format("sim_config \"{}\": unknown key \"{}\" in \"tls\" (it takes \"ca\", \"cert\", "
                                          "\"key\" and \"server_name\")",
                                          name, key));
        }
    }
    for (const auto* key : {"ca", "cert", "key"}) {
        if (!tls.contains(key)) {
            throw ConfigError(fmt::format("sim_config \"{}\": \"tls\" needs \"{}\" (TLS with a simulator is mutual: the "
                                          "CA both trust, and the orchestrator's certificate and key)",
                                          name, key));
        }
    }
    const auto path = [&](const char* key) { return std::filesystem::path(text(name + ".tls", tls, key)); };
    config.tls = TlsFiles{path("ca"), path("cert"), path("key")};
    if (tls.contains("server_name")) config.tls_server_name = text(name + ".tls", tls, "server_name");
}

}  // namespace

SimConfig SimConfig::from_json(const std::string& name, const Json& entry) {
    if (!entry.is_object()) {
        throw ConfigError(fmt::format("sim_config \"{}\" must be an object, got {}", name, entry.describe()));
    }
    if (entry.contains("tls") && !entry.contains("connect")) {
        throw ConfigError(fmt::format("sim_config \"{}\": \"tls\" is for simulators reached with \"connect\"", name));
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
    if (entry.contains("connect")) {
        SimConfig config(Kind::connect, text(name, entry, "connect"));
        if (entry.contains("tls")) read_tls(name, entry["tls"], config);
        return config;
    }
    if (entry.contains("python")) {
        throw ConfigError(fmt::format("sim_config \"{}\": \"python\" simulators cannot run in libmas; start them with "
                                      "\"cmd\" or register a C++ simulator and use \"cpp\"",
                                      name));
    }
    throw ConfigError(fmt::format("sim_config \"{}\" names no starter: use \"cpp\", \"cmd\" or \"connect\"", name));
}

}  // namespace mas::mosaik
