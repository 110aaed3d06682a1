#include "agent_memory.hpp"

#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include <asio/io_context.hpp>

#include "mas/agent/agent.hpp"
#include "mas/agent/container.hpp"
#include "mas/core/block_on.hpp"

namespace mas::bench {
namespace {

class IdleAgent : public agent::Agent {
public:
    explicit IdleAgent(agent::Container& container) : Agent(container) {
        expose("add", &IdleAgent::add, {"a", "b"});
        expose("state", &IdleAgent::state);
    }
    int add(int a, int b) { return a + b; }
    double state() const { return value_; }

private:
    double value_ = 0;
};

// Resident set size from /proc/self/statm (second field, in pages).
double resident_mib() {
    std::ifstream statm("/proc/self/statm");
    std::size_t size = 0;
    std::size_t resident = 0;
    if (!(statm >> size >> resident)) throw std::runtime_error("cannot read /proc/self/statm");
    return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

}  // namespace

double idle_agents_memory_mib(std::size_t count) {
    asio::io_context io;
    const double before = resident_mib();
    auto container = block_on(io, agent::Container::create("local://mas-bench-idle-agents"));
    for (std::size_t i = 0; i < count; ++i) container->spawn<IdleAgent>();
    const double after = resident_mib();
    return after - before;
}

}  // namespace mas::bench
