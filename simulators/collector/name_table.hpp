#pragma once
// NameTable: names numbered in the order they were first added. A collector fed by 100,000
// entities learns 100,000 source names in its first step; with one allocation per name and a
// lookup that follows pointers, that step alone cost several of its later steps. Here the names
// sit in large blocks and are found through one flat table (the adapter's KeyIndex).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "mas/mosaik/detail/key_index.hpp"

namespace mas::sims {

class NameTable {
public:
    /// The number of `name`, added as the next number if it is new.
    std::uint32_t add(std::string_view name);
    /// Adds `name`, which the caller knows is not in the table yet, as the next number. Such
    /// names are looked up only when they are needed, many at once: a collector's first step
    /// brings a name for each of its thousands of sources, nearly always all new.
    std::uint32_t add_new(std::string_view name);
    /// The number of `name`, if it was added.
    [[nodiscard]] std::optional<std::uint32_t> find(std::string_view name) const;
    /// The name numbered `id`; valid as long as the table.
    [[nodiscard]] std::string_view operator[](std::uint32_t id) const { return names_[id]; }
    [[nodiscard]] std::size_t size() const noexcept { return names_.size(); }
    /// Makes room for `count` names in all.
    void reserve(std::size_t count);

private:
    std::string_view keep(std::string_view name);
    // Indexes the names added by add_new() since the last time.
    void index_new() const;

    std::vector<std::string_view> names_;
    std::vector<std::unique_ptr<char[]>> blocks_;
    char* next_ = nullptr;  // the free part of the last block
    std::size_t block_left_ = 0;
    // names_ by name, in one flat table; names_ from `indexed_` on are not in it yet. Both are
    // brought up to date by the first lookup that needs them.
    mutable mosaik::detail::KeyIndex index_;
    mutable std::size_t indexed_ = 0;
};

}  // namespace mas::sims
