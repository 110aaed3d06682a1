#include "core/value_stack.hpp"

#include <memory>

#include <fmt/format.h>

namespace mas::detail {

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
