#pragma once
// The strongly connected components of a directed graph (Tarjan's algorithm, without recursion
// so that a chain of thousands of simulators does not exhaust the stack). The orchestrator uses
// them where only simulators on a common cycle matter: the search for cycles without delay, and
// the earliest trigger times.

#include <cstddef>
#include <vector>

namespace mas::mosaik::detail {

/// The components of the graph whose node v has the successors `out[v]`, in topological order:
/// every edge leads from a component to itself or to a later one.
std::vector<std::vector<std::size_t>> strongly_connected_components(const std::vector<std::vector<std::size_t>>& out);

}  // namespace mas::mosaik::detail
