// mas-soak: hours of RPC, agent and smart-socket traffic against servers that are killed with
// SIGKILL and started again, with every answer checked. Run on demand; see docs/developers.md.
#include <cstdint>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "soak_driver.hpp"
#include "soak_servers.hpp"

int main(int argc, char** argv) {
    CLI::App app{"Soaks libmas' reconnecting RPC connections, agent containers and at-least-once smart sockets: "
                 "calls and messages for a long time while the servers behind them are killed with SIGKILL and "
                 "restarted at random moments. Every call must return its right answer or fail with an error within "
                 "its timeout, every message must arrive, and the driver's memory and descriptors must stay flat. "
                 "Exits non-zero if any of that fails."};
    mas::soak::SoakOptions options;
    std::string log_level = "info";
    std::string serve;
    std::uint16_t port = 0;
    std::uint16_t relay_to = 0;
    app.add_option("--duration-s", options.duration_s, "How long the traffic runs")->check(CLI::Range(1.0, 7 * 24 * 3600.0))->capture_default_str();
    app.add_option("--connections", options.connections, "Connections making calls: half RPC, half agent containers")
        ->check(CLI::Range(2U, 1000U))->capture_default_str();
    app.add_option("--servers", options.servers, "RPC servers, and as many agent servers")->check(CLI::Range(1U, 50U))->capture_default_str();
    app.add_option("--kill-min-s", options.kill_min_s, "Shortest time between two kills")->check(CLI::Range(0.05, 3600.0))->capture_default_str();
    app.add_option("--kill-max-s", options.kill_max_s, "Longest time between two kills")->check(CLI::Range(0.05, 3600.0))->capture_default_str();
    app.add_option("--call-timeout-s", options.call_timeout_s, "A call without answer or error for this long counts as hung")
        ->check(CLI::Range(0.1, 3600.0))->capture_default_str();
    app.add_option("--msg-rate", options.msg_rate, "At-least-once messages per second")->check(CLI::Range(1U, 1'000'000U))->capture_default_str();
    app.add_option("--seed", options.seed, "Seed of the kills and calls (0: random, printed)")
        ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1} << 53))->capture_default_str();
    app.add_flag("--json", options.json, "Print one JSON object per line instead of a table");
    app.add_option("--log-level", log_level, "Diagnostics on stderr")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))->capture_default_str();
    // The servers are this program again.
    app.add_option("--serve", serve, "")->check(CLI::IsMember({"rpc", "agent", "relay"}))->group("");
    app.add_option("--port", port, "")->group("");
    app.add_option("--to", relay_to, "")->group("");
    CLI11_PARSE(app, argc, argv);
    if (options.kill_min_s > options.kill_max_s) {
        std::fprintf(stderr, "mas-soak: error: --kill-min-s is more than --kill-max-s\n");
        return 2;
    }
    // Diagnostics on stderr, so that stdout holds the figures alone (libmas' loggers take the
    // default logger's sink).
    spdlog::set_default_logger(spdlog::stderr_color_mt("mas-soak"));
    try {
        if (!serve.empty()) {
            // The servers are killed all the time: what their connections log then is noise.
            spdlog::set_level(spdlog::level::err);
            if (serve == "rpc") return mas::soak::run_rpc_server(port);
            if (serve == "agent") return mas::soak::run_agent_server(port);
            return mas::soak::run_relay(port, relay_to);
        }
        spdlog::set_level(spdlog::level::from_str(log_level));
        options.self = argv[0];
        return mas::soak::run_soak(options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mas-soak: error: %s\n", e.what());
        return 1;
    }
}
