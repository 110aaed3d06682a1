// SimStarter: mosaik's three starters, and every way a start can fail without leaving a child.
#include "mas/mosaik/orchestrator/sim_starter.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include "example_sim.hpp"
#include "mas/core/error.hpp"
#include "mas/mosaik/orchestrator/local_sim_proxy.hpp"
#include "support/raw_peer.hpp"
#include "support/run.hpp"

using namespace mas;
using namespace std::chrono_literals;
using mosaik::SimConfig;
using mosaik::SimStarter;
using mosaik::SimulationError;
using Kind = SimConfig::Kind;

namespace {

// True if `pid` is no child of ours any more: it has been reaped (no zombie left).
bool reaped(pid_t pid) { return ::waitpid(pid, nullptr, WNOHANG) == -1 && errno == ECHILD; }

// True if this process has no children at all, running or zombie.
bool no_children() { return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD; }

mosaik::StarterOptions quick_start() {
    mosaik::StarterOptions options;
    options.start_timeout = 200ms;
    return options;
}

const std::string example_sim = MAS_EXAMPLE_SIM_EXE;

}  // namespace

TEST_CASE("An in-process simulator is made by its registered factory", "[mosaik]") {
    asio::io_context io;
    mosaik::SimRegistry registry;
    registry.add("ExampleSim", [] { return std::make_unique<sims::ExampleSim>(); });
    registry.add("Broken", []() -> std::unique_ptr<mosaik::Simulator> { throw std::runtime_error("no licence"); });
    CHECK_THROWS_AS(registry.add("ExampleSim", [] { return std::make_unique<sims::ExampleSim>(); }), ConfigError);
    SimStarter starter(std::move(registry));
    auto proxy = test::run(io, starter.start("ExampleSim-0", SimConfig(Kind::in_process, "ExampleSim")));
    CHECK(dynamic_cast<mosaik::LocalSimProxy*>(proxy.get()));
    CHECK_THROWS_WITH(test::run(io, starter.start("X-0", SimConfig(Kind::in_process, "Nope"))),
                      Catch::Contains("no C++ simulator is registered as \"Nope\" (registered: Broken, ExampleSim)"));
    CHECK_THROWS_WITH(test::run(io, starter.start("Broken-0", SimConfig(Kind::in_process, "Broken"))),
                      "Simulator \"Broken-0\" could not be created: no licence");
}

TEST_CASE("A cmd simulator gets its placeholders, quotes, cwd and environment as mosaik gives them", "[mosaik][integration]") {
    asio::io_context io;
    auto options = quick_start();
    options.start_timeout = 30s;
    options.python = example_sim;  // %(python)s: here the program that connects back
    SimConfig config(Kind::cmd, R"sh(/bin/sh -c 'test "$MAS_SIM_X" = "x y" && test "$(pwd -P)" = "$(cd /tmp && pwd -P)" && exec "$0" "$1"' %(python)s %(addr)s)sh");
    config.cwd = "/tmp";
    config.env["MAS_SIM_X"] = "x y";
    SimStarter starter(mosaik::SimRegistry(), options);
    auto proxy = test::run(io, starter.start("ExampleSim-0", config));
    const auto* process = dynamic_cast<mosaik::RemoteSimProxy&>(*proxy).process();
    REQUIRE(process);
    const auto pid = process->pid();
    JsonObject none;
    auto meta = test::run(io, mosaik::init_within(*proxy, 1.0, none, 30s));
    CHECK(meta["type"] == Json("hybrid"));
    test::run(io, proxy->stop());
    CHECK(process->exit_status() == agent::ExitStatus(true, 0));
    CHECK(reaped(pid));
}

TEST_CASE("A cmd simulator that exits before connecting fails the start at once", "[mosaik][integration]") {
    REQUIRE(no_children());
    asio::io_context io;
    mosaik::StarterOptions options;  // the default 10 s must not be waited for
    SimStarter starter(mosaik::SimRegistry(), options);
    const auto started = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH(test::run(io, starter.start("Quit-0", SimConfig(Kind::cmd, "/bin/sh -c 'exit 3'"))),
                      "Simulator \"Quit-0\" exited with exit code 3 before it connected to mosaik");
    CHECK(std::chrono::steady_clock::now() - started < 5s);  // a hang guard, not a speed goal
    CHECK(no_children());
}

