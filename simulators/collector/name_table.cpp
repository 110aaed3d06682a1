#include "name_table.hpp"

#include <algorithm>
#include <cstring>
#include <functional>

namespace mas::sims {
namespace {

constexpr std::size_t block_size = 64 * 1024;
constexpr std::uint64_t id_mask = 0xffffffffULL;

}  // namespace

std::size_t NameTable::probe(std::string_view name, std::size_t hash) const noexcept {
    // Linear probing from the hash's place: the slot of `name`, or the empty slot it would take.
    const std::size_t mask = slots_.size() - 1;
    const auto tag = static_cast<std::uint64_t>(hash >> 32) << 32;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        const auto slot = slots_[i];
        if (slot == 0) return i;
        if ((slot & ~id_mask) == tag && names_[static_cast<std::size_t>((slot & id_mask) - 1)] == name) return i;
    }
}

std::optional<std::uint32_t> NameTable::find(std::string_view name) const {
    if (slots_.empty()) return std::nullopt;
    const auto slot = slots_[probe(name, std::hash<std::string_view>{}(name))];
    if (slot == 0) return std::nullopt;
    return static_cast<std::uint32_t>((slot & id_mask) - 1);
}

std::uint32_t NameTable::add(std::string_view name) {
    if (2 * (names_.size() + 1) > slots_.size()) grow(std::max<std::size_t>(16, 2 * slots_.size()));
    const auto hash = std::hash<std::string_view>{}(name);
    auto& slot = slots_[probe(name, hash)];
    if (slot != 0) return static_cast<std::uint32_t>((slot & id_mask) - 1);
    const auto id = static_cast<std::uint32_t>(names_.size());
    names_.push_back(keep(name));
    slot = slot_of(id, hash);
    return id;
}

void NameTable::reserve(std::size_t count) {
    std::size_t slots = std::max<std::size_t>(16, slots_.size());
    while (slots < 2 * count) slots *= 2;
    if (slots > slots_.size()) grow(slots);
    names_.reserve(count);
}

void NameTable::grow(std::size_t slots) {
    slots_.assign(slots, 0);
    for (std::uint32_t id = 0; id < names_.size(); ++id) {
        const auto hash = std::hash<std::string_view>{}(names_[id]);
        slots_[probe(names_[id], hash)] = slot_of(id, hash);
    }
}

std::string_view NameTable::keep(std::string_view name) {
    if (name.size() > block_left_) {
        const auto size = std::max(block_size, name.size());
        blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));
        next_ = blocks_.back().get();
        block_left_ = size;
    }
    if (!name.empty()) std::memcpy(next_, name.data(), name.size());
    const std::string_view kept(next_, name.size());
    next_ += name.size();
    block_left_ -= name.size();
    return kept;
}

}  // namespace mas::sims
