#pragma once
/// \file
/// OutputRequest and Outputs: the argument and the reply of a mosaik `get_data`.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "mas/core/json.hpp"
#include "mas/mosaik/detail/key_index.hpp"

namespace mas::mosaik {

namespace detail {

/// The storage of outputs laid out by one request, handed back when they end so that the next
/// outputs of that request reuse it: a simulator answers the same request at every step, and
/// fresh storage for thousands of values costs more each time than filling it.
struct OutputSpare {
    std::mutex mutex;
    std::vector<Json> values;         // numbers, booleans or null: nothing held
    std::vector<std::uint8_t> set;    // all 0
    std::vector<std::int32_t> marks;
};

}  // namespace detail

/// What mosaik asks for in `get_data`: `{eid: [attr, ...]}`, in mosaik's order.
/// Iterate as `for (const auto& [eid, attrs] : request)`.
class OutputRequest {
public:
    using value_type = std::pair<std::string, std::vector<std::string>>;

    OutputRequest() = default;
    /// Reads mosaik's JSON; throws mas::TypeError if it is not an object of string lists.
    explicit OutputRequest(const Json& raw);
    /// The entities and their attributes, in this order (an entity listed twice is found at its
    /// first place).
    explicit OutputRequest(std::vector<value_type> items);

    [[nodiscard]] auto begin() const noexcept { return items_.begin(); }
    [[nodiscard]] auto end() const noexcept { return items_.end(); }
    [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }
    [[nodiscard]] const value_type& operator[](std::size_t i) const { return items_[i]; }

    /// A number no other request of this process has, shared only by copies (a request cannot
    /// change): a simulator may keep what it worked out from a request under it (the World asks
    /// an in-process simulator for the same request at every step).
    [[nodiscard]] std::uint64_t id() const noexcept { return id_; }
    OutputRequest(const OutputRequest& other) = default;
    OutputRequest& operator=(const OutputRequest& other) = default;
    /// A moved-from request is empty and gets a new id.
    OutputRequest(OutputRequest&& other) noexcept;
    OutputRequest& operator=(OutputRequest&& other) noexcept;
    ~OutputRequest() = default;

    /// The position of `eid` among the requested entities.
    [[nodiscard]] std::optional<std::size_t> find(std::string_view eid) const;
    /// mosaik's JSON of the request, `{eid: [attr, ...]}`, in this order.
    [[nodiscard]] Json to_json() const;
    /// How many (entity, attribute) pairs are requested.
    [[nodiscard]] std::size_t pair_count() const noexcept { return first_pair_.empty() ? 0 : first_pair_.back(); }
    /// The position among all requested pairs of the first attribute of entity `i`.
    [[nodiscard]] std::size_t first_pair(std::size_t i) const { return first_pair_[i]; }

private:
    friend class Outputs;

    void index();

    static std::uint64_t next_id() noexcept;

    std::vector<value_type> items_;
    std::vector<std::size_t> first_pair_;  // one per entity, plus the total
    detail::KeyIndex positions_;           // for many entities
    std::uint64_t id_ = next_id();
    // Shared by copies, which lay out outputs alike; a moved-from request has none (its outputs
    // are not recycled).
    std::shared_ptr<detail::OutputSpare> spare_ = std::make_shared<detail::OutputSpare>();
};

/// The `get_data` reply: `{eid: {attr: value}}`, plus the optional top-level `"time"` (the output
/// time of event-based and hybrid simulators). Entities come in the order they were first set,
/// and each entity's attributes too.
///
/// Made from the request (`Outputs out(request);`), outputs filled in the request's order keep
/// their values in one flat table laid out by it: no lookup by name, no allocation per entity,
/// and an in-process simulator's reply reaches the orchestrator as it is. Anything else (an
/// entity or attribute that was not asked for, or one set before an earlier one of the request)
/// moves them to the general form, with the same result. The request must outlive any use of
/// the outputs; ending them afterwards is safe.
class Outputs {
public:
    /// Where find() looks first: the entity's position among the reply's entities (the
    /// request's, if the reply follows it) and the attribute's among the entity's.
    struct Hint {
        std::size_t entity = 0;
        std::size_t attr = 0;
    };

    Outputs() = default;
    /// Empty outputs laid out by `request`, which must outlive their use.
    explicit Outputs(const OutputRequest& request);
    Outputs(const Outputs& other) = default;
    Outputs& operator=(const Outputs& other) = default;
    Outputs(Outputs&& other) noexcept = default;
    Outputs& operator=(Outputs&& other) noexcept;
    /// Hands laid-out storage back to the request for its next outputs.
    ~Outputs();

    /// A reply as a remote simulator sent it; throws mas::TypeError if it is not an object or its
    /// "time" is not an integer.
    [[nodiscard]] static Outputs from_json(Json reply);

