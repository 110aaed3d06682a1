#include "name_table.hpp"

#include <algorithm>
#include <cstring>

namespace mas::sims {
namespace {

constexpr std::size_t block_size = 64 * 1024;

}  // namespace

std::optional<std::uint32_t> NameTable::find(std::string_view name) const {
    index_new();
    const auto found = index_.find(name, [this](std::size_t id) { return names_[id]; });
    if (!found) return std::nullopt;
    return static_cast<std::uint32_t>(*found);
}

std::uint32_t NameTable::add(std::string_view name) {
    index_new();
    const auto hash = mosaik::detail::KeyIndex::Hash().add(name).value();
    const auto found = index_.find_hashed(hash, [&](std::size_t id) { return names_[id] == name; });
    if (found) return static_cast<std::uint32_t>(*found);
    const auto id = static_cast<std::uint32_t>(names_.size());
    names_.push_back(keep(name));
    index_.add_hashed(hash, id);
    indexed_ = names_.size();
    return id;
}

std::uint32_t NameTable::add_new(std::string_view name) {
    const auto id = static_cast<std::uint32_t>(names_.size());
    names_.push_back(keep(name));
    return id;
}

void NameTable::index_new() const {
    if (indexed_ == names_.size()) return;
    // The hashes first, in the order the names lie in memory; then the slots, fetched ahead.
    std::vector<std::uint32_t> hashes;
    hashes.reserve(names_.size() - indexed_);
    for (auto k = indexed_; k < names_.size(); ++k) {
        hashes.push_back(static_cast<std::uint32_t>(mosaik::detail::KeyIndex::Hash().add(names_[k]).value()));
    }
    index_.add_many(hashes, indexed_);
    indexed_ = names_.size();
}

void NameTable::reserve(std::size_t count) {
    // The lookup is sized when names are indexed: add_new() names, nearly all a first step
    // brings, are counted then, and `count` may be far more than there will be names.
    names_.reserve(count);
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