TEST_CASE("A cmd simulator that never connects times out and is killed", "[mosaik][integration]") {
    REQUIRE(no_children());
    asio::io_context io;
    SimStarter starter(mosaik::SimRegistry(), quick_start());
    CHECK_THROWS_WITH(test::run(io, starter.start("Mute-0", SimConfig(Kind::cmd, "/bin/sleep 30"))),
                      "Simulator \"Mute-0\" did not connect to mosaik in time (200 ms)");
    CHECK(no_children());
}

TEST_CASE("A cmd that cannot be started or split is reported before anything runs", "[mosaik]") {
    asio::io_context io;
    SimStarter starter(mosaik::SimRegistry(), quick_start());
    CHECK_THROWS_WITH(test::run(io, starter.start("No-0", SimConfig(Kind::cmd, "mas-no-such-sim %(addr)s"))),
                      Catch::StartsWith("Simulator \"No-0\" could not be started: "));
    CHECK_THROWS_AS(test::run(io, starter.start("No-0", SimConfig(Kind::cmd, "sim 'open %(addr)s"))), ConfigError);
    CHECK_THROWS_AS(test::run(io, starter.start("No-0", SimConfig(Kind::cmd, "sim %(port)s"))), ConfigError);
}

TEST_CASE("A cmd simulator that crashes mid-run fails the pending call and leaves no zombie", "[mosaik][integration]") {
    asio::io_context io;
    SimStarter starter;
    auto proxy = test::run(io, starter.start("ExampleSim-0", SimConfig(Kind::cmd, example_sim + " %(addr)s")));
    const auto* process = dynamic_cast<mosaik::RemoteSimProxy&>(*proxy).process();
    REQUIRE(process);
    const auto pid = process->pid();
    JsonObject none;
    test::run(io, proxy->init(1.0, none));
    REQUIRE(::kill(pid, SIGKILL) == 0);
    CHECK_THROWS_WITH(test::run(io, proxy->setup_done()),
                      "Simulator \"ExampleSim-0\" closed its connection (during setup_done)");
    test::run(io, proxy->stop());
    CHECK(process->exit_status() == agent::ExitStatus(false, SIGKILL));
    CHECK(reaped(pid));
}

TEST_CASE("Connecting to a port where no simulator listens is a SimulationError", "[mosaik]") {
    asio::io_context io;
    std::uint16_t port = 0;
    {
        asio::ip::tcp::acceptor probe(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        port = probe.local_endpoint().port();
    }
    SimStarter starter(mosaik::SimRegistry(), quick_start());
    const auto address = "127.0.0.1:" + std::to_string(port);
    CHECK_THROWS_WITH(test::run(io, starter.start("Far-0", SimConfig(Kind::connect, address))),
                      Catch::StartsWith("Simulator \"Far-0\" could not be reached at " + address));
    CHECK_THROWS_AS(test::run(io, starter.start("Far-0", SimConfig(Kind::connect, "not an address"))), ConfigError);
}

TEST_CASE("init_within gives up on a simulator that does not answer init", "[mosaik]") {
    asio::io_context io;
    test::RawListener listener(io.get_executor());
    SimStarter starter(mosaik::SimRegistry(), quick_start());
    auto address = "127.0.0.1:" + std::to_string(listener.endpoint().port);
    auto proxy = test::run(io, starter.start("Slow-0", SimConfig(Kind::connect, address)));
    JsonObject none;
    test::run(io, [&]() -> asio::awaitable<void> {
        auto peer = co_await listener.accept();  // connected, but it never answers
        auto init = mosaik::init_within(*proxy, 1.0, none, 100ms);
        CHECK_THROWS_WITH(co_await std::move(init), "Simulator \"Slow-0\" did not answer init in time (100 ms)");
        peer.close();
    }());
}
