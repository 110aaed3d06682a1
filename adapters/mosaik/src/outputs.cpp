#include "mas/mosaik/outputs.hpp"

#include <algorithm>
#include <atomic>
#include <utility>

#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas::mosaik {
namespace {

// Up to this many entities a search of the request in order is as quick as an index.
constexpr std::size_t indexed_from = 8;

// The value under `key`, looked for first at position `hint`.
const Json* find_at(const JsonObject& object, std::string_view key, std::size_t hint) {
    if (hint < object.size()) {
        const auto& item = *(object.begin() + static_cast<std::ptrdiff_t>(hint));
        if (item.first == key) return &item.second;
    }
    return object.find(key);
}

}  // namespace

OutputRequest::OutputRequest(const Json& raw) {
    if (!raw.is_object()) throw TypeError("get_data outputs must be an object, got " + raw.describe());
    items_.reserve(raw.as_object().size());
    for (const auto& [eid, attrs] : raw.as_object()) {
        if (!attrs.is_array()) {
            throw TypeError(fmt::format("get_data outputs of '{}' must be a list of attrs, got {}", eid,
                                        attrs.describe()));
        }
        std::vector<std::string> names;
        names.reserve(attrs.as_array().size());
        for (const auto& a : attrs.as_array()) {
            if (!a.is_string()) {
                throw TypeError(fmt::format("get_data outputs of '{}' must be attr names, got {}", eid, a.describe()));
            }
            names.push_back(a.as_string());
        }
        items_.emplace_back(eid, std::move(names));
    }
    index();
}

OutputRequest::OutputRequest(std::vector<value_type> items) : items_(std::move(items)) { index(); }

std::uint64_t OutputRequest::next_id() noexcept {
    static std::atomic<std::uint64_t> counter{0};
    return ++counter;
}

OutputRequest::OutputRequest(OutputRequest&& other) noexcept
    : items_(std::move(other.items_)),
      first_pair_(std::move(other.first_pair_)),
      positions_(std::move(other.positions_)),
      id_(std::exchange(other.id_, next_id())),
      spare_(std::exchange(other.spare_, nullptr)) {
    other.items_.clear();
    other.first_pair_.clear();
    other.positions_.clear();
}

OutputRequest& OutputRequest::operator=(OutputRequest&& other) noexcept {
    if (this == &other) return *this;
    items_ = std::move(other.items_);
    first_pair_ = std::move(other.first_pair_);
    positions_ = std::move(other.positions_);
    id_ = std::exchange(other.id_, next_id());
    spare_ = std::exchange(other.spare_, nullptr);
    other.items_.clear();
    other.first_pair_.clear();
    other.positions_.clear();
    return *this;
}

void OutputRequest::index() {
    first_pair_.reserve(items_.size() + 1);
    std::size_t pairs = 0;
    for (const auto& item : items_) {
        first_pair_.push_back(pairs);
        pairs += item.second.size();
    }
    first_pair_.push_back(pairs);
    if (items_.size() <= indexed_from) return;
    positions_.reserve(items_.size());
    // Hashed first, so that each key's slot is fetched some keys ahead: a simulator's entities
    // can be many more than the caches hold. The first of a repeated key is kept.
    std::vector<std::size_t> hashes;
    hashes.reserve(items_.size());
    for (const auto& item : items_) hashes.push_back(detail::KeyIndex::Hash().add(item.first).value());
    constexpr auto ahead = detail::KeyIndex::prefetch_ahead;
    for (std::size_t i = 0; i < items_.size(); ++i) {
        if (i + ahead < items_.size()) positions_.prefetch(hashes[i + ahead]);
        const std::string_view key = items_[i].first;
        const auto same = [&](std::size_t at) { return items_[at].first == key; };
        if (!positions_.find_hashed(hashes[i], same)) positions_.add_hashed(hashes[i], i);
    }
}

Json OutputRequest::to_json() const {
    JsonObject out;
    out.reserve(items_.size());
    for (const auto& [eid, attrs] : items_) {
        JsonArray list;
        list.reserve(attrs.size());
        for (const auto& a : attrs) list.emplace_back(a);
        if (auto* known = out.find(eid)) {
            *known = Json(std::move(list));  // a repeated entity: its later list wins, as in a dict
        } else {
            out.push_back(eid, Json(std::move(list)));
        }
    }
    return Json(std::move(out));
}

std::optional<std::size_t> OutputRequest::find(std::string_view eid) const {
    if (!positions_.empty()) {
        return positions_.find(eid, [&](std::size_t i) -> std::string_view { return items_[i].first; });
    }
    for (std::size_t i = 0; i < items_.size(); ++i) {
        if (items_[i].first == eid) return i;
    }
    return std::nullopt;
}

