#include "mas/mosaik/outputs.hpp"

#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas::mosaik {

OutputRequest::OutputRequest(const Json& raw) {
    if (!raw.is_object()) throw TypeError("get_data outputs must be an object, got " + raw.describe());
    for (const auto& [eid, attrs] : raw.as_object()) {
        if (!attrs.is_array()) {
            throw TypeError(fmt::format("get_data outputs of '{}' must be a list of attrs, got {}", eid,
                                        attrs.describe()));
        }
        std::vector<std::string> names;
        for (const auto& a : attrs.as_array()) {
            if (!a.is_string()) {
                throw TypeError(fmt::format("get_data outputs of '{}' must be attr names, got {}", eid, a.describe()));
            }
            names.push_back(a.as_string());
        }
        items_.emplace_back(eid, std::move(names));
    }
}

Outputs& Outputs::set(const std::string& eid, const std::string& attr, Json value) {
    data_[eid][attr] = std::move(value);
    return *this;
}

Outputs& Outputs::entity(const std::string& eid) {
    auto& entry = data_[eid];
    if (entry.is_null()) entry = Json::object();
    return *this;
}

Outputs& Outputs::time(std::int64_t t) {
    time_ = t;
    return *this;
}

Json Outputs::to_json() const {
    JsonObject out;
    if (time_) out.push_back("time", *time_);
    for (const auto& [eid, attrs] : data_) out.push_back(eid, attrs);
    return Json(std::move(out));
}

}  // namespace mas::mosaik
