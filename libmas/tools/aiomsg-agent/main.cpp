// mas-aiomsg-agent: libmas' agent for aiomsg's cross-language conformance suite.
#include <cstdio>
#include <cctype>

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "agent.hpp"
#include "mas/core/block_on.hpp"
#include "mas/msg/envelope.hpp"

namespace {

std::string lower(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

}  // namespace

int main(int argc, char** argv) {
    using mas::aiomsg_agent::AgentConfig;
    CLI::App app("mas-aiomsg-agent: a source, sink or echo on a libmas smart socket, with the command line of "
                 "aiomsg's conformance suite");
    AgentConfig config;
    std::string send_mode = "roundrobin";
    std::string delivery = "at-most-once";
    std::string identity;
    std::string tls = "false";
    std::string log_level = "info";
    app.add_option("--role", config.role, "Which side listens")->check(CLI::IsMember({"bind", "connect"}))
        ->capture_default_str();
    app.add_option("--host", config.host, "Host or IP to bind or connect to")->capture_default_str();
    app.add_option("--port", config.port, "TCP port")->capture_default_str();
    app.add_option("--send-mode", send_mode, "Routing of sends")->check(CLI::IsMember({"publish", "roundrobin"}))
        ->capture_default_str();
    app.add_option("--behavior", config.behavior, "Send, receive and print, or send back")
        ->check(CLI::IsMember({"source", "sink", "echo"}))->capture_default_str();
    app.add_option("--count", config.count, "Messages the source sends / the sink expects")
        ->check(CLI::NonNegativeNumber)->capture_default_str();
    app.add_option("--prefix", config.prefix, "The source sends prefix + i for i in 0..count")->capture_default_str();
    app.add_option("--delivery", delivery, "Delivery guarantee of what this agent sends")
        ->check(CLI::IsMember({"at-most-once", "at-least-once"}))->capture_default_str();
    app.add_option("--identity", identity, "Socket identity as 32 hex digits; empty: a random one");
    app.add_option("--linger", config.linger_s, "Seconds a source or echo stays after its last send")
        ->check(CLI::NonNegativeNumber)->capture_default_str();
    app.add_option("--tls", tls, "Use TLS: true or false")->capture_default_str();
    app.add_option("--tls-cert", config.tls_cert, "Certificate (chain) of the bind side's TLS server");
    app.add_option("--tls-key", config.tls_key, "Private key of the bind side's TLS server");
    app.add_option("--tls-ca", config.tls_ca, "CA bundle or trust anchor of the connect side's TLS client");
    app.add_option("--tls-server-name", config.tls_server_name, "Name to verify instead of --host");
    app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    spdlog::set_default_logger(spdlog::stderr_color_mt("mas-aiomsg-agent"));
    spdlog::set_level(spdlog::level::from_str(log_level == "warning" ? "warn" : log_level));
    try {
        config.send_mode = send_mode == "publish" ? mas::msg::SendMode::publish : mas::msg::SendMode::round_robin;
        config.delivery =
            delivery == "at-least-once" ? mas::msg::Delivery::at_least_once : mas::msg::Delivery::at_most_once;
        if (!identity.empty()) config.identity = mas::msg::parse_identity(identity);
        const auto tls_flag = lower(tls);
        if (tls_flag != "true" && tls_flag != "false") {
            throw mas::ConfigError(fmt::format("--tls must be true or false, got \"{}\"", tls));
        }
        config.tls = tls_flag == "true";
        asio::io_context io;
        mas::block_on(io, mas::aiomsg_agent::run_agent(config, stdout));
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "mas-aiomsg-agent: error: {}\n", e.what());
        return 1;
    }
}
