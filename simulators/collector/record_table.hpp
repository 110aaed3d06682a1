#pragma once
// RecordTable: the collector's records, one value per (time, source, attribute), the later of two
// values for one key replacing the earlier. A collector fed by many entities gets the same keys in
// the same order at every step, so the table keeps each (source, attribute) once, as a series,
// and one frame per time: the values of that time with the series of each. A step whose keys
// are known to be the last step's (Inputs::same_shape) is recorded without looking at them.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mas/core/json.hpp"
#include "name_table.hpp"

namespace mas::sims {

class RecordTable {
public:
    /// One record, as visit() hands it over.
    using Visitor = std::function<void(std::int64_t time, std::string_view source, std::string_view attr,
                                       const Json& value)>;

    /// Starts a step at `time`. With `same_keys`, the step's values come for exactly the keys of
    /// the last step, in the same order.
    void begin_step(std::int64_t time, bool same_keys);
    /// Says that about `count` values with keys follow (a hint; fewer or more may come).
    void expect_keys(std::size_t count);
    /// Says that the values up to the next begin_group() are those of one entity's attribute, so
    /// their sources are distinct (the keys of one JSON object).
    void begin_group();
    /// Records the step's next value.
    void add(const std::string& source, const std::string& attr, const Json& value);
    /// Records the step's next value for the key the last step had at this place; only for a
    /// step begun with `same_keys`. Throws mas::Error past the last step's keys.
    void add_value(const Json& value);

    /// add_value() of `count` values, `value_at(k)` giving the k-th; in one go for the common
    /// case, a step of a frame of its own with all of the last step's keys left.
    template <class ValueAt>
    void add_values(std::size_t count, ValueAt&& value_at) {
        if (!same_keys_ || merging_ || added_ + count > last_keys_->size()) {
            for (std::size_t k = 0; k < count; ++k) add_value(value_at(k));
            return;
        }
        auto& frame = frames_[frame_];
        const auto start = frame.slots.size();
        frame.slots.resize(start + count);
        frame.kinds.resize(start + count);
        // The values lie elsewhere, in another simulator's outputs: asked for ahead of their turn,
        // their loads overlap instead of waiting one after the other.
        constexpr std::size_t ahead = 16;
        for (std::size_t k = 0; k < count; ++k) {
            if (k + ahead < count) __builtin_prefetch(&value_at(k + ahead));
            assign(frame, start + k, value_at(k));
        }
        added_ += count;
        size_ += count;
    }

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    /// How many distinct sources have records.
    [[nodiscard]] std::size_t source_count() const;
    [[nodiscard]] std::optional<std::int64_t> first_time() const;
    [[nodiscard]] std::optional<std::int64_t> last_time() const;
    /// Every record, sorted by time, then source, then attribute (byte order).
    void visit(const Visitor& visitor) const;

private:
    // A (source, attribute) with the next series of the same source: a source has a handful of
    // attributes, so its series are found along that chain after one lookup of the name.
    struct Series {
        std::uint32_t source;
        std::uint32_t attr;
        std::uint32_t next;
    };
    static constexpr std::uint32_t no_series = UINT32_MAX;
    // A value kept in 8 bytes plus its kind: numbers, booleans and null in place (nearly every
    // value a simulation records), anything else as an index into its frame's `others`.
    union Slot {
        std::int64_t integer;
        double floating;
        bool boolean;
        std::size_t other;
    };
    using Keys = std::vector<std::uint32_t>;
    struct Frame {
        std::int64_t time;
        // The series of each value. Steps with the keys of the step before share one list, so a
        // frame of a collector fed by many entities costs its values alone.
        std::shared_ptr<Keys> series;
        std::vector<Slot> slots;
        std::vector<std::uint8_t> kinds;  // a JsonKind each; `custom` stands for "in others"
        std::vector<Json> others;
        std::unordered_map<std::uint32_t, std::size_t> places;  // series -> place, for a second step at the same time
    };
    static void push(Frame& frame, const Json& value);
    // Inline for numbers: a collector of 100,000 entities records 200,000 of them per step.
    static void assign(Frame& frame, std::size_t place, const Json& value) {
        auto& slot = frame.slots[place];
        const auto& storage = value.storage();
        switch (value.kind()) {
        case JsonKind::floating: slot.floating = *std::get_if<double>(&storage); break;
        case JsonKind::integer: slot.integer = *std::get_if<std::int64_t>(&storage); break;
        case JsonKind::boolean: slot.boolean = *std::get_if<bool>(&storage); break;
        case JsonKind::null: slot.integer = 0; break;
        default: assign_other(frame, place, value); return;
        }
        frame.kinds[place] = static_cast<std::uint8_t>(value.kind());
    }
    static void assign_other(Frame& frame, std::size_t place, const Json& value);
    [[nodiscard]] static Json json(const Frame& frame, std::size_t place);

    std::uint32_t series(const std::string& source, const std::string& attr);
    void put(Frame& frame, std::uint32_t series, const Json& value);

    std::vector<Series> series_;
    NameTable sources_;
    std::vector<std::uint32_t> first_series_;  // per source
    std::vector<std::string> attrs_;   // a handful: looked for in order
    std::uint32_t next_source_ = 0;    // the source after the last one looked for
    // The values of a group begun before anything was recorded, with no sources known: every
    // source of theirs is new, and is taken without being looked up.
    bool fresh_sources_ = false;
    std::vector<Frame> frames_;             // in time order, one per time
    std::size_t frame_ = 0;                 // the current step's
    bool merging_ = false;                  // the current step adds to a frame recorded before
    // The series of the last step's values, in order, and of the current step's so far (unless
    // same_keys_). A step that starts a frame records its keys in the frame's own list.
    std::shared_ptr<Keys> last_keys_ = std::make_shared<Keys>();
    std::shared_ptr<Keys> keys_ = std::make_shared<Keys>();
    bool same_keys_ = false;
    std::size_t added_ = 0;                 // values of the current step so far
    std::size_t size_ = 0;
};

}  // namespace mas::sims