Outputs::Outputs(const OutputRequest& request) : request_(&request), layout_(&request), spare_(request.spare_) {
    if (spare_) {
        std::lock_guard lock(spare_->mutex);
        values_ = std::move(spare_->values);
        set_ = std::move(spare_->set);
        marks_ = std::move(spare_->marks);
    }
    // Spare storage is unset already; only a request that changed since needs it resized.
    values_.resize(request.pair_count());
    set_.resize(request.pair_count(), 0);
    marks_.assign(request.size(), untouched);
}

Outputs& Outputs::operator=(Outputs&& other) noexcept {
    if (this == &other) return *this;
    recycle();
    time_ = other.time_;
    request_ = other.request_;
    layout_ = std::exchange(other.layout_, nullptr);
    spare_ = std::move(other.spare_);
    values_ = std::move(other.values_);
    set_ = std::move(other.set_);
    holding_ = std::exchange(other.holding_, 0);
    marks_ = std::move(other.marks_);
    last_entity_ = std::exchange(other.last_entity_, none);
    data_ = std::move(other.data_);
    return *this;
}

Outputs::~Outputs() { recycle(); }

void Outputs::recycle() noexcept {
    if (set_.empty()) return;
    if (spare_) {
        // Numbers stay where they are (the next outputs overwrite them); anything holding memory
        // lets it go now. Mostly there is none, and the flags alone are cleared.
        if (holding_ > 0) {
            for (auto& value : values_) {
                if (!value.is_number() && !value.is_bool()) value = Json();
            }
        }
        std::fill(set_.begin(), set_.end(), std::uint8_t{0});
        std::lock_guard lock(spare_->mutex);
        if (values_.size() >= spare_->values.size()) {
            spare_->values = std::move(values_);
            spare_->set = std::move(set_);
            spare_->marks = std::move(marks_);
        }
    }
    values_ = {};
    set_ = {};
    marks_ = {};
    holding_ = 0;
}

Outputs Outputs::from_json(Json reply) {
    if (!reply.is_object()) throw TypeError("get_data returned " + reply.describe() + ", not a dict");
    Outputs out;
    auto& object = reply.as_object();
    if (const auto* t = object.find("time")) {
        if (!t->is_number()) throw TypeError("get_data's \"time\" is " + t->describe());
        out.time_ = t->get<std::int64_t>();
        object.erase("time");
    }
    out.data_ = std::move(object);
    return out;
}

std::size_t Outputs::laid_out_entity(std::string_view eid) const {
    // Simulators mostly fill the request in order: the entity of the last set, or the next one.
    const std::size_t from = last_entity_ == none ? 0 : last_entity_;
    for (std::size_t i = from; i < std::min(from + 2, layout_->size()); ++i) {
        if ((*layout_)[i].first == eid) return i;
    }
    const auto found = layout_->find(eid);
    return found ? *found : none;
}

bool Outputs::touch_at(std::size_t e) {
    auto& mark = marks_[e];
    if (mark == untouched) {
        if (last_entity_ != none && e < last_entity_) return false;  // it would come after a later one
        mark = -1;
        last_entity_ = e;
    }
    return true;
}

std::size_t Outputs::touch(const std::string& eid) {
    const std::size_t e = laid_out_entity(eid);
    return e != none && touch_at(e) ? e : none;
}

std::size_t Outputs::laid_out_pair_at(std::size_t e, std::size_t a) {
    if (!touch_at(e)) return none;
    auto& mark = marks_[e];
    const auto pair = layout_->first_pair(e) + a;
    if (!set_[pair] && static_cast<std::int32_t>(a) < mark) return none;  // it would come after a later one
    mark = std::max(mark, static_cast<std::int32_t>(a));
    return pair;
}

void Outputs::put(std::size_t pair, Json&& value) {
    if (!value.is_number() && !value.is_bool() && !value.is_null()) ++holding_;
    values_[pair] = std::move(value);
    set_[pair] = 1;
}

std::size_t Outputs::laid_out_pair(const std::string& eid, const std::string& attr) {
    const std::size_t e = laid_out_entity(eid);
    if (e == none) return none;
    const auto& attrs = (*layout_)[e].second;
    // Looked for from the attribute after the last one set, where an in-order fill finds it first.
    const auto start = static_cast<std::size_t>(std::max(marks_[e] + 1, 0));
    for (std::size_t k = 0; k < attrs.size(); ++k) {
        const auto a = (start + k) % attrs.size();
        if (attrs[a] == attr) return laid_out_pair_at(e, a);
    }
    return none;
}

