#include "mas/mosaik/outputs.hpp"

#include <utility>

#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas::mosaik {
namespace {

// Up to this many entities a search in order is as quick as an index.
constexpr std::size_t indexed_from = 8;

}  // namespace

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

Json& Outputs::entry(const std::string& eid) {
    if (!data_.empty()) {
        auto& last = *(data_.end() - 1);
        if (last.first == eid) return last.second;  // the attributes of one entity, one after the other
    }
    if (data_.size() < indexed_from) return data_[eid];
    const auto at = [&](std::size_t i) -> auto& { return *(data_.begin() + static_cast<std::ptrdiff_t>(i)); };
    if (positions_.empty()) {
        for (std::size_t i = 0; i < data_.size(); ++i) positions_.add(at(i).first, i);
    }
    const auto key_at = [&](std::size_t i) -> std::string_view { return at(i).first; };
    if (const auto found = positions_.find(eid, key_at)) return at(*found).second;
    positions_.add(eid, data_.size());
    data_.push_back(eid, Json());
    return at(data_.size() - 1).second;
}

Outputs& Outputs::set(const std::string& eid, const std::string& attr, Json value) {
    entry(eid)[attr] = std::move(value);
    return *this;
}

Outputs& Outputs::entity(const std::string& eid) {
    auto& e = entry(eid);
    if (e.is_null()) e = Json::object();
    return *this;
}

Outputs& Outputs::time(std::int64_t t) {
    time_ = t;
    return *this;
}

Json Outputs::to_json() const& {
    return Outputs(*this).to_json();
}

Json Outputs::to_json() && {
    positions_.clear();
    if (!time_) return Json(std::exchange(data_, JsonObject()));
    JsonObject out;
    out.reserve(data_.size() + 1);
    out.push_back("time", *time_);
    for (auto& [eid, attrs] : data_) out.push_back(std::move(eid), std::move(attrs));
    data_ = JsonObject();
    return Json(std::move(out));
}

}  // namespace mas::mosaik
