#include "soak_driver.hpp"

#include <dirent.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "mas/agent/container.hpp"
#include "mas/core/block_on.hpp"
#include "mas/core/error.hpp"
#include "mas/core/with_timeout.hpp"
#include "mas/rpc/connection.hpp"
#include "mas/rpc/proxy.hpp"
#include "msg_stream.hpp"
#include "server_process.hpp"
#include "soak_servers.hpp"

namespace mas::soak {
namespace {

using Clock = std::chrono::steady_clock;

struct CallStats {
    std::uint64_t ok = 0;
    std::uint64_t failed = 0;  // ConnectionError: the server was down or went down mid-call
    std::uint64_t remote = 0;  // a failure reply: none is expected
    std::uint64_t wrong = 0;   // an answer that is not the right one
    std::uint64_t hung = 0;    // no answer and no error within the call timeout
    std::uint64_t other = 0;   // any other error
    [[nodiscard]] std::uint64_t calls() const { return ok + failed + remote + wrong + hung + other; }
};

struct Resources {
    double rss_mib = 0;
    std::size_t fds = 0;
};

Resources sample_resources() {
    Resources r;
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with("VmRSS:")) r.rss_mib = std::strtod(line.c_str() + 6, nullptr) / 1024;
    }
    if (DIR* dir = ::opendir("/proc/self/fd")) {
        while (const auto* entry = ::readdir(dir)) r.fds += entry->d_name[0] != '.';
        ::closedir(dir);
        --r.fds;  // the directory's own descriptor
    }
    return r;
}

asio::awaitable<void> pause(Clock::duration d) {
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    co_await timer.async_wait(asio::use_awaitable);
}

Clock::duration seconds(double s) { return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s)); }

