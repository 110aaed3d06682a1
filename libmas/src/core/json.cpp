#include "mas/core/json.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>

#include <fmt/format.h>

namespace mas {

// ---- JsonObject ------------------------------------------------------------------------------

namespace {

std::uint64_t key_hash(std::string_view key) noexcept { return std::hash<std::string_view>{}(key); }

constexpr std::uint64_t position_mask = 0xffff'ffffU;

std::uint64_t tag_of(std::uint64_t hash) noexcept { return hash >> 32U; }

// Through an object's index: the position of `key` (whose hash is `hash`), or npos and the free
// slot its probe ended at.
template <class Index, class Items>
std::pair<std::size_t, std::size_t> probe(const Index& index, const Items& items, std::string_view key,
                                          std::uint64_t hash) noexcept {
    const auto mask = index.size() - 1;
    for (auto slot = static_cast<std::size_t>(hash) & mask;; slot = (slot + 1) & mask) {
        const auto entry = index[slot];
        if (entry == 0) return {static_cast<std::size_t>(-1), slot};  // JsonObject::npos
        const auto pos = static_cast<std::size_t>((entry & position_mask) - 1);
        if ((entry >> 32U) == tag_of(hash) && items[pos].first == key) return {pos, slot};
    }
}

// From this many keys an index outgrows the first caches (8 bytes a slot, two slots a key), and
// filling it is bound by fetching slots: the keys are hashed first and their slots fetched ahead.
constexpr std::size_t prefetched_from = 2048;
constexpr std::size_t prefetch_ahead = 16;

// The smallest power of two that keeps the index at most half full for `keys` keys.
std::size_t index_capacity(std::size_t keys) noexcept { return std::bit_ceil(std::max<std::size_t>(keys * 2, 32)); }

}  // namespace

JsonObject::Index::Index(std::size_t capacity) : data_(std::make_unique<std::uint64_t[]>(capacity + 1)) {
    data_[0] = capacity;
}

JsonObject::Index::Index(const Index& other) {
    if (!other.data_) return;
    const auto n = other.size() + 1;
    data_ = std::make_unique_for_overwrite<std::uint64_t[]>(n);
    std::copy_n(other.data_.get(), n, data_.get());
}

JsonObject::Index& JsonObject::Index::operator=(const Index& other) {
    if (this != &other) *this = Index(other);
    return *this;
}

JsonObject::JsonObject(std::initializer_list<value_type> items) {
    reserve(items.size());
    for (const auto& item : items) insert_or_assign(item.first, item.second);
}

void JsonObject::reserve(std::size_t n) {
    items_.reserve(n);
    if (n >= indexed_from && index_.size() < index_capacity(n)) rebuild_index(index_capacity(n));
}

std::size_t JsonObject::position(std::string_view key) const noexcept {
    if (index_.empty()) {
        for (std::size_t i = 0; i < items_.size(); ++i) {
            if (items_[i].first == key) return i;
        }
        return npos;
    }
    return probe(index_, items_, key, key_hash(key)).first;
}

void JsonObject::index_insert(std::size_t pos, std::uint64_t hash) noexcept {
    const auto mask = index_.size() - 1;
    auto slot = static_cast<std::size_t>(hash) & mask;
    while (index_[slot] != 0) slot = (slot + 1) & mask;
    index_[slot] = (tag_of(hash) << 32U) | static_cast<std::uint64_t>(pos + 1);
}

void JsonObject::rebuild_index(std::size_t capacity) {
    index_ = Index(capacity);
    // In position order, so that of duplicate keys the first stays the one found, as without index.
    if (items_.size() < prefetched_from) {
        for (std::size_t i = 0; i < items_.size(); ++i) index_insert(i, key_hash(items_[i].first));
        return;
    }
    // An index this large lies outside the first caches: hashed first, so that each key's slot
    // is fetched some keys ahead instead of each key waiting for its own.
    std::vector<std::uint64_t> hashes;
    hashes.reserve(items_.size());
    for (const auto& item : items_) hashes.push_back(key_hash(item.first));
    for (std::size_t i = 0; i < hashes.size(); ++i) {
        if (i + prefetch_ahead < hashes.size()) index_.prefetch(hashes[i + prefetch_ahead]);
        index_insert(i, hashes[i]);
    }
}

void JsonObject::update(std::span<std::string> keys, std::span<Json> values) {
    if (keys.size() != values.size()) throw Error("JsonObject::update needs as many values as keys");
    if (items_.size() + keys.size() >= position_mask) throw Error("a JSON object cannot hold 2^32 - 1 keys or more");
    reserve(items_.size() + keys.size());
    if (index_.empty() || keys.size() < prefetched_from) {
        for (std::size_t i = 0; i < keys.size(); ++i) insert_or_assign(std::move(keys[i]), std::move(values[i]));
        return;
    }
    // The index has room for every key (reserve): each goes to the free slot its lookup ends at.
    std::vector<std::uint64_t> hashes;
    hashes.reserve(keys.size());
    for (const auto& key : keys) hashes.push_back(key_hash(key));
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (i + prefetch_ahead < keys.size()) index_.prefetch(hashes[i + prefetch_ahead]);
        insert_or_assign_hashed(std::move(keys[i]), std::move(values[i]), hashes[i]);
    }
}

