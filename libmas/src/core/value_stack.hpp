#pragma once
// The bottom-up builder every decoder shares: a parser pushes scalars and keys as they come and
// ends each container with its element count, so every array and object is allocated once at
// its final size, and every codec turns `{"__type__": [k, repr]}` maps into custom values alike.

#include <cstddef>
#include <iterator>
#include <memory_resource>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mas/core/json.hpp"

namespace mas::detail {

// Deeper input is rejected by every decoder: the parsers, Json's destructor and the writers use
// the call stack, and no aiomas or mosaik message comes anywhere near this.
inline constexpr std::size_t max_decode_depth = 512;

class ValueStack {
public:
    ValueStack(const std::vector<std::string>& types, std::pmr::memory_resource& memory)
        : types_(types), values_(&memory), keys_(&memory) {
        values_.reserve(16);
    }

    template <class... Args>
    void push(Args&&... args) {
        values_.emplace_back(std::forward<Args>(args)...);
    }
    void key(std::string_view text) { keys_.emplace_back(text); }
    /// Enters a container; false (and too_deep()) beyond max_decode_depth.
    bool enter() {
        if (++depth_ > max_decode_depth) {
            too_deep_ = true;
            return false;
        }
        return true;
    }
    // Inline: a parser calls these for every container, and they are short.
    /// Gathers the last `count` values into an array.
    void end_array(std::size_t count) {
        const auto first = values_.end() - static_cast<std::ptrdiff_t>(count);
        JsonArray array(std::make_move_iterator(first), std::make_move_iterator(values_.end()));
        values_.erase(first, values_.end());
        values_.emplace_back(std::move(array));
        --depth_;
    }
    /// Gathers the last `count` keys and values into an object, or a custom value if it has a
    /// "__type__" key.
    void end_object(std::size_t count) {
        JsonObject object = gather_object(count);
        if (object.contains("__type__")) {
            values_.push_back(custom_from(object));
        } else {
            values_.emplace_back(std::move(object));
        }
        --depth_;
    }
    /// Notes a problem of content (the first one is kept).
    void report(std::string problem) {
        if (problem_.empty()) problem_ = std::move(problem);
    }

    [[nodiscard]] bool too_deep() const noexcept { return too_deep_; }
    [[nodiscard]] std::size_t depth() const noexcept { return depth_; }
    std::string take_problem() { return std::move(problem_); }
    Json take_result() { return std::move(values_.back()); }

private:
    // Python keeps the first position and the last value of a duplicate key, as
    // JsonObject::update does.
    JsonObject gather_object(std::size_t count) {
        const auto first_key = keys_.size() - count;
        const auto first_value = values_.size() - count;
        JsonObject object;
        object.update(std::span(keys_.data() + first_key, count), std::span(values_.data() + first_value, count));
        keys_.erase(keys_.begin() + static_cast<std::ptrdiff_t>(first_key), keys_.end());
        values_.erase(values_.begin() + static_cast<std::ptrdiff_t>(first_value), values_.end());
        return object;
    }
    Json custom_from(JsonObject& object);

    const std::vector<std::string>& types_;
    std::pmr::vector<Json> values_;
    std::pmr::vector<std::string> keys_;
    std::string problem_;
    std::size_t depth_ = 0;
    bool too_deep_ = false;
};

}  // namespace mas::detail
