#pragma once
// The processes mas-soak kills and starts again: an RPC server, an agent container, and a TCP
// relay in front of a smart socket. Each prints "ready <port>" on stdout once it listens, then
// serves until it is killed.

#include <cstdint>
#include <string>

namespace mas::soak {

/// What a served function returns for the arguments the soak calls it with: the driver checks
/// every answer against these.
std::int64_t expected_sum(std::int64_t a, std::int64_t b);
std::string expected_echo(const std::string& text);

/// An RPC server exposing add(a, b), echo(text) and later_echo(text, ms) on 127.0.0.1:`port`
/// (0: any free port).
int run_rpc_server(std::uint16_t port);
/// A container on 127.0.0.1:`port` whose agent 0 exposes the same functions.
int run_agent_server(std::uint16_t port);
/// Copies bytes both ways between each client of 127.0.0.1:`port` and a connection it opens to
/// 127.0.0.1:`target` for it. Killing it breaks both connections at once, with frames cut
/// anywhere, while both ends (and what they hold) live on.
int run_relay(std::uint16_t port, std::uint16_t target);

}  // namespace mas::soak
