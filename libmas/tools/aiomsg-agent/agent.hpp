#pragma once
// The behaviours of mas-aiomsg-agent, the conformance agent of aiomsg's cross-language suite: a
// source sends numbered messages, a sink prints what it receives, an echo sends each message back
// to its sender. The flags and their meaning are the suite's contract (conformance/README.md in
// the aiomsg project).

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include <asio/awaitable.hpp>

#include "mas/msg/socket_options.hpp"

namespace mas::aiomsg_agent {

struct AgentConfig {
    std::string role = "connect";  // bind | connect
    std::string host = "127.0.0.1";
    std::uint16_t port = 25000;
    msg::SendMode send_mode = msg::SendMode::round_robin;
    std::string behavior = "sink";  // source | sink | echo
    std::int64_t count = 10;
    std::string prefix = "m";
    msg::Delivery delivery = msg::Delivery::at_most_once;
    std::optional<msg::Identity> identity;
    double linger_s = 1.0;
    bool tls = false;
    std::string tls_cert, tls_key, tls_ca, tls_server_name;
};

/// Runs the agent on the calling coroutine's executor until its behaviour is done. A sink
/// writes each payload and a newline to `out` and flushes it. Throws mas::ConfigError for a bad
/// combination (TLS files missing) and whatever binding throws.
asio::awaitable<void> run_agent(AgentConfig config, std::FILE* out);

}  // namespace mas::aiomsg_agent
