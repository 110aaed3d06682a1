#include "record_table.hpp"

#include "mas/core/error.hpp"

#include <algorithm>
#include <numeric>
#include <unordered_set>
#include <string_view>
#include <tuple>

namespace mas::sims {

void RecordTable::begin_step(std::int64_t time, bool same_keys) {
    if (!same_keys_) last_keys_ = std::move(keys_);
    keys_.clear();
    same_keys_ = same_keys && !last_keys_.empty();
    added_ = 0;
    // Steps come in time order: a new time is a new frame at the end. Another step at a time
    // already recorded (a same-time loop) adds to that time's frame.
    const auto at = std::lower_bound(frames_.begin(), frames_.end(), time,
                                     [](const Frame& frame, std::int64_t t) { return frame.time < t; });
    merging_ = at != frames_.end() && at->time == time;
    if (!merging_) {
        Frame frame{time, {}, {}, {}, {}};
        frame.series.reserve(last_keys_.size());
        frame.values.reserve(last_keys_.size());
        frame_ = static_cast<std::size_t>(at - frames_.begin());
        frames_.insert(at, std::move(frame));
        return;
    }
    frame_ = static_cast<std::size_t>(at - frames_.begin());
    auto& places = at->places;
    if (places.empty()) {
        for (std::size_t i = 0; i < at->series.size(); ++i) places.emplace(at->series[i], i);
    }
}

std::uint32_t RecordTable::series(const std::string& source, const std::string& attr) {
    // Mostly the keys of the last step, in the same order.
    if (added_ < last_keys_.size()) {
        const auto guess = last_keys_[added_];
        if (series_[guess].source == source && series_[guess].attr == attr) return guess;
    }
    auto& by_source = by_attr_[attr];
    const auto [found, added] = by_source.try_emplace(source, static_cast<std::uint32_t>(series_.size()));
    if (added) series_.push_back(Series{source, attr});
    return found->second;
}

void RecordTable::add_value(const Json& value) {
    if (!same_keys_ || added_ >= last_keys_.size()) {
        throw Error("the collector was given more values than the last step had keys");
    }
    put(frames_[frame_], last_keys_[added_++], value);
}

void RecordTable::add(const std::string& source, const std::string& attr, const Json& value) {
    std::uint32_t id = 0;
    if (same_keys_ && added_ < last_keys_.size()) {
        id = last_keys_[added_];
    } else {
        if (same_keys_) {  // more values than promised: look at the keys from here on
            keys_.assign(last_keys_.begin(), last_keys_.begin() + static_cast<std::ptrdiff_t>(added_));
            same_keys_ = false;
        }
        id = series(source, attr);
        keys_.push_back(id);
    }
    ++added_;
    put(frames_[frame_], id, value);
}

RecordTable::Cell RecordTable::cell(Frame& frame, const Json& value) {
    Cell out;
    out.kind = value.kind();
    switch (out.kind) {
    case JsonKind::null: break;
    case JsonKind::boolean: out.boolean = std::get<bool>(value.storage()); break;
    case JsonKind::integer: out.integer = std::get<std::int64_t>(value.storage()); break;
    case JsonKind::floating: out.floating = std::get<double>(value.storage()); break;
    default:
        out.kind = JsonKind::custom;  // stands for "in others"
        out.other = frame.others.size();
        frame.others.push_back(value);
    }
    return out;
}

Json RecordTable::json(const Frame& frame, const Cell& cell) {
    switch (cell.kind) {
    case JsonKind::boolean: return Json(cell.boolean);
    case JsonKind::integer: return Json(cell.integer);
    case JsonKind::floating: return Json(cell.floating);
    case JsonKind::custom: return frame.others[cell.other];
    default: return Json();
    }
}

void RecordTable::put(Frame& frame, std::uint32_t series, const Json& value) {
    if (merging_) {
        const auto [place, added] = frame.places.try_emplace(series, frame.series.size());
        if (!added) {
            frame.values[place->second] = cell(frame, value);  // the later value for a key replaces the earlier
            return;
        }
    }
    frame.series.push_back(series);
    frame.values.push_back(cell(frame, value));
    ++size_;
}

std::size_t RecordTable::source_count() const {
    // A series exists only once a value was recorded for it.
    std::unordered_set<std::string_view> sources;
    sources.reserve(series_.size());
    for (const auto& s : series_) sources.insert(s.source);
    return sources.size();
}

std::optional<std::int64_t> RecordTable::first_time() const {
    for (const auto& frame : frames_) {
        if (!frame.values.empty()) return frame.time;
    }
    return std::nullopt;
}

std::optional<std::int64_t> RecordTable::last_time() const {
    for (auto frame = frames_.rbegin(); frame != frames_.rend(); ++frame) {
        if (!frame->values.empty()) return frame->time;
    }
    return std::nullopt;
}

void RecordTable::visit(const Visitor& visitor) const {
    std::vector<std::uint32_t> rank(series_.size());
    {
        std::vector<std::uint32_t> order(series_.size());
        std::iota(order.begin(), order.end(), 0U);
        std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            return std::tie(series_[a].source, series_[a].attr) < std::tie(series_[b].source, series_[b].attr);
        });
        for (std::uint32_t r = 0; r < order.size(); ++r) rank[order[r]] = r;
    }
    std::vector<std::size_t> places;
    for (const auto& frame : frames_) {
        places.resize(frame.series.size());
        std::iota(places.begin(), places.end(), std::size_t{0});
        std::sort(places.begin(), places.end(),
                  [&](std::size_t a, std::size_t b) { return rank[frame.series[a]] < rank[frame.series[b]]; });
        for (const auto place : places) {
            const auto& s = series_[frame.series[place]];
            visitor(frame.time, s.source, s.attr, json(frame, frame.values[place]));
        }
    }
}

}  // namespace mas::sims
