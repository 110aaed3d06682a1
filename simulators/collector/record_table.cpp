#include "record_table.hpp"

#include "mas/core/error.hpp"

#include <algorithm>
#include <numeric>
#include <string_view>

namespace mas::sims {

void RecordTable::begin_step(std::int64_t time, bool same_keys) {
    if (!same_keys_) last_keys_ = std::move(keys_);
    same_keys_ = same_keys && !last_keys_->empty();
    added_ = 0;
    fresh_sources_ = false;
    // Steps come in time order: a new time is a new frame at the end. Another step at a time
    // already recorded (a same-time loop) adds to that time's frame.
    const auto at = std::lower_bound(frames_.begin(), frames_.end(), time,
                                     [](const Frame& frame, std::int64_t t) { return frame.time < t; });
    frame_ = static_cast<std::size_t>(at - frames_.begin());
    merging_ = at != frames_.end() && at->time == time;
    if (!merging_) {
        // A new frame's values come in the step's order: its series are the step's keys.
        keys_ = same_keys_ ? last_keys_ : std::make_shared<Keys>();
        Frame frame{time, keys_, {}, {}, {}, {}};
        frame.slots.reserve(last_keys_->size());
        frame.kinds.reserve(last_keys_->size());
        frames_.insert(at, std::move(frame));
        return;
    }
    keys_ = std::make_shared<Keys>();
    // The frame's keys change from here on: they become its own, as many as it has values
    // (another frame may share them, and a step may have ended before the last of them).
    const auto count = static_cast<std::ptrdiff_t>(at->slots.size());
    if (at->series.use_count() > 1) {
        at->series = std::make_shared<Keys>(at->series->begin(), at->series->begin() + count);
    } else {
        at->series->resize(at->slots.size());
    }
    auto& places = at->places;
    if (places.empty()) {
        for (std::size_t i = 0; i < at->series->size(); ++i) places.emplace((*at->series)[i], i);
    }
}

std::uint32_t RecordTable::series(const std::string& source, const std::string& attr) {
    // Mostly the keys of the last step, in the same order.
    if (added_ < last_keys_->size()) {
        const auto& guess = series_[(*last_keys_)[added_]];
        if (sources_[guess.source] == source && attrs_[guess.attr] == attr) return (*last_keys_)[added_];
    }
    auto a = static_cast<std::uint32_t>(std::find(attrs_.begin(), attrs_.end(), attr) - attrs_.begin());
    if (a == attrs_.size()) attrs_.push_back(attr);
    // The sources of one attribute mostly come in the order they came for the one before: the
    // source after the last one found is compared first, and only a miss is looked up. After
    // the last source comes the first: the next attribute's sources start over.
    std::uint32_t src = next_source_ < sources_.size() ? next_source_ : 0;
    if (fresh_sources_) {
        src = sources_.add_new(source);
        first_series_.push_back(no_series);
    } else if (src >= sources_.size() || sources_[src] != source) {
        src = sources_.add(source);
        if (src == first_series_.size()) first_series_.push_back(no_series);
    }
    next_source_ = src + 1;
    auto& head = first_series_[src];
    for (auto s = head; s != no_series; s = series_[s].next) {
        if (series_[s].attr == a) return s;
    }
    const auto id = static_cast<std::uint32_t>(series_.size());
    series_.push_back(Series{src, a, head});
    head = id;
    return id;
}

void RecordTable::expect_keys(std::size_t count) {
    // Every key may be a new source: the lookup grows once instead of again and again as it fills.
    sources_.reserve(count);
    if (series_.empty()) {  // the first step with keys: later ones mostly add none, and grow as vectors do
        series_.reserve(count);
        first_series_.reserve(count);
    }
    if (merging_) return;
    // A frame of its own takes the values in order: room for them all, not a copy at each doubling.
    auto& frame = frames_[frame_];
    frame.slots.reserve(frame.slots.size() + count);
    frame.kinds.reserve(frame.kinds.size() + count);
    keys_->reserve(keys_->size() + count);
}

void RecordTable::add_value(const Json& value) {
    if (!same_keys_ || added_ >= last_keys_->size()) {
        throw Error("the collector was given more values than the last step had keys");
    }
    const auto id = (*last_keys_)[added_++];
    put(frames_[frame_], id, value);
}

void RecordTable::begin_group() {
    // Nothing recorded yet in the step and no source known at all: the group's sources are
    // distinct among themselves and from every earlier one.
    fresh_sources_ = added_ == 0 && sources_.size() == 0;
}

void RecordTable::add(const std::string& source, const std::string& attr, const Json& value) {
    if (same_keys_ && added_ < last_keys_->size()) {
        add_value(value);
        return;
    }
    auto& frame = frames_[frame_];
    if (same_keys_) {
        // More values than promised: the keys from here on are looked at, in a list of the
        // step's own (the frame shares the last step's if it started this step).
        keys_ = std::make_shared<Keys>(last_keys_->begin(), last_keys_->begin() + static_cast<std::ptrdiff_t>(added_));
        if (!merging_) frame.series = keys_;
        same_keys_ = false;
    }
    const auto id = series(source, attr);
    keys_->push_back(id);
    ++added_;
    put(frame, id, value);
}

void RecordTable::push(Frame& frame, const Json& value) {
    frame.slots.emplace_back();
    frame.kinds.emplace_back();
    assign(frame, frame.slots.size() - 1, value);
}

void RecordTable::assign_other(Frame& frame, std::size_t place, const Json& value) {
    frame.slots[place].other = frame.others.size();
    frame.others.push_back(value);
    frame.kinds[place] = static_cast<std::uint8_t>(JsonKind::custom);  // stands for "in others"
}

Json RecordTable::json(const Frame& frame, std::size_t place) {
    const auto& slot = frame.slots[place];
    switch (static_cast<JsonKind>(frame.kinds[place])) {
    case JsonKind::boolean: return Json(slot.boolean);
    case JsonKind::integer: return Json(slot.integer);
    case JsonKind::floating: return Json(slot.floating);
    case JsonKind::custom: return frame.others[slot.other];
    default: return Json();
    }
}

void RecordTable::put(Frame& frame, std::uint32_t series, const Json& value) {
    if (!merging_) {
        push(frame, value);  // a frame begun by this step has its values in the order of its keys
        ++size_;
        return;
    }
    // Into a frame recorded before: the later value for a key replaces the earlier.
    const auto [place, added] = frame.places.try_emplace(series, frame.series->size());
    if (!added) {
        assign(frame, place->second, value);
        return;
    }
    frame.series->push_back(series);
    push(frame, value);
    ++size_;
}

std::size_t RecordTable::source_count() const {
    // A source is known only once a value was recorded for it.
    return sources_.size();
}

std::optional<std::int64_t> RecordTable::first_time() const {
    for (const auto& frame : frames_) {
        if (!frame.slots.empty()) return frame.time;
    }
    return std::nullopt;
}

std::optional<std::int64_t> RecordTable::last_time() const {
    for (auto frame = frames_.rbegin(); frame != frames_.rend(); ++frame) {
        if (!frame->slots.empty()) return frame->time;
    }
    return std::nullopt;
}

void RecordTable::visit(const Visitor& visitor) const {
    std::vector<std::uint32_t> rank(series_.size());
    {
        std::vector<std::uint32_t> order(series_.size());
        std::iota(order.begin(), order.end(), 0U);
        std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            const auto& x = series_[a];
            const auto& y = series_[b];
            if (x.source != y.source) return sources_[x.source] < sources_[y.source];
            return attrs_[x.attr] < attrs_[y.attr];
        });
        for (std::uint32_t r = 0; r < order.size(); ++r) rank[order[r]] = r;
    }
    std::vector<std::size_t> places;
    for (const auto& frame : frames_) {
        // A step may have ended before the last of the keys it shares.
        const auto& keys = *frame.series;
        places.resize(frame.slots.size());
        std::iota(places.begin(), places.end(), std::size_t{0});
        std::sort(places.begin(), places.end(), [&](std::size_t a, std::size_t b) { return rank[keys[a]] < rank[keys[b]]; });
        for (const auto place : places) {
            const auto& s = series_[keys[place]];
            visitor(frame.time, sources_[s.source], attrs_[s.attr], json(frame, place));
        }
    }
}

}  // namespace mas::sims
