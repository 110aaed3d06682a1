#pragma once
/// \file
/// Inputs: the `inputs` argument of a mosaik `step`, readable per entity and attribute.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mas/core/json.hpp"

namespace mas::mosaik {

/// One value that arrived for an input attribute, with the full id of the entity that sent it
/// (e.g. "Src-0.Src_0").
struct SourceValue {
    SourceValue(std::string source, Json value) : source(std::move(source)), value(std::move(value)) {}
    std::string source;
    Json value;
};

/// mosaik's step inputs `{dest_eid: {attr: {source_full_id: value}}}`, kept as they came.
/// Read them as `for (const auto& [source, value] : inputs.values("Model_0", "delta"))`.
class Inputs {
public:
    /// Empty inputs.
    Inputs() = default;
    /// Wraps mosaik's JSON; throws mas::TypeError if it does not have the shape above.
    explicit Inputs(Json raw);
    /// Reads `raw` in place, without copying it; `raw` must outlive the view (the orchestrator
    /// uses it for in-process steps). A copy of a view owns a copy of the JSON. Throws
    /// mas::TypeError as the constructor does.
    [[nodiscard]] static Inputs view(const Json& raw);
    /// Inputs whose keys are `tree`'s and whose values are `values`, one per source in the
    /// tree's order (nullptr: null), read where they are: an orchestrator hands the values of an
    /// in-process step over without copying them. The tree's own values are overwritten with
    /// them only if the JSON is asked for (json(), or the lookups by name). Both must outlive the
    /// inputs. Throws mas::TypeError as the constructor does.
    [[nodiscard]] static Inputs pulled(Json& tree, std::span<const Json* const> values);
    /// For pulled inputs: the next step's values for the same keys (same_shape() becomes true).
    void next_values(std::span<const Json* const> values);
    Inputs(const Inputs& other);
    Inputs(Inputs&& other) noexcept;
    Inputs& operator=(const Inputs& other);
    Inputs& operator=(Inputs&& other) noexcept;
    ~Inputs() = default;

    /// The entity ids that received inputs, in the order mosaik sent them.
    [[nodiscard]] std::vector<std::string> entities() const;
    /// The attributes of `eid` that received inputs (empty if none).
    [[nodiscard]] std::vector<std::string> attrs(std::string_view eid) const;
    /// The values of `eid`.`attr` with their sources (empty if none arrived).
    [[nodiscard]] std::vector<SourceValue> values(std::string_view eid, std::string_view attr) const;
    /// The values of `eid`.`attr` as they came, `{source_full_id: value}`, without copying them;
    /// nullptr if none arrived. Valid as long as these inputs.
    [[nodiscard]] const JsonObject* sources(std::string_view eid, std::string_view attr) const;
    /// Whether any value arrived for `eid`.`attr`.
    [[nodiscard]] bool contains(std::string_view eid, std::string_view attr) const;
    /// The sum of the numeric values of `eid`.`attr` (0 if none); throws mas::TypeError for a
    /// value that is not a number.
    [[nodiscard]] double sum(std::string_view eid, std::string_view attr) const;
    [[nodiscard]] bool empty() const noexcept { return keys().size() == 0; }
    /// True when these inputs have exactly the keys (entities, attributes, sources), in the same
    /// order, as the simulator's previous step's, with only new values: an in-process step whose
    /// inputs are pulled values only. A simulator may then reuse what it derived from the keys.
    /// False whenever that is not known, e.g. for every step over the wire.
    [[nodiscard]] bool same_shape() const noexcept { return same_shape_; }
    /// Sets same_shape(); for an orchestrator that hands a view of the same JSON object again.
    void mark_same_shape(bool same) noexcept { same_shape_ = same; }
    /// The inputs exactly as mosaik sent them.
    [[nodiscard]] const Json& json() const { return data(); }

    /// How many values there are: one per (entity, attribute, source).
    [[nodiscard]] std::size_t value_count() const;
    /// The `k`-th value, in the order of the JSON (entity by entity, attribute by attribute).
    /// With same_shape(), the `k`-th value has the key it had at the last step: a simulator can
    /// read the values by place without looking at a key.
    [[nodiscard]] const Json& value(std::size_t k) const { return tree_ ? pulled_value(k) : flat_value(k); }
    /// Calls `f(eid, attr, source, value)` for every value, in the order of the JSON.
    template <class F>
    void visit(F&& f) const {
        std::size_t k = 0;
        for (const auto& [eid, attrs] : keys().as_object()) {
            for (const auto& [attr, sources] : attrs.as_object()) {
                for (const auto& [source, stale] : sources.as_object()) {
                    f(eid, attr, source, tree_ ? pulled_value(k++) : stale);
                }
            }
        }
    }

private:
    [[nodiscard]] const Json* entity(std::string_view eid) const;
    struct Borrowed {};
    Inputs(Borrowed, const Json& raw);
    void check();
    /// The JSON with its values, written into the tree first for pulled inputs.
    [[nodiscard]] const Json& data() const;
    /// The JSON whose keys these inputs have (a pulled tree's values may be stale).
    [[nodiscard]] const Json& keys() const noexcept { return tree_ ? *tree_ : view_ ? *view_ : raw_; }
    // Inline: a step over thousands of pulled values reads them one call each.
    [[nodiscard]] const Json& pulled_value(std::size_t k) const {
        const Json* value = values_[k];
        return value ? *value : null_;
    }
    [[nodiscard]] const Json& flat_value(std::size_t k) const;
    static const Json null_;

    Json raw_ = Json::object();
    const Json* view_ = nullptr;  // set for a view: the JSON read in place of raw_
    Json* tree_ = nullptr;        // set for pulled inputs: their keys
    std::span<const Json* const> values_;     // pulled inputs' values, in the tree's order
    mutable bool filled_ = false;             // tree_'s values are values_
    mutable std::vector<const Json*> flat_;   // value(k) of the JSON, made on first use
    bool same_shape_ = false;
};

}  // namespace mas::mosaik
