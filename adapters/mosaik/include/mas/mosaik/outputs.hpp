#pragma once
/// \file
/// OutputRequest and Outputs: the argument and the reply of a mosaik `get_data`.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mas/core/json.hpp"
#include "mas/mosaik/detail/key_index.hpp"

namespace mas::mosaik {

/// What mosaik asks for in `get_data`: `{eid: [attr, ...]}`, in mosaik's order.
/// Iterate as `for (const auto& [eid, attrs] : request)`.
class OutputRequest {
public:
    using value_type = std::pair<std::string, std::vector<std::string>>;

    OutputRequest() = default;
    /// Reads mosaik's JSON; throws mas::TypeError if it is not an object of string lists.
    explicit OutputRequest(const Json& raw);

    [[nodiscard]] auto begin() const noexcept { return items_.begin(); }
    [[nodiscard]] auto end() const noexcept { return items_.end(); }
    [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }

private:
    std::vector<value_type> items_;
};

/// The `get_data` reply: `{eid: {attr: value}}`, plus the optional top-level `"time"` (the output
/// time of event-based and hybrid simulators).
class Outputs {
public:
    /// Sets `eid`.`attr` (the entity's entry is created on first use, in insertion order).
    Outputs& set(const std::string& eid, const std::string& attr, Json value);
    /// Creates an entity's entry even if it gets no attribute (mosaik sends `{}` for it).
    Outputs& entity(const std::string& eid);
    /// Sets the top-level "time" entry.
    Outputs& time(std::int64_t t);

    [[nodiscard]] std::optional<std::int64_t> time() const noexcept { return time_; }
    /// The reply as mosaik reads it; "time" comes first when set.
    [[nodiscard]] Json to_json() const&;
    /// The same, moving the values out of these outputs.
    [[nodiscard]] Json to_json() &&;

private:
    /// The entry of `eid`, created if missing, in constant time for many entities.
    Json& entry(const std::string& eid);

    std::optional<std::int64_t> time_;
    JsonObject data_;
    /// Positions in data_ by entity id, once there are more than a few entities: a simulator
    /// replies for each of its entities at every step.
    detail::KeyIndex positions_;
};

}  // namespace mas::mosaik