Json& JsonObject::insert_or_assign_hashed(std::string key, Json value, std::uint64_t hash) {
    const auto [pos, slot] = probe(index_, items_, key, hash);
    if (pos != npos) {
        items_[pos].second = std::move(value);
        return items_[pos].second;
    }
    items_.emplace_back(std::move(key), std::move(value));
    index_[slot] = (tag_of(hash) << 32U) | static_cast<std::uint64_t>(items_.size());
    return items_.back().second;
}

void JsonObject::index_last() {
    if (items_.size() >= position_mask) throw Error("a JSON object cannot hold 2^32 - 1 keys or more");
    if (index_.empty()) {
        if (items_.size() >= indexed_from) rebuild_index(index_capacity(items_.size()));
        return;
    }
    if (items_.size() * 2 > index_.size()) {
        rebuild_index(index_capacity(items_.size()));
        return;
    }
    index_insert(items_.size() - 1, key_hash(items_.back().first));
}

Json* JsonObject::find(std::string_view key) noexcept {
    const auto pos = position(key);
    return pos == npos ? nullptr : &items_[pos].second;
}

const Json* JsonObject::find(std::string_view key) const noexcept {
    const auto pos = position(key);
    return pos == npos ? nullptr : &items_[pos].second;
}

const Json& JsonObject::at(std::string_view key) const {
    if (const Json* found = find(key)) return *found;
    throw TypeError(fmt::format("object has no key \"{}\"", key));
}

Json& JsonObject::operator[](std::string_view key) {
    if (Json* found = find(key)) return *found;
    items_.emplace_back(std::string(key), Json());
    index_last();
    return items_.back().second;
}

Json& JsonObject::insert_or_assign(std::string key, Json value) {
    // Indexed, with room for one more: the key is hashed once, and a new key takes the free
    // slot its lookup ended at (decoding an object of 100,000 keys inserts each this way).
    if (!index_.empty() && (items_.size() + 1) * 2 <= index_.size() && items_.size() + 1 < position_mask) {
        const auto hash = key_hash(key);
        return insert_or_assign_hashed(std::move(key), std::move(value), hash);
    }
    if (Json* found = find(key)) {
        *found = std::move(value);
        return *found;
    }
    items_.emplace_back(std::move(key), std::move(value));
    index_last();
    return items_.back().second;
}

void JsonObject::push_back(std::string key, Json value) {
    items_.emplace_back(std::move(key), std::move(value));
    index_last();
}

bool JsonObject::erase(std::string_view key) {
    const auto pos = position(key);
    if (pos == npos) return false;
    items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(pos));
    // Every later position moved down by one: rebuilding costs no more than the erase itself.
    if (items_.size() < indexed_from) {
        index_.clear();
    } else if (!index_.empty()) {
        rebuild_index(index_.size());
    }
    return true;
}

bool operator==(const JsonObject& a, const JsonObject& b) {
    // Python dicts compare equal regardless of insertion order.
    if (a.size() != b.size()) return false;
    // Objects in the same order (the usual case) compare in one pass; only where the order
    // differs is a key looked up.
    auto ia = a.begin();
    auto ib = b.begin();
    while (ia != a.end() && ia->first == ib->first) {
        if (!(ia->second == ib->second)) return false;
        ++ia;
        ++ib;
    }
    for (; ia != a.end(); ++ia) {
        const auto& [key, value] = *ia;
        const Json* other = b.find(key);
        if (!other || !(*other == value)) return false;
    }
    return true;
}

bool operator==(const JsonCustom& a, const JsonCustom& b) {
    if (a.type != b.type) return false;
    if (!a.repr || !b.repr) return a.repr == b.repr;
    return *a.repr == *b.repr;
}

// ---- Json ------------------------------------------------------------------------------------

std::string_view kind_name(JsonKind kind) noexcept {
    switch (kind) {
    case JsonKind::null: return "null";
    case JsonKind::boolean: return "bool";
    case JsonKind::integer:
    case JsonKind::uinteger: return "int";
    case JsonKind::floating: return "float";
    case JsonKind::string: return "string";
    case JsonKind::array: return "array";
    case JsonKind::object: return "object";
    case JsonKind::custom: return "custom";
    case JsonKind::bytes: return "bytes";
    }
    return "unknown";
}

