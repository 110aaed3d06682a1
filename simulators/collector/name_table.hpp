#pragma once
// NameTable: names numbered in the order they were first added. A collector fed by 100,000
// entities learns 100,000 source names in its first step; with one allocation per name and a
// lookup that follows pointers, that step alone cost several of its later steps. Here the names
// sit in large blocks and the lookup is one flat array probed in place.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace mas::sims {

class NameTable {
public:
    /// The number of `name`, added as the next number if it is new.
    std::uint32_t add(std::string_view name);
    /// The number of `name`, if it was added.
    [[nodiscard]] std::optional<std::uint32_t> find(std::string_view name) const;
    /// The name numbered `id`; valid as long as the table.
    [[nodiscard]] std::string_view operator[](std::uint32_t id) const { return names_[id]; }
    [[nodiscard]] std::size_t size() const noexcept { return names_.size(); }
    /// Makes room for `count` names in all without growing the lookup.
    void reserve(std::size_t count);

private:
    // A slot holds 0 (empty) or the name's number + 1 with the upper half of its hash, so that
    // most probes that do not match are told apart without reading a name.
    static std::uint64_t slot_of(std::uint32_t id, std::size_t hash) noexcept {
        return (static_cast<std::uint64_t>(hash >> 32) << 32) | (static_cast<std::uint64_t>(id) + 1);
    }
    [[nodiscard]] std::size_t probe(std::string_view name, std::size_t hash) const noexcept;
    void grow(std::size_t slots);
    std::string_view keep(std::string_view name);

    std::vector<std::string_view> names_;
    std::vector<std::unique_ptr<char[]>> blocks_;
    char* next_ = nullptr;        // the free part of the last block
    std::size_t block_left_ = 0;
    std::vector<std::uint64_t> slots_;  // a power of two in size, at most half full
};

}  // namespace mas::sims
