#pragma once
/// \file
/// KeyIndex: the positions of string keys kept elsewhere (a JsonObject's items), found by hash in
/// one flat table. Inputs and Outputs index their entities with it: a simulator with many
/// entities looks each one up at every step, and a node-based hash map would allocate per key.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace mas::mosaik::detail {

class KeyIndex {
public:
    /// How many keys ahead a loop over many keys prefetches (see prefetch()).
    static constexpr std::size_t prefetch_ahead = 16;

    [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
    void clear() noexcept {
        slots_.clear();
        count_ = 0;
    }

    /// The hash of a key made of pieces, without joining them: Hash().add(a).add(b).value() is
    /// the hash of the key a + b.
    class Hash {
    public:
        // FNV-1a: entity ids are short, and std::hash's byte hash costs several times more on
        // them; equality is checked on every hit, so a weaker hash only costs a longer probe.
        Hash& add(std::string_view piece) noexcept {
            for (const char c : piece) {
                state_ ^= static_cast<unsigned char>(c);
                state_ *= 1099511628211ULL;
            }
            return *this;
        }
        [[nodiscard]] std::size_t value() const noexcept { return static_cast<std::size_t>(state_ ^ (state_ >> 32)); }

    private:
        std::uint64_t state_ = 14695981039346656037ULL;
    };

    /// A hash of two numbers (such as a pair of places) in which every bit of both reaches the
    /// low bits the table takes: splitmix64's finaliser. A plain multiplication leaves the low
    /// bits to one of the two, and keys that share it pile up in a few slots.
    [[nodiscard]] static std::size_t mix(std::uint32_t high, std::uint64_t low) noexcept {
        auto mixed = (static_cast<std::uint64_t>(high) << 32U) ^ low;
        mixed = (mixed ^ (mixed >> 30U)) * 0xBF58476D1CE4E5B9ULL;
        mixed = (mixed ^ (mixed >> 27U)) * 0x94D049BB133111EBULL;
        return static_cast<std::size_t>(mixed ^ (mixed >> 31U));
    }

    /// The position of `key`; `key_at(position)` must give the key stored at a position.
    template <class KeyAt>
    [[nodiscard]] std::optional<std::size_t> find(std::string_view key, const KeyAt& key_at) const {
        return find_hashed(Hash().add(key).value(), [&](std::size_t position) { return key_at(position) == key; });
    }

    /// The position whose key has `hash` and for which `equal(position)` holds.
    template <class Equal>
    [[nodiscard]] std::optional<std::size_t> find_hashed(std::size_t hash, const Equal& equal) const {
        if (slots_.empty()) return std::nullopt;
        const std::size_t mask = slots_.size() - 1;
        const auto tag = static_cast<std::uint32_t>(hash);
        for (std::size_t i = tag & mask;; i = (i + 1) & mask) {
            const auto& slot = slots_[i];
            if (slot.position == empty_slot) return std::nullopt;
            if (slot.tag == tag && equal(slot.position)) return slot.position;
        }
    }

    /// Starts fetching the slot where a probe for `hash` begins. A loop over many keys of a
    /// table larger than the caches calls it prefetch_ahead keys ahead, so that the slot has
    /// arrived when its key comes: otherwise each key waits for its slot in turn.
    void prefetch(std::size_t hash) const noexcept {
        // An address worked out as a number, with no test for an empty table: a prefetch of any
        // address is harmless, and g++ 12 leaves out a prefetch that sits behind a test of the
        // vector's size.
        const auto slot = static_cast<std::uint32_t>(hash) & (slots_.size() - 1);
        __builtin_prefetch(reinterpret_cast<const void*>(reinterpret_cast<std::uintptr_t>(slots_.data()) + slot * sizeof(Slot)));
    }

    /// Indexes `key` at `position`; the caller makes sure it is not indexed yet (a duplicate is
    /// kept, and find() gives whichever it meets first).
    void add(std::string_view key, std::size_t position) { add_hashed(Hash().add(key).value(), position); }

    /// Makes room for `count` keys in all, so that adding them does not grow the table.
    void reserve(std::size_t count) {
        auto size = slots_.empty() ? min_slots : slots_.size();
        while (count * 2 > size) size *= 2;
        if (size != slots_.size()) rehash(size);
    }

    /// add_hashed() of positions `first`, `first` + 1, ... with `hashes`, in one go. Many keys
    /// added one by one wait for one slot after the other: a large table lies outside the caches,
    /// and here each slot is fetched while the keys before it are placed.
    void add_many(std::span<const std::uint32_t> hashes, std::size_t first) {
        if (hashes.empty()) return;
        if (first + hashes.size() > empty_slot) throw std::length_error("a KeyIndex holds positions below 2^32 - 1");
        reserve(count_ + hashes.size());
        for (std::size_t k = 0; k < hashes.size(); ++k) {
            if (k + prefetch_ahead < hashes.size()) prefetch(hashes[k + prefetch_ahead]);
            place(hashes[k], static_cast<std::uint32_t>(first + k));
        }
        count_ += hashes.size();
    }

    /// The same with the key's Hash value.
    void add_hashed(std::size_t hash, std::size_t position) {
        if (position >= empty_slot) throw std::length_error("a KeyIndex holds positions below 2^32 - 1");
        if ((count_ + 1) * 2 > slots_.size()) grow();
        place(static_cast<std::uint32_t>(hash), static_cast<std::uint32_t>(position));
        ++count_;
    }

private:
    // A slot keeps 32 bits of the hash, which also choose where its probe starts (beyond 2^32
    // slots a probe would only run longer): 8 bytes a key, where a full hash and position took 16.
    static constexpr std::uint32_t empty_slot = UINT32_MAX;
    static constexpr std::size_t min_slots = 32;
    struct Slot {
        std::uint32_t tag = 0;
        std::uint32_t position = empty_slot;
    };

    void place(std::uint32_t tag, std::uint32_t position) {
        const std::size_t mask = slots_.size() - 1;
        std::size_t i = tag & mask;
        while (slots_[i].position != empty_slot) i = (i + 1) & mask;
        slots_[i] = Slot{tag, position};
    }

    void grow() { rehash(slots_.empty() ? min_slots : slots_.size() * 2); }

    void rehash(std::size_t size) {
        auto old = std::move(slots_);
        slots_.assign(size, Slot{});
        for (const auto& slot : old) {
            if (slot.position != empty_slot) place(slot.tag, slot.position);
        }
    }

    std::vector<Slot> slots_;  // a power of two in size, at most half full
    std::size_t count_ = 0;
};

}  // namespace mas::mosaik::detail
