#pragma once
// Agent-to-agent calls between two containers in two processes: a caller container here and a
// subprocess container (this very program, started with --subproc-child) hosting the callee.
// Each call is `agents/1/add(1, 2)` through a container proxy, the way agents talk.

#include <memory>
#include <string>

#include <asio/io_context.hpp>

#include "mas/agent/container.hpp"
#include "mas/agent/subprocess_container.hpp"
#include "mas/rpc/proxy.hpp"
#include "measurement.hpp"

namespace mas::bench {

/// The flag that makes mas-bench run as the callee's subprocess container.
inline constexpr std::string_view subproc_child_flag = "--subproc-child";

/// The main of the child process: a subprocess container that can spawn the benchmark callee.
int run_agent_child(int argc, char** argv);

class AgentBench final : public RoundTripBench {
public:
    /// Starts the child `self` (the path of this executable) and spawns the callee in it.
    explicit AgentBench(const std::string& self);
    /// Stops the child and closes the caller's container.
    ~AgentBench() override;
    AgentBench(const AgentBench&) = delete;
    AgentBench& operator=(const AgentBench&) = delete;

    Latency sequential(std::size_t warmup, std::size_t iterations) override;
    double pipelined(std::size_t in_flight, const ThroughputPhases& phases) override;

private:
    asio::io_context io_{1};
    std::unique_ptr<agent::Container> container_;
    agent::SubprocessContainer child_;
    rpc::Proxy callee_;
};

}  // namespace mas::bench
