#include "agent_bench.hpp"

#include <exception>
#include <vector>

#include <asio/co_spawn.hpp>
#include <spdlog/spdlog.h>

#include "mas/agent/agent.hpp"
#include "mas/agent/agent_factories.hpp"
#include "mas/agent/manager.hpp"
#include "mas/core/block_on.hpp"

namespace mas::bench {
namespace {

class BenchCallee : public agent::Agent {
public:
    explicit BenchCallee(agent::Container& container) : Agent(container) { expose("add", &BenchCallee::add, {"a", "b"}); }
    std::int64_t add(std::int64_t a, std::int64_t b) { return a + b; }
};

asio::awaitable<std::vector<Clock::duration>> call_sequentially(rpc::Proxy callee, std::size_t warmup,
                                                                std::size_t iterations) {
    const auto add = callee["add"];
    for (std::size_t i = 0; i < warmup; ++i) co_await add(1, 2);
    std::vector<Clock::duration> samples;
    samples.reserve(iterations);
    for (std::size_t i = 0; i < iterations; ++i) {
        const auto start = Clock::now();
        co_await add(1, 2);
        samples.push_back(Clock::now() - start);
    }
    co_return samples;
}

asio::awaitable<void> keep_calling(rpc::Proxy callee, ThroughputWindow& window) {
    const auto add = callee["add"];
    do {
        co_await add(1, 2);
    } while (window.record());
}

asio::awaitable<void> start(std::unique_ptr<agent::Container>& container, agent::SubprocessContainer& child,
                            rpc::Proxy& callee, std::string self) {
    container = co_await agent::Container::create("tcp://127.0.0.1:0");
    agent::SubprocessOptions options;
    options.log_level = "warn";
    options.extra_args = {std::string(subproc_child_flag)};
    child = co_await agent::start_subprocess_container(*container, std::move(self), options);
    callee = co_await child.spawn("bench-callee");
}

}  // namespace

int run_agent_child(int argc, char** argv) {
    agent::AgentFactories factories;
    factories.add<BenchCallee>("bench-callee");
    return agent::run_manager(argc, argv, factories);
}

AgentBench::AgentBench(const std::string& self) {
    block_on(io_, start(container_, child_, callee_, self));
}

AgentBench::~AgentBench() {
    try {
        callee_ = rpc::Proxy();
        if (child_) block_on(io_, child_.stop());
        child_ = agent::SubprocessContainer();
        container_.reset();
    } catch (const std::exception& e) {
        spdlog::error("agent benchmark: stopping the child: {}", e.what());
    }
}

Latency AgentBench::sequential(std::size_t warmup, std::size_t iterations) {
    return summarize(block_on(io_, call_sequentially(callee_, warmup, iterations)));
}

double AgentBench::pipelined(std::size_t in_flight, const ThroughputPhases& phases) {
    ThroughputWindow window(phases);
    auto running = in_flight;
    std::exception_ptr failure;
    for (std::size_t i = 0; i < in_flight; ++i) {
        asio::co_spawn(io_, keep_calling(callee_, window), [&](std::exception_ptr error) {
            if (error && !failure) failure = error;
            --running;
        });
    }
    while (running > 0) io_.run_one();
    if (failure) std::rethrow_exception(failure);
    return window.per_second();
}

}  // namespace mas::bench