    /// Sets `eid`.`attr` (the entity's entry is created on first use, in insertion order).
    Outputs& set(const std::string& eid, const std::string& attr, Json value);
    /// Creates an entity's entry even if it gets no attribute (mosaik sends `{}` for it).
    Outputs& entity(const std::string& eid);
    /// set() of the request's `entity`-th entity and its `attr`-th attribute, for outputs made
    /// from a request: a simulator that walks the request need not name them, and no name is
    /// compared. Throws mas::Error for outputs not made from a request or a place outside it.
    Outputs& set_at(std::size_t entity, std::size_t attr, Json value);
    /// set_at() of a number or boolean (as Json(value) would store it); for outputs filled in the
    /// request's order, it is written in place.
    template <class T>
        requires(std::is_arithmetic_v<T>)
    Outputs& set_at(std::size_t entity, std::size_t attr, T value) {
        if (const auto pair = next_pair_at(entity, attr); pair != none) {
            values_[pair] = value;
            set_[pair] = 1;
            return *this;
        }
        return set_at(entity, attr, Json(value));
    }
    /// entity() of the request's `entity`-th entity; throws as set_at does.
    Outputs& entity_at(std::size_t entity);
    /// Sets the top-level "time" entry.
    Outputs& time(std::int64_t t);

    [[nodiscard]] std::optional<std::int64_t> time() const noexcept { return time_; }
    /// The value of `eid`.`attr`, or nullptr.
    [[nodiscard]] const Json* find(std::string_view eid, std::string_view attr) const;
    /// The same, looking at `hint` first.
    [[nodiscard]] const Json* find(std::string_view eid, std::string_view attr, Hint hint) const;
    /// For outputs laid out by a request (laid_out_by), the value at its positions `hint`,
    /// found without comparing names; nullptr if it is not set or these outputs are not laid out.
    [[nodiscard]] const Json* find_laid_out(Hint hint) const noexcept;
    /// For outputs laid out by a request, the value of its `pair`-th requested (entity,
    /// attribute) pair (see OutputRequest::first_pair); nullptr if it is not set, or these
    /// outputs are not laid out.
    [[nodiscard]] const Json* laid_out_value(std::size_t pair) const noexcept {
        if (!layout_ || pair >= set_.size() || !set_[pair]) return nullptr;
        return &values_[pair];
    }
    /// Whether these outputs are laid out by `request` (the same object).
    [[nodiscard]] bool laid_out_by(const OutputRequest& request) const noexcept { return layout_ == &request; }

    /// The reply as mosaik reads it; "time" comes first when set.
    [[nodiscard]] Json to_json() const&;
    /// The same, moving the values out of these outputs.
    [[nodiscard]] Json to_json() &&;

private:
    static constexpr std::int32_t untouched = -2;  // an entity's mark before it is set
    static constexpr std::size_t none = static_cast<std::size_t>(-1);

    /// The position of `eid` in the request's layout, marked as present, or `none` if it is not
    /// requested or would come out of order.
    std::size_t touch(const std::string& eid);
    /// touch() of the layout's `e`-th entity; false if it would come out of order.
    bool touch_at(std::size_t e);
    /// The pair of the layout's entity `e` and attribute `a` when `e` is the entity set last and
    /// `a` is not before its last attribute set (a fill in the request's order); else `none`.
    std::size_t next_pair_at(std::size_t e, std::size_t a) noexcept {
        if (!layout_ || e != last_entity_) return none;
        const auto first = layout_->first_pair_[e];
        if (a >= layout_->first_pair_[e + 1] - first || static_cast<std::int32_t>(a) < marks_[e]) return none;
        marks_[e] = static_cast<std::int32_t>(a);
        return first + a;
    }
    /// The pair of the layout's entity `e` and attribute `a`, or `none` if setting it there
    /// would change the order of the reply.
    std::size_t laid_out_pair_at(std::size_t e, std::size_t a);
    /// The pair for `eid`.`attr` in the request's layout, or `none` if it is not requested or
    /// setting it there would change the order of the reply.
    std::size_t laid_out_pair(const std::string& eid, const std::string& attr);
    /// Stores a value at a laid-out pair.
    void put(std::size_t pair, Json&& value);
    /// The value at a laid-out pair, or nullptr if it is not set.
    [[nodiscard]] const Json* laid_out_at(std::size_t pair) const noexcept { return set_[pair] ? &values_[pair] : nullptr; }
    [[nodiscard]] std::size_t laid_out_entity(std::string_view eid) const;
    /// Moves the laid-out values to the general form.
    void generalise();
    /// Gives the laid-out storage, emptied, back to the request's spare.
    void recycle() noexcept;
    /// The entry of `eid`, created if missing.
    Json& entry(const std::string& eid);
    [[nodiscard]] const Json* general_find(std::string_view eid, std::string_view attr, const Hint* hint) const;

    std::optional<std::int64_t> time_;
    const OutputRequest* request_ = nullptr;  // the request these outputs were made from, if any
    // Laid out by a request.
    const OutputRequest* layout_ = nullptr;
    std::vector<Json> values_;           // one per requested (entity, attr)
    std::vector<std::uint8_t> set_;      // per requested (entity, attr): whether it has a value
    std::size_t holding_ = 0;            // values set that may hold memory (strings, lists, ...)
    // The request's spare, held here: outputs kept in a cache may end after their request.
    std::shared_ptr<detail::OutputSpare> spare_;
    std::vector<std::int32_t> marks_;    // per entity: untouched, -1 (no attr yet) or the last attr set
    std::size_t last_entity_ = none;     // the latest entity touched
    // The general form.
    JsonObject data_;
};

}  // namespace mas::mosaik
