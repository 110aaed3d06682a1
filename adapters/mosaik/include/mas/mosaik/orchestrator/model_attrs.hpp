#pragma once
/// \file
/// ModelAttrs: which attributes of a model are trigger or non-trigger inputs and persistent or
/// non-persistent outputs, inferred from its meta as mosaik does (scenario.py's parse_attrs).

#include <set>
#include <string>
#include <string_view>

#include "mas/core/json.hpp"
#include "mas/mosaik/meta.hpp"

namespace mas::mosaik {

/// A set of attribute names that is either finite or, for `any_inputs`, everything except some
/// names (mosaik's InOrOutSet).
class AttrSet {
public:
    /// The empty set.
    AttrSet() = default;
    /// The finite set `names`.
    static AttrSet of(std::set<std::string> names);
    /// Every name except `names`.
    static AttrSet all_except(std::set<std::string> names = {});

    [[nodiscard]] bool contains(std::string_view name) const;
    [[nodiscard]] bool empty() const noexcept { return !complement_ && names_.empty(); }
    /// Whether the set is everything except names().
    [[nodiscard]] bool is_complement() const noexcept { return complement_; }
    /// The members, or with is_complement() the non-members.
    [[nodiscard]] const std::set<std::string>& names() const noexcept { return names_; }

    friend AttrSet operator|(const AttrSet& a, const AttrSet& b);
    friend AttrSet operator&(const AttrSet& a, const AttrSet& b);
    friend AttrSet operator-(const AttrSet& a, const AttrSet& b);
    friend bool operator==(const AttrSet& a, const AttrSet& b) = default;

    /// e.g. "{a, b}" or "everything except {c}".
    [[nodiscard]] std::string to_string() const;

private:
    AttrSet(bool complement, std::set<std::string> names) : complement_(complement), names_(std::move(names)) {}
    bool complement_ = false;
    std::set<std::string> names_;  // the members, or with complement_ the non-members
};

/// The four attribute classes of one model.
struct ModelAttrs {
    AttrSet non_trigger;     ///< measurement inputs: delivered, never cause a step
    AttrSet trigger;         ///< event inputs: a value arriving schedules a step
    AttrSet persistent;      ///< measurement outputs: cached, re-delivered until replaced
    AttrSet non_persistent;  ///< event outputs: pushed, delivered once

    [[nodiscard]] bool is_input(std::string_view a) const { return non_trigger.contains(a) || trigger.contains(a); }
    [[nodiscard]] bool is_output(std::string_view a) const {
        return persistent.contains(a) || non_persistent.contains(a);
    }
};

/// Classifies the attributes of `model` (its entry of the meta's "models") for a simulator of
/// type `type`, with mosaik's defaults and rules (any two of attrs / trigger / non-trigger give
/// the third, they must partition; likewise for persistent / non-persistent; time-based models
/// have no trigger inputs or non-persistent outputs, event-based ones no non-trigger inputs or
/// persistent outputs). Throws mas::ConfigError naming the model and the rule broken.
ModelAttrs parse_model_attrs(const std::string& model_name, const Json& model, SimType type);

}  // namespace mas::mosaik