// One call of a random kind with random arguments, its answer checked.
asio::awaitable<void> one_call(const rpc::Proxy& target, std::mt19937_64& random, CallStats& stats,
                               Clock::duration timeout) {
    const auto kind = random() % 4;
    const std::string what = "call";
    try {
        if (kind < 2) {
            const auto a = static_cast<std::int64_t>(random() % 2'000'000'000) - 1'000'000'000;
            const auto b = static_cast<std::int64_t>(random() % 2'000'000'000) - 1'000'000'000;
            auto call = target["add"].call<std::int64_t>(a, b);
            const auto sum = co_await with_timeout(std::move(call), timeout, what);
            ++(sum == expected_sum(a, b) ? stats.ok : stats.wrong);
        } else {
            const std::string text(random() % 2048, static_cast<char>('a' + random() % 26));
            const bool later = kind == 3;
            auto call = later ? target["later_echo"].call<std::string>(text, static_cast<std::int64_t>(random() % 20))
                              : target["echo"].call<std::string>(text);
            const auto echo = co_await with_timeout(std::move(call), timeout, what);
            ++(echo == expected_echo(text) ? stats.ok : stats.wrong);
        }
    } catch (const Timeout&) {
        ++stats.hung;
    } catch (const ConnectionError&) {
        ++stats.failed;
    } catch (const RemoteError& e) {
        if (stats.remote++ == 0) spdlog::error("soak: a failure reply: {}", e.what());
    } catch (const Error& e) {
        if (stats.other++ == 0) spdlog::error("soak: an unexpected error: {}", e.what());
    }
}

struct Soak {
    Soak(const SoakOptions& o, const asio::any_io_executor& ex, std::uint64_t seed)
        : options(o), executor(ex), random(seed), changed(ex, Clock::time_point::max()) {}

    const SoakOptions& options;
    asio::any_io_executor executor;
    Clock::time_point end;
    std::mt19937_64 random;
    CallStats rpc;
    CallStats agent;
    std::vector<std::unique_ptr<ServerProcess>> servers;  // RPC, agent, then the relay
    unsigned connected = 0;  // workers with their connection up
    unsigned done = 0;       // workers done calling, waiting for `release`
    unsigned finished = 0;   // workers gone
    bool release = false;
    std::vector<std::string> errors;  // workers that could not run at all
    // Never expires: notify() cancels it, which wakes every wait_for to look again.
    asio::steady_timer changed;

    void notify() { changed.cancel(); }
    asio::awaitable<void> wait_for(const std::function<bool()>& condition) {
        while (!condition()) co_await changed.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }

    // Calls until the end, then keeps the connection until the final resources are sampled.
    asio::awaitable<void> call_loop(const rpc::Proxy& target, CallStats& stats, std::uint64_t seed) {
        std::mt19937_64 own(seed);
        ++connected;
        notify();
        while (Clock::now() < end) co_await one_call(target, own, stats, seconds(options.call_timeout_s));
        ++done;
        notify();
        co_await wait_for([this] { return release; });
    }

    asio::awaitable<void> rpc_worker(std::uint16_t port, std::uint64_t seed) {
        ConnectOptions connect;
        connect.timeout = std::chrono::seconds(10);
        ReconnectPolicy policy;
        policy.initial_delay = std::chrono::milliseconds(20);
        policy.max_delay = std::chrono::milliseconds(500);
        connect.reconnect = policy;
        auto endpoint = Endpoint::tcp("127.0.0.1", port);
        auto connection = co_await rpc::open_connection(std::move(endpoint), nullptr, std::move(connect));
        const auto remote = connection.remote();
        co_await call_loop(remote, rpc, seed);
        connection.close();
    }

    asio::awaitable<void> agent_worker(std::uint16_t port, std::uint64_t seed) {
        agent::ContainerOptions container_options;
        ReconnectPolicy policy;
        policy.initial_delay = std::chrono::milliseconds(20);
        policy.max_delay = std::chrono::milliseconds(500);
        container_options.reconnect = policy;
        std::string own_address = "tcp://127.0.0.1:0";
        auto container = co_await agent::Container::create(std::move(own_address), std::move(container_options));
        const auto url = agent::container_address(Endpoint::tcp("127.0.0.1", port)) + "/0";
        const std::optional<Clock::duration> connect_timeout = std::chrono::seconds(10);
        const auto remote = co_await container->connect(url, connect_timeout);
        co_await call_loop(remote, agent, seed);
        container->shutdown();
    }

    asio::awaitable<void> kill_loop() {
        std::uniform_real_distribution<double> interval(options.kill_min_s, options.kill_max_s);
        for (;;) {
            const auto next = Clock::now() + seconds(interval(random));
            if (next >= end) co_return;
            co_await pause(next - Clock::now());
            auto& victim = *servers[random() % servers.size()];
            co_await victim.kill_and_restart();
        }
    }

    void spawn(asio::awaitable<void> work, std::string what) {
        asio::co_spawn(executor, std::move(work), [this, what](std::exception_ptr error) {
            if (error) {
                try {
                    std::rethrow_exception(error);
                } catch (const std::exception& e) {
                    errors.push_back(fmt::format("{}: {}", what, e.what()));
                }
            }
            ++finished;
            notify();
        });
    }
};

struct Figures {
    std::vector<std::tuple<std::string, double, std::string>> rows;
    void add(std::string name, double value, std::string unit) { rows.emplace_back(std::move(name), value, std::move(unit)); }
    void add_calls(const std::string& prefix, const CallStats& s) {
        add(prefix + ".calls", static_cast<double>(s.calls()), "");
        add(prefix + ".ok", static_cast<double>(s.ok), "");
        add(prefix + ".failed_with_error", static_cast<double>(s.failed), "");
        add(prefix + ".failure_replies", static_cast<double>(s.remote), "");
        add(prefix + ".wrong_answers", static_cast<double>(s.wrong), "");
        add(prefix + ".hung", static_cast<double>(s.hung), "");
        add(prefix + ".other_errors", static_cast<double>(s.other), "");
    }
    void print(bool json) const {
        for (const auto& [name, value, unit] : rows) {
            // Counts as whole numbers (a seed has 20 digits), measurements with 4 decimals.
            const auto text = value == std::floor(value) && std::abs(value) < 1e19 ? fmt::format("{:.0f}", value)
                                                                                  : fmt::format("{:.4f}", value);
            if (json) {
                std::printf("{\"name\": \"%s\", \"value\": %s, \"unit\": \"%s\"}\n", name.c_str(), text.c_str(), unit.c_str());
            } else {
                std::printf("%-36s %22s %s\n", name.c_str(), text.c_str(), unit.c_str());
            }
        }
        std::fflush(stdout);
    }
};

struct Outcome {
    Figures figures;
    bool passed = false;
};

asio::awaitable<Outcome> soak(const SoakOptions& options, std::uint64_t seed) {
    auto executor = co_await asio::this_coro::executor;
    Soak s(options, executor, seed);
    for (unsigned i = 0; i < options.servers; ++i) {
        s.servers.push_back(std::make_unique<ServerProcess>(
            s.executor, fmt::format("rpc-server-{}", i), std::vector<std::string>{options.self, "--serve", "rpc"}));
    }
    for (unsigned i = 0; i < options.servers; ++i) {
        s.servers.push_back(std::make_unique<ServerProcess>(
            s.executor, fmt::format("agent-server-{}", i), std::vector<std::string>{options.self, "--serve", "agent"}));
    }
    for (auto& server : s.servers) co_await server->start();
    MsgStream stream(s.executor, options.msg_rate);
    stream.expect(static_cast<std::uint64_t>(options.msg_rate * options.duration_s * 1.1) + 1000);
    const auto receiver_port = co_await stream.bind_receiver();
    s.servers.push_back(std::make_unique<ServerProcess>(
        s.executor, "relay", std::vector<std::string>{options.self, "--serve", "relay", "--to", std::to_string(receiver_port)}));
    co_await s.servers.back()->start();
    stream.connect_sender(s.servers.back()->port());

    const auto start = Clock::now();
    s.end = start + seconds(options.duration_s);
    const unsigned rpc_workers = options.connections / 2;
    for (unsigned i = 0; i < options.connections; ++i) {
        const bool rpc = i < rpc_workers;
        const auto& server = *s.servers[(rpc ? 0 : options.servers) + i % options.servers];
        auto work = rpc ? s.rpc_worker(server.port(), s.random()) : s.agent_worker(server.port(), s.random());
        s.spawn(std::move(work), fmt::format("{} connection {} to {}", rpc ? "rpc" : "agent", i, server.name()));
    }
    const auto n = options.connections;
    co_await s.wait_for([&] { return s.connected + s.errors.size() >= n; });
    bool receiving = true;
    asio::co_spawn(s.executor, stream.receive(), [&](std::exception_ptr) {
        receiving = false;
        s.notify();
    });
    // The first figures once every connection is up and has made its first calls.
    co_await pause(std::chrono::seconds(1));
    const auto first = sample_resources();
    auto peak = first;
    bool killing = true;
    asio::co_spawn(s.executor, s.kill_loop(), [&](std::exception_ptr error) {
        killing = false;
        s.notify();
        if (error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                // Said at once: the servers stop being killed, and the rest of the run is no soak.
                spdlog::error("soak: the kill loop stopped: {}", e.what());
                s.errors.push_back(fmt::format("kill loop: {}", e.what()));
            }
        }
    });
    bool sending = true;
    asio::co_spawn(s.executor, stream.send_until(s.end), [&](std::exception_ptr error) {
        sending = false;
        if (error) s.errors.push_back("msg sender stopped early");
        s.notify();
    });
    // Progress every tenth of the run, with the resources so far.
    const auto tick = seconds(std::max(options.duration_s / 10, 1.0));
    while (Clock::now() < s.end) {
        co_await pause(std::min<Clock::duration>(tick, s.end - Clock::now()));
        const auto now = sample_resources();
        peak.rss_mib = std::max(peak.rss_mib, now.rss_mib);
        peak.fds = std::max(peak.fds, now.fds);
        unsigned restarts = 0;
        for (const auto& server : s.servers) restarts += server->restarts();
        // On stderr whatever the log level: the libmas loggers' reconnection lines are what a
        // lower level hides.
        fmt::print(stderr, "soak: {:.0f}/{:.0f} s, {} calls, {} restarts, {} messages, RSS {:.1f} MiB, {} descriptors\n",
                   std::chrono::duration<double>(Clock::now() - start).count(), options.duration_s,
                   s.rpc.calls() + s.agent.calls(), restarts, stream.sent(), now.rss_mib, now.fds);
    }
    co_await s.wait_for([&] { return (s.done + s.errors.size() >= n && !killing && !sending) || s.finished >= n; });
    // Every connection still open, every server up: the same state as the first sample.
    const auto last = sample_resources();
    s.release = true;
    s.notify();
    co_await s.wait_for([&] { return s.finished >= n; });
    const auto msg = co_await stream.finish(std::chrono::seconds(60));
    co_await s.wait_for([&] { return !receiving; });
    std::vector<std::string> unexpected;
    for (auto& server : s.servers) {
        co_await server->stop();
        unexpected.insert(unexpected.end(), server->unexpected_exits().begin(), server->unexpected_exits().end());
    }
    for (const auto& line : s.errors) spdlog::error("soak: {}", line);
    for (const auto& line : unexpected) spdlog::error("soak: a server ended by itself: {}", line);

    Outcome out;
    auto& f = out.figures;
    f.add("soak.seed", static_cast<double>(seed), "");
    f.add("soak.duration_s", std::chrono::duration<double>(Clock::now() - start).count(), "s");
    f.add("soak.connections", n, "");
    unsigned restarts = 0;
    for (const auto& server : s.servers) restarts += server->restarts();
    f.add("soak.restarts", restarts, "");
    f.add("soak.servers_ended_by_themselves", static_cast<double>(unexpected.size()), "");
    f.add_calls("soak.rpc", s.rpc);
    f.add_calls("soak.agent", s.agent);
    f.add("soak.msg.sent", static_cast<double>(msg.sent), "");
    f.add("soak.msg.received", static_cast<double>(msg.received), "");
    f.add("soak.msg.repeats", static_cast<double>(msg.received - msg.distinct), "");
    f.add("soak.msg.lost", static_cast<double>(msg.lost), "");
    f.add("soak.msg.given_up", static_cast<double>(msg.given_up), "");
    f.add("soak.driver.rss_first_mib", first.rss_mib, "MiB");
    f.add("soak.driver.rss_last_mib", last.rss_mib, "MiB");
    f.add("soak.driver.rss_peak_mib", peak.rss_mib, "MiB");
    f.add("soak.driver.fds_first", static_cast<double>(first.fds), "");
    f.add("soak.driver.fds_last", static_cast<double>(last.fds), "");
    f.add("soak.driver.fds_peak", static_cast<double>(peak.fds), "");
    const auto bad = [](const CallStats& c) { return c.wrong + c.hung + c.remote + c.other; };
    // A connection may be between attempts at either sample: one descriptor each way per server.
    const bool fds_flat = last.fds <= first.fds + s.servers.size();
    out.passed = s.errors.empty() && unexpected.empty() && bad(s.rpc) == 0 && bad(s.agent) == 0 && msg.lost == 0 &&
                 msg.given_up == 0 && msg.flushed && fds_flat;
    if (!fds_flat) spdlog::error("soak: descriptors grew from {} to {}", first.fds, last.fds);
    co_return out;
}

}  // namespace

int run_soak(const SoakOptions& options) {
    const auto seed = options.seed != 0 ? options.seed : std::random_device()() | 1ULL;
    spdlog::info("soak: {} s, {} connections, {} RPC and {} agent servers and a relay, a kill every {}-{} s, seed {}",
                 options.duration_s, options.connections, options.servers, options.servers, options.kill_min_s,
                 options.kill_max_s, seed);
    asio::io_context io;
    const auto outcome = block_on(io, soak(options, seed));
    outcome.figures.print(options.json);
    if (!outcome.passed) std::fprintf(stderr, "mas-soak: error: calls or messages went wrong (see above)\n");
    return outcome.passed ? 0 : 1;
}

}  // namespace mas::soak
