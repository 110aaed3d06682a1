// The RPC and agent examples of docs/examples (rpc-math, agent-callee, agent-hello, agent-clock),
// run as real processes: server and client apart, in demo mode, and with a failing peer.

#include <csignal>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "integration/child_process.hpp"
#include "integration/server_process.hpp"
#include "support/run.hpp"

using namespace mas;
using test::ServerProcess;

namespace {

const std::string rpc_math_exe = MAS_RPC_MATH_EXE;
const std::string agent_callee_exe = MAS_AGENT_CALLEE_EXE;
const std::string agent_hello_exe = MAS_AGENT_HELLO_EXE;
const std::string agent_clock_exe = MAS_AGENT_CLOCK_EXE;

const std::vector<std::string> rpc_math_client{
    "client: add(3, 4) = 7",
    "client: add(1, b=2.5) = 3.5",
    "client: addition/add(3, 4) = 7",
    "client: subtraction/sub(4, 3) = 1",
    "client: pong(41)",
    "client: ping(client, 41) = 42",
    "client: boom() failed remotely: ZeroDivisionError: boom!",
};

const std::vector<std::string> rpc_math_server{
    "server: add(3, 4)",
    "server: add(1, 2.5)",
    "server: addition/add(3, 4)",
    "server: ping(41), calling pong back",
};

const std::vector<std::string> agent_caller{
    "caller: spam(2) = spamspam",
    "caller: add(1, 2) = 3",
    "caller: next_day(2016-01-01T00:00:00+00:00) = 2016-01-02T00:00:00+00:00",
    "caller: hello(B)",
    "caller: call_back(me, \"B\") = hello B",
};

const std::vector<std::string> agent_callee{
    "callee: spam(2)",
    "callee: add(1, 2)",
    "callee: next_day(2016-01-01T00:00:00+00:00)",
    "callee: calling hello(B) back",
};

std::vector<std::string> without_first(std::vector<std::string> lines) {
    if (!lines.empty()) lines.erase(lines.begin());
    return lines;
}

std::vector<std::string> without_prefix(const std::vector<std::string>& lines, const std::string& prefix) {
    std::vector<std::string> out;
    for (const auto& line : lines) {
        if (!line.starts_with(prefix)) out.push_back(line);
    }
    return out;
}

}  // namespace

TEST_CASE("rpc-math client and server call nested services, a call back and a failing function",
          "[integration][rpc]") {
    ServerProcess server(rpc_math_exe);
    const auto client = test::run_program(rpc_math_exe, {"client", server.address()}, test::hang_guard);
    INFO("client stderr: " << client.err);
    CHECK(client.status.success());
    CHECK(test::split_lines(client.out) == rpc_math_client);
    CHECK(without_first(server.stop()) == rpc_math_server);
}

TEST_CASE("rpc-math demo runs server and client in one process", "[integration][rpc]") {
    const auto demo = test::run_program(rpc_math_exe, {"demo"}, test::hang_guard);
    INFO("stderr: " << demo.err);
    CHECK(demo.status.success());
    const auto lines = without_first(test::split_lines(demo.out));
    CHECK(without_prefix(lines, "server: ") == rpc_math_client);
    CHECK(without_prefix(lines, "client: ") == rpc_math_server);
}

TEST_CASE("agent-callee caller and callee containers talk across processes", "[integration][agent]") {
    ServerProcess server(agent_callee_exe);
    const auto client = test::run_program(agent_callee_exe, {"client", server.address()}, test::hang_guard);
    INFO("client stderr: " << client.err);
    CHECK(client.status.success());
    CHECK(test::split_lines(client.out) == agent_caller);
    CHECK(without_first(server.stop()) == agent_callee);
}

TEST_CASE("agent-callee client fails with a one-line error when the callee container is down",
          "[integration][agent]") {
    std::string address;
    {
        ServerProcess gone(agent_callee_exe);
        address = gone.address();
        gone.stop();
    }
    const auto client = test::run_program(agent_callee_exe, {"client", address, "--timeout", "0.2"}, test::hang_guard);
    CHECK(client.status.exited);
    CHECK(client.status.code == 1);
    CHECK(client.err.starts_with("agent-callee: error: "));
    CHECK(test::split_lines(client.err).size() == 1);
}

TEST_CASE("agent-hello greets three times", "[integration][agent]") {
    const auto run = test::run_program(agent_hello_exe, {}, test::hang_guard);
    INFO("stderr: " << run.err);
    CHECK(run.status.success());
    CHECK(test::split_lines(run.out) ==
          std::vector<std::string>{"Monty says:", "Hello, World!", "Hello, World!", "Hello, World!"});
}

TEST_CASE("agent-clock wakes its sleepers in the same order on every run", "[integration][agent]") {
    const auto first = test::run_program(agent_clock_exe, {}, test::hang_guard);
    const auto second = test::run_program(agent_clock_exe, {}, test::hang_guard);
    INFO("stderr: " << first.err);
    CHECK(first.status.success());
    CHECK(first.out == second.out);
    const auto lines = test::split_lines(first.out);
    REQUIRE(lines.size() == 18);  // 8 clock steps, 10 wake-ups
    CHECK(lines[0] == "clock: set to 2");
    CHECK(lines[1] == "t=   2 2016-01-01T00:00:02+00:00 agent 0 (every 2s) woke up");
    // At t=6 both are due: agent 1 went to sleep (at t=3) before agent 0 did (at t=4).
    CHECK(lines[7] == "t=   6 2016-01-01T00:00:06+00:00 agent 1 (every 3s) woke up");
    CHECK(lines[8] == "t=   6 2016-01-01T00:00:06+00:00 agent 0 (every 2s) woke up");
    CHECK(lines.back() == "t=  12 2016-01-01T00:00:12+00:00 agent 0 (every 2s) woke up");
}
