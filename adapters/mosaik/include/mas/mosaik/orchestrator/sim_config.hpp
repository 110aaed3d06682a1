#pragma once
/// \file
/// SimConfig: one entry of a scenario's sim_config, saying how a simulator is started.

#include <map>
#include <optional>
#include <string>

#include "mas/channel/tls_context.hpp"
#include "mas/core/json.hpp"

namespace mas::mosaik {

/// How to start one simulator (an entry of mosaik's sim_config). libmas replaces mosaik's
/// `python` kind by C++ simulators registered in a SimRegistry.
struct SimConfig {
    /// The three starters, in the order mosaik tries them.
    enum class Kind {
        in_process,  ///< `{"cpp": "Name"}`: a SimRegistry entry, run in the orchestrator's process
        cmd,         ///< `{"cmd": "...", "cwd": ..., "env": {...}}`: a process that connects back
        connect,     ///< `{"connect": "host:port"}`: a simulator already listening (--remote)
    };

    SimConfig() noexcept {}
    SimConfig(Kind kind, std::string target) : kind(kind), target(std::move(target)) {}

    Kind kind = Kind::cmd;
    /// The registry name, the command line (with `%(addr)s` and `%(python)s`), or `host:port`.
    std::string target;
    /// cmd: the working directory; empty means the orchestrator's (mosaik's default ".").
    std::string cwd;
    /// cmd: variables set on top of the orchestrator's environment.
    std::map<std::string, std::string> env;
    /// connect: mutual TLS (`"tls": {"ca": ..., "cert": ..., "key": ..., "server_name": ...}`, a
    /// libmas extension): the simulator's certificate must be signed by `ca` and carry the host
    /// (or `server_name`), and the orchestrator shows its own `cert`. Unset: plain TCP, as mosaik.
    std::optional<TlsFiles> tls;
    /// connect with tls: the name the simulator's certificate must carry; empty means the host.
    std::string tls_server_name;

    /// Reads mosaik's JSON form. If an entry names several kinds, the first in Kind's order wins,
    /// as in mosaik. Throws mas::ConfigError naming `name` for an entry that names none, for
    /// `python` (not available in libmas), for values of the wrong type, and for a `tls` entry
    /// that is incomplete, has unknown keys, or comes without `connect`.
    static SimConfig from_json(const std::string& name, const Json& entry);
};

}  // namespace mas::mosaik