void Outputs::generalise() {
    JsonObject data;
    data.reserve(marks_.size());
    for (std::size_t e = 0; e < marks_.size(); ++e) {
        if (marks_[e] == untouched) continue;
        const auto& [eid, attrs] = (*layout_)[e];
        JsonObject values;
        for (std::size_t a = 0; a < attrs.size(); ++a) {
            const auto pair = layout_->first_pair(e) + a;
            if (set_[pair]) values.push_back(attrs[a], std::move(values_[pair]));
        }
        data.push_back(eid, Json(std::move(values)));
    }
    data_ = std::move(data);
    layout_ = nullptr;
    recycle();
    last_entity_ = none;
}

Json& Outputs::entry(const std::string& eid) {
    if (!data_.empty()) {
        auto& last = *(data_.end() - 1);
        if (last.first == eid) return last.second;  // the attributes of one entity, one after the other
    }
    return data_[eid];
}

Outputs& Outputs::set(const std::string& eid, const std::string& attr, Json value) {
    if (layout_) {
        if (const auto pair = laid_out_pair(eid, attr); pair != none) {
            put(pair, std::move(value));
            return *this;
        }
        generalise();
    }
    entry(eid)[attr] = std::move(value);
    return *this;
}

Outputs& Outputs::set_at(std::size_t entity, std::size_t attr, Json value) {
    if (const auto pair = next_pair_at(entity, attr); pair != none) {
        put(pair, std::move(value));
        return *this;
    }
    // The attribute count from the pair offsets: one array, where the request's entries would be
    // one more memory access per entity.
    if (!request_ || entity >= request_->size() ||
        attr >= request_->first_pair(entity + 1) - request_->first_pair(entity)) {
        throw Error(fmt::format("Outputs::set_at({}, {}): no such place in the request", entity, attr));
    }
    if (layout_) {
        if (const auto pair = laid_out_pair_at(entity, attr); pair != none) {
            put(pair, std::move(value));
            return *this;
        }
    }
    const auto& [eid, attrs] = (*request_)[entity];
    return set(eid, attrs[attr], std::move(value));
}

Outputs& Outputs::entity_at(std::size_t entity) {
    if (!request_ || entity >= request_->size()) {
        throw Error(fmt::format("Outputs::entity_at({}): no such place in the request", entity));
    }
    if (layout_ && touch_at(entity)) return *this;
    return this->entity((*request_)[entity].first);
}

Outputs& Outputs::entity(const std::string& eid) {
    if (layout_) {
        if (touch(eid) != none) return *this;
        generalise();
    }
    auto& e = entry(eid);
    if (e.is_null()) e = Json::object();
    return *this;
}

Outputs& Outputs::time(std::int64_t t) {
    time_ = t;
    return *this;
}

const Json* Outputs::general_find(std::string_view eid, std::string_view attr, const Hint* hint) const {
    const Json* entity = hint ? find_at(data_, eid, hint->entity) : data_.find(eid);
    if (!entity || !entity->is_object()) return nullptr;
    return hint ? find_at(entity->as_object(), attr, hint->attr) : entity->as_object().find(attr);
}

const Json* Outputs::find(std::string_view eid, std::string_view attr) const {
    if (!layout_) return general_find(eid, attr, nullptr);
    const auto e = layout_->find(eid);
    if (!e) return nullptr;
    const auto& attrs = (*layout_)[*e].second;
    for (std::size_t a = 0; a < attrs.size(); ++a) {
        if (attrs[a] != attr) continue;
        return laid_out_at(layout_->first_pair(*e) + a);
    }
    return nullptr;
}

const Json* Outputs::find_laid_out(Hint hint) const noexcept {
    if (!layout_ || hint.entity >= layout_->size() || hint.attr >= (*layout_)[hint.entity].second.size()) {
        return nullptr;
    }
    return laid_out_at(layout_->first_pair(hint.entity) + hint.attr);
}

const Json* Outputs::find(std::string_view eid, std::string_view attr, Hint hint) const {
    if (!layout_) return general_find(eid, attr, &hint);
    if (hint.entity < layout_->size()) {
        const auto& [hinted_eid, attrs] = (*layout_)[hint.entity];
        if (hinted_eid == eid && hint.attr < attrs.size() && attrs[hint.attr] == attr) {
            return laid_out_at(layout_->first_pair(hint.entity) + hint.attr);
        }
    }
    return find(eid, attr);
}

Json Outputs::to_json() const& {
    return Outputs(*this).to_json();
}

Json Outputs::to_json() && {
    if (layout_) generalise();
    if (!time_) return Json(std::exchange(data_, JsonObject()));
    JsonObject out;
    out.reserve(data_.size() + 1);
    out.push_back("time", *time_);
    for (auto& [eid, attrs] : data_) out.push_back(std::move(eid), std::move(attrs));
    data_ = JsonObject();
    return Json(std::move(out));
}

}  // namespace mas::mosaik
