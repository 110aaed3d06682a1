#pragma once
// MinTree: the minimum of a fixed number of values, each of which changes often, in O(log n) per
// change and without allocating: the orchestrator needs, after every step, the oldest output
// time any simulator may still read.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace mas::mosaik::detail {

class MinTree {
public:
    MinTree() = default;
    /// `size` values, all at the largest int64 until set.
    explicit MinTree(std::size_t size) : size_(size), tree_(2 * std::max<std::size_t>(size, 1), unset) {}

    /// Sets value `i` (< size).
    void set(std::size_t i, std::int64_t value) {
        std::size_t at = size_ + i;
        tree_[at] = value;
        for (at /= 2; at > 0; at /= 2) tree_[at] = std::min(tree_[2 * at], tree_[2 * at + 1]);
    }
    /// The smallest value; the largest int64 if none was set.
    [[nodiscard]] std::int64_t min() const noexcept { return size_ <= 1 ? tree_.back() : tree_[1]; }

private:
    static constexpr std::int64_t unset = std::numeric_limits<std::int64_t>::max();
    std::size_t size_ = 0;
    std::vector<std::int64_t> tree_{unset, unset};  // leaves at [size_, 2 size_), parents above
};

}  // namespace mas::mosaik::detail