std::string Json::describe() const {
    constexpr std::size_t max_text = 40;
    switch (kind()) {
    case JsonKind::boolean: return std::get<bool>(v_) ? "bool true" : "bool false";
    case JsonKind::integer: return fmt::format("int {}", std::get<std::int64_t>(v_));
    case JsonKind::uinteger: return fmt::format("int {}", std::get<std::uint64_t>(v_));
    case JsonKind::floating: return fmt::format("float {}", std::get<double>(v_));
    case JsonKind::string: {
        const auto& s = std::get<std::string>(v_);
        if (s.size() <= max_text) return fmt::format("string \"{}\"", s);
        return fmt::format("string \"{}...\"", s.substr(0, max_text));
    }
    case JsonKind::array: return fmt::format("array of {} elements", size());
    case JsonKind::object: return fmt::format("object of {} keys", size());
    case JsonKind::custom: return fmt::format("custom {}", as_custom().type);
    case JsonKind::bytes: return fmt::format("bytes of length {}", as_bytes().size());
    case JsonKind::null: break;
    }
    return "null";
}

const std::string& Json::as_string() const {
    if (!is_string()) detail::throw_type_error("string", *this);
    return std::get<std::string>(v_);
}

const JsonArray& Json::as_array() const {
    if (!is_array()) detail::throw_type_error("array", *this);
    return std::get<JsonArray>(v_);
}

JsonArray& Json::as_array() {
    if (!is_array()) detail::throw_type_error("array", *this);
    return std::get<JsonArray>(v_);
}

const JsonObject& Json::as_object() const {
    if (!is_object()) detail::throw_type_error("object", *this);
    return std::get<JsonObject>(v_);
}

JsonObject& Json::as_object() {
    if (!is_object()) detail::throw_type_error("object", *this);
    return std::get<JsonObject>(v_);
}

const JsonCustom& Json::as_custom() const {
    if (!is_custom()) detail::throw_type_error("custom value", *this);
    return *std::get<std::shared_ptr<const JsonCustom>>(v_);
}

const std::string& Json::as_bytes() const {
    if (!is_bytes()) detail::throw_type_error("bytes", *this);
    return std::get<JsonBytes>(v_).data;
}

const Json& Json::operator[](std::string_view key) const { return as_object().at(key); }

Json& Json::operator[](std::string_view key) {
    if (is_null()) v_ = JsonObject();
    return as_object()[key];
}

const Json& Json::operator[](std::size_t i) const {
    const auto& a = as_array();
    if (i >= a.size()) {
        throw TypeError(fmt::format("index {} out of range for an array of {} elements", i, a.size()));
    }
    return a[i];
}

Json& Json::operator[](std::size_t i) {
    auto& a = as_array();
    if (i >= a.size()) {
        throw TypeError(fmt::format("index {} out of range for an array of {} elements", i, a.size()));
    }
    return a[i];
}

bool Json::contains(std::string_view key) const noexcept {
    return is_object() && std::get<JsonObject>(v_).contains(key);
}

std::size_t Json::size() const noexcept {
    if (is_array()) return std::get<JsonArray>(v_).size();
    if (is_object()) return std::get<JsonObject>(v_).size();
    return 0;
}

void Json::push_back(Json value) {
    if (is_null()) v_ = JsonArray();
    as_array().push_back(std::move(value));
}

namespace {
// An int never equals a float, so that an echo test notices `2` coming back as `2.0`.
// int64 and uint64 never hold the same value because construction normalises to int64.
bool numbers_equal(const Json& a, const Json& b) {
    const auto& sa = a.storage();
    const auto& sb = b.storage();
    if (a.kind() == JsonKind::floating || b.kind() == JsonKind::floating) {
        if (a.kind() != b.kind()) return false;
        return std::get<double>(sa) == std::get<double>(sb);
    }
    if (a.kind() == b.kind()) return sa == sb;
    return false;
}
}  // namespace

bool operator==(const Json& a, const Json& b) {
    if (a.is_number() && b.is_number()) return numbers_equal(a, b);
    if (a.kind() != b.kind()) return false;
    if (a.is_custom()) return a.as_custom() == b.as_custom();
    return a.storage() == b.storage();
}

namespace detail {

void throw_type_error(std::string_view expected, const Json& actual) {
    throw TypeError(fmt::format("expected {}, got {}", expected, actual.describe()));
}

void throw_range_error(std::string_view expected, const Json& actual) {
    throw TypeError(fmt::format("expected {}, got {} (out of range)", expected, actual.describe()));
}

std::string_view integer_type_name(std::size_t size, bool is_signed) noexcept {
    switch (size) {
    case 1: return is_signed ? "int8" : "uint8";
    case 2: return is_signed ? "int16" : "uint16";
    case 4: return is_signed ? "int32" : "uint32";
    default: return is_signed ? "int64" : "uint64";
    }
}

}  // namespace detail
}  // namespace mas
