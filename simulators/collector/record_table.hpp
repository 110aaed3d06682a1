#pragma once
// RecordTable: the collector's records, one value per (time, source, attribute), the later of two
// values for one key replacing the earlier. A collector fed by many entities gets the same keys in
// the same order at every step, so the table keeps each (source, attribute) once, as a series,
// and one frame per time: the values of that time with the series of each. A step whose keys
// are known to be the last step's (Inputs::same_shape) is recorded without looking at them.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "mas/core/json.hpp"

namespace mas::sims {

class RecordTable {
public:
    /// One record, as write() hands it over.
    using Visitor = std::function<void(std::int64_t time, const std::string& source, const std::string& attr,
                                       const Json& value)>;

    /// Starts a step at `time`. With `same_keys`, the step's values come for exactly the keys of
    /// the last step, in the same order.
    void begin_step(std::int64_t time, bool same_keys);
    /// Records the step's next value.
    void add(const std::string& source, const std::string& attr, const Json& value);
    /// Records the step's next value for the key the last step had at this place; only for a
    /// step begun with `same_keys`. Throws mas::Error past the last step's keys.
    void add_value(const Json& value);

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    /// How many distinct sources have records.
    [[nodiscard]] std::size_t source_count() const;
    [[nodiscard]] std::optional<std::int64_t> first_time() const;
    [[nodiscard]] std::optional<std::int64_t> last_time() const;
    /// Every record, sorted by time, then source, then attribute (byte order).
    void visit(const Visitor& visitor) const;

private:
    struct Series {
        std::string source;
        std::string attr;
    };
    // A value kept in 16 bytes: numbers, booleans and null in place (nearly every value a
    // simulation records), anything else as an index into its frame's `others`.
    struct Cell {
        JsonKind kind = JsonKind::null;
        union {
            std::int64_t integer;
            double floating;
            bool boolean;
            std::size_t other;
        };
        Cell() : integer(0) {}
    };
    struct Frame {
        std::int64_t time;
        std::vector<std::uint32_t> series;
        std::vector<Cell> values;
        std::vector<Json> others;
        std::unordered_map<std::uint32_t, std::size_t> places;  // series -> place, for a second step at the same time
    };
    [[nodiscard]] static Cell cell(Frame& frame, const Json& value);
    [[nodiscard]] static Json json(const Frame& frame, const Cell& cell);

    std::uint32_t series(const std::string& source, const std::string& attr);
    void put(Frame& frame, std::uint32_t series, const Json& value);

    std::vector<Series> series_;
    std::unordered_map<std::string, std::unordered_map<std::string, std::uint32_t>> by_attr_;  // attr -> source -> series
    std::vector<Frame> frames_;             // in time order, one per time
    std::size_t frame_ = 0;                 // the current step's
    bool merging_ = false;                  // the current step adds to a frame recorded before
    std::vector<std::uint32_t> last_keys_;  // the series of the last step's values, in order
    std::vector<std::uint32_t> keys_;       // the current step's so far, unless same_keys_
    bool same_keys_ = false;
    std::size_t added_ = 0;                 // values of the current step so far
    std::size_t size_ = 0;
};

}  // namespace mas::sims
