#include "orchestrator/graph_components.hpp"

#include <algorithm>
#include <utility>

namespace mas::mosaik::detail {

std::vector<std::vector<std::size_t>> strongly_connected_components(const std::vector<std::vector<std::size_t>>& out) {
    const std::size_t n = out.size();
    constexpr std::size_t unvisited = static_cast<std::size_t>(-1);
    std::vector<std::size_t> index(n, unvisited);
    std::vector<std::size_t> low(n, 0);
    std::vector<std::size_t> stack;
    std::vector<bool> on_stack(n, false);
    std::vector<std::pair<std::size_t, std::size_t>> calls;  // (node, its next successor to look at)
    std::vector<std::vector<std::size_t>> components;
    std::size_t counter = 0;
    for (std::size_t root = 0; root < n; ++root) {
        if (index[root] != unvisited) continue;
        index[root] = low[root] = counter++;
        stack.push_back(root);
        on_stack[root] = true;
        calls.emplace_back(root, 0);
        while (!calls.empty()) {
            const std::size_t v = calls.back().first;
            if (calls.back().second < out[v].size()) {
                const std::size_t w = out[v][calls.back().second++];
                if (index[w] == unvisited) {
                    index[w] = low[w] = counter++;
                    stack.push_back(w);
                    on_stack[w] = true;
                    calls.emplace_back(w, 0);
                } else if (on_stack[w]) {
                    low[v] = std::min(low[v], index[w]);
                }
                continue;
            }
            calls.pop_back();
            if (!calls.empty()) low[calls.back().first] = std::min(low[calls.back().first], low[v]);
            if (low[v] != index[v]) continue;
            std::vector<std::size_t> members;
            std::size_t w = 0;
            do {
                w = stack.back();
                stack.pop_back();
                on_stack[w] = false;
                members.push_back(w);
            } while (w != v);
            components.push_back(std::move(members));
        }
    }
    // Tarjan's algorithm finishes a component after every component it reaches.
    std::reverse(components.begin(), components.end());
    return components;
}

}  // namespace mas::mosaik::detail
