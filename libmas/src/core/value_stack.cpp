#include "core/value_stack.hpp"

#include <iterator>
#include <memory>

#include <fmt/format.h>

namespace mas::detail {

void ValueStack::end_array(std::size_t count) {
    const auto first = values_.end() - static_cast<std::ptrdiff_t>(count);
    JsonArray array(std::make_move_iterator(first), std::make_move_iterator(values_.end()));
    values_.erase(first, values_.end());
    values_.emplace_back(std::move(array));
    --depth_;
}

void ValueStack::end_object(std::size_t count) {
    JsonObject object = gather_object(count);
    if (object.contains("__type__")) {
        values_.push_back(custom_from(object));
    } else {
        values_.emplace_back(std::move(object));
    }
    --depth_;
}

// Python keeps the first position and the last value of a duplicate key, as insert_or_assign
// does (through the object's index once it is large).
JsonObject ValueStack::gather_object(std::size_t count) {
    const auto keys = keys_.begin() + static_cast<std::ptrdiff_t>(keys_.size() - count);
    const auto values = values_.begin() + static_cast<std::ptrdiff_t>(values_.size() - count);
    JsonObject object;
    object.reserve(count);
    for (std::size_t i = 0; i < count; ++i) object.insert_or_assign(std::move(keys[i]), std::move(values[i]));
    keys_.erase(keys, keys_.end());
    values_.erase(values, values_.end());
    return object;
}

// aiomas passes every decoded object through its hook, so any object with a "__type__" key is
// taken as a custom value, whatever else it holds.
Json ValueStack::custom_from(JsonObject& object) {
    Json& marker = *object.find("__type__");
    if (marker.is_array() && marker.size() == 2 && marker[0].is_integer()) {
        auto& pair = marker.as_array();
        if (pair[0].kind() == JsonKind::integer) {
            const auto id = std::get<std::int64_t>(pair[0].storage());
            if (id >= 0 && static_cast<std::uint64_t>(id) < types_.size()) {
                return Json(JsonCustom{types_[static_cast<std::size_t>(id)],
                                       std::make_shared<const Json>(std::move(pair[1]))});
            }
            report(fmt::format("unknown custom type id {}", id));
        } else {
            report(fmt::format("unknown custom type id {}", std::get<std::uint64_t>(pair[0].storage())));
        }
        return Json();
    }
    report(fmt::format("invalid custom value: \"__type__\" must be [type id, value], got {}", marker.describe()));
    return Json();
}

}  // namespace mas::detail
