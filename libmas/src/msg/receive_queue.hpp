#pragma once
// ReceiveQueue: messages received and not yet taken by recv(). Small payloads are copied into one
// shared byte buffer, so a read that brings thousands of them costs no allocation per message;
// each is allocated once, when recv() hands it out, right before the caller frees the previous
// one (which the allocator serves from its per-thread cache). Large payloads keep a string of
// their own, so they are copied only once.

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "mas/msg/envelope.hpp"
#include "mas/msg/socket.hpp"

namespace mas::msg::detail {

class ReceiveQueue {
public:
    [[nodiscard]] bool empty() const noexcept { return head_ == entries_.size(); }
    [[nodiscard]] std::size_t size() const noexcept { return entries_.size() - head_; }

    void push(const Identity& from, std::string_view payload) {
        // Here rather than in pop(): a reader that is draining the queue anyway moves nothing.
        if (head_ >= compact_after && head_ * 2 >= entries_.size()) compact();
        if (payload.size() > small_payload) {
            entries_.push_back(Entry{from, 0, payload.size()});
            large_.emplace_back(payload);
            return;
        }
        entries_.push_back(Entry{from, bytes_.size(), payload.size()});
        bytes_.append(payload);
    }

    /// The oldest message; the queue must not be empty.
    Message pop() {
        auto& entry = entries_[head_];
        Message message{entry.from, take_payload(entry)};
        advance();
        return message;
    }

    /// The oldest message's payload; the queue must not be empty.
    std::string pop_payload() {
        auto payload = take_payload(entries_[head_]);
        advance();
        return payload;
    }

private:
    static constexpr std::size_t small_payload = 4096;
    // Consumed entries are dropped once this many have piled up in front of unconsumed ones.
    static constexpr std::size_t compact_after = 1024;
    // A burst of messages may have grown the byte buffer; an empty queue gives such memory back.
    static constexpr std::size_t kept_capacity = std::size_t{1} << 20;

    struct Entry {
        Identity from;
        std::size_t offset;  // in bytes_; unused for a large payload
        std::size_t size;    // over small_payload: the payload is the first of large_
    };

    std::string take_payload(const Entry& entry) {
        if (entry.size > small_payload) {
            auto payload = std::move(large_.front());
            large_.pop_front();
            return payload;
        }
        return std::string(bytes_.data() + entry.offset, entry.size);
    }

    void advance() {
        ++head_;
        if (head_ == entries_.size()) {
            entries_.clear();
            head_ = 0;
            if (bytes_.capacity() > kept_capacity) {
                std::string().swap(bytes_);
            } else {
                bytes_.clear();
            }
        }
    }

    void compact() {
        // Entries before head_ are consumed; a large payload among them left no bytes behind.
        std::size_t first_offset = bytes_.size();
        for (std::size_t i = head_; i < entries_.size(); ++i) {
            if (entries_[i].size <= small_payload) {
                first_offset = entries_[i].offset;
                break;
            }
        }
        bytes_.erase(0, first_offset);
        entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
        for (auto& entry : entries_) {
            if (entry.size <= small_payload) entry.offset -= first_offset;
        }
    }

    std::vector<Entry> entries_;
    std::size_t head_ = 0;
    std::string bytes_;
    std::deque<std::string> large_;
};

}  // namespace mas::msg::detail
