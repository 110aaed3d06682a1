#pragma once
// UnackedTable: the at-least-once messages a socket has sent and not seen acknowledged, by id.
// A socket's ids are its random 8-byte prefix followed by a big-endian counter that goes up by
// one per message, and ACKs mostly come back in that order; so the entries live in a deque
// indexed by counter, where an ACK is an index and the acknowledged front is dropped, with no
// hashing and no allocation per message. An entry that stays unacknowledged while the deque
// grows past max_span moves to a map of its own, so one lost message cannot pin every later
// slot in memory until it is given up.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>
#include <unordered_map>
#include <utility>

#include "mas/msg/envelope.hpp"

namespace mas::msg::detail {

template <typename T>
class UnackedTable {
public:
    static constexpr std::size_t max_span = std::size_t{1} << 18;

    explicit UnackedTable(std::uint64_t prefix) noexcept : prefix_(prefix) {}

    /// The id of the message with this counter.
    [[nodiscard]] MsgId id_of(std::uint64_t counter) const noexcept {
        MsgId id;
        std::memcpy(id.data(), &prefix_, sizeof prefix_);
        for (int i = 0; i < 8; ++i) id[15 - i] = static_cast<std::uint8_t>(counter >> (8 * i));
        return id;
    }

    /// Adds the entry of a new message; `counter` is larger than every one added before.
    T& insert(std::uint64_t counter, T value) {
        if (slots_.empty()) base_ = counter;
        while (base_ + slots_.size() < counter) slots_.emplace_back();
        auto& slot = slots_.emplace_back();
        slot.value = std::move(value);
        slot.live = true;
        ++live_;
        while (slots_.size() > max_span) {
            auto& front = slots_.front();
            if (front.live) stragglers_.emplace(base_, std::move(front.value));
            slots_.pop_front();
            ++base_;
        }
        drop_acknowledged_front();
        return slots_.back().value;
    }

    /// The entry for `id`, or nullptr if it is not pending (acknowledged, given up, or not ours).
    [[nodiscard]] T* find(const MsgId& id) noexcept {
        const auto counter = counter_of(id);
        if (!counter) return nullptr;
        if (*counter < base_) {
            auto it = stragglers_.find(*counter);
            return it == stragglers_.end() ? nullptr : &it->second;
        }
        const auto index = *counter - base_;
        if (index >= slots_.size() || !slots_[index].live) return nullptr;
        return &slots_[index].value;
    }

    /// Removes the entry for `id`; false if there was none.
    bool erase(const MsgId& id) {
        const auto counter = counter_of(id);
        if (!counter) return false;
        if (*counter < base_) {
            if (stragglers_.erase(*counter) == 0) return false;
            --live_;
            return true;
        }
        const auto index = *counter - base_;
        if (index >= slots_.size() || !slots_[index].live) return false;
        slots_[index].live = false;
        slots_[index].value = T();
        --live_;
        drop_acknowledged_front();
        return true;
    }

    [[nodiscard]] std::size_t size() const noexcept { return live_; }
    [[nodiscard]] bool empty() const noexcept { return live_ == 0; }

private:
    struct Slot {
        bool live = false;
        T value{};
    };

    [[nodiscard]] std::optional<std::uint64_t> counter_of(const MsgId& id) const noexcept {
        if (std::memcmp(id.data(), &prefix_, sizeof prefix_) != 0) return std::nullopt;
        std::uint64_t counter = 0;
        for (int i = 8; i < 16; ++i) counter = (counter << 8) | id[i];
        return counter;
    }

    void drop_acknowledged_front() noexcept {
        while (!slots_.empty() && !slots_.front().live) {
            slots_.pop_front();
            ++base_;
        }
    }

    std::uint64_t prefix_;
    std::deque<Slot> slots_;  // counters base_, base_ + 1, ...
    std::uint64_t base_ = 0;
    std::unordered_map<std::uint64_t, T> stragglers_;  // counters below base_
    std::size_t live_ = 0;
};

}  // namespace mas::msg::detail
