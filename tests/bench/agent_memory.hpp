#pragma once
// Memory of idle agents: how much a container grows per agent that just sits there.

#include <cstddef>

namespace mas::bench {

/// The growth of this process's resident memory, in MiB, from creating one container (on an
/// in-process endpoint) with `count` idle agents, each exposing two functions as a typical
/// reactive agent does.
double idle_agents_memory_mib(std::size_t count);

}  // namespace mas::bench
