#pragma once
/// \file
/// mas::Json, the dynamic value that travels in messages, and its conversions to C++ types.

#include <cstddef>
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "mas/core/error.hpp"

namespace mas {

class Json;

/// Converts between a C++ type and Json. Specialise it for your own types, or specialise
/// mas::Serializer (below) for types that travel as `{"__type__": [k, repr]}`.
/// A specialisation provides `static Json to_json(const T&)` and/or
/// `static T from_json(const Json&)`.
template <class T, class Enable = void>
struct JsonTraits;

/// Makes T a custom type that travels as `{"__type__": [k, repr]}` (aiomas' extra_serializers).
/// Specialise with `static constexpr std::string_view name`, `static Json to_json(const T&)`
/// (giving the repr) and `static T from_json(const Json&)` (reading it back). Then add the type to
/// each codec that should know it: `codec.add_serializer<T>()`; the codec numbers its types k in
/// the order they were added, as aiomas does.
template <class T>
struct Serializer;

/// An array of Json values.
using JsonArray = std::vector<Json>;

/// An object of Json values that keeps its keys in insertion order, as Python dicts do. Small
/// objects are searched in place; from `indexed_from` keys on, a hash index of the positions finds
/// a key in constant time, so objects with many thousands of keys (every entity of a simulator)
/// cost the same per lookup as small ones. Change values through the iterators, never keys: the
/// index would no longer find them.
class JsonObject {
public:
    using value_type = std::pair<std::string, Json>;
    using iterator = std::vector<value_type>::iterator;
    using const_iterator = std::vector<value_type>::const_iterator;

    /// The size from which lookups go through the hash index instead of a linear search.
    static constexpr std::size_t indexed_from = 16;

    JsonObject() = default;
    JsonObject(std::initializer_list<value_type> items);

    /// The value under `key`, or nullptr.
    [[nodiscard]] Json* find(std::string_view key) noexcept;
    [[nodiscard]] const Json* find(std::string_view key) const noexcept;
    [[nodiscard]] bool contains(std::string_view key) const noexcept { return find(key); }
    /// The value under `key`; throws mas::TypeError naming the key if it is missing.
    [[nodiscard]] const Json& at(std::string_view key) const;
    /// The value under `key`, inserted as null at the end if missing.
    Json& operator[](std::string_view key);
    /// Sets `key` (keeping its place if it exists) and returns the stored value.
    Json& insert_or_assign(std::string key, Json value);
    /// Appends without checking for an existing key (decoders use it, after removing duplicates).
    /// With a duplicate key, find() keeps returning the first one; prefer insert_or_assign.
    void push_back(std::string key, Json value);
    /// Removes `key`, keeping the order of the others; linear in the size. False if missing.
    bool erase(std::string_view key);
    /// Python's dict.update() with the pairs `keys[i]: values[i]` in order, both moved from: a
    /// key already there, or repeated, keeps its first place and takes the last value. Many keys
    /// at once go faster than one insert_or_assign each, as decoding an object of 100,000 keys
    /// does: the index's slots are fetched some keys ahead. The two spans must be as long.
    void update(std::span<std::string> keys, std::span<Json> values);

    // Defined after Json, where value_type is complete (clang insists on it).
    [[nodiscard]] std::size_t size() const noexcept;
    [[nodiscard]] bool empty() const noexcept;
    /// Makes room for `n` keys, in the items and, for a large `n`, in the index.
    void reserve(std::size_t n);
    iterator begin() noexcept;
    iterator end() noexcept;
    const_iterator begin() const noexcept;
    const_iterator end() const noexcept;

    friend bool operator==(const JsonObject& a, const JsonObject& b);

private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    [[nodiscard]] std::size_t position(std::string_view key) const noexcept;
    /// Indexes the item just appended (and builds the index when the object reaches indexed_from).
    void index_last();
    void rebuild_index(std::size_t capacity);
    void index_insert(std::size_t position, std::uint64_t hash) noexcept;
    /// insert_or_assign() of a key with hash `hash`, through an index with room for one more key.
    Json& insert_or_assign_hashed(std::string key, Json value, std::uint64_t hash);

    // Open addressing with linear probing. A slot holds the upper 32 bits of the key's hash and
    // its position + 1 (0: empty), so most probes compare no string. Absent while the object is
    // small; its size is a power of two at least twice the number of keys. Kept behind one
    // pointer (its size in front of its slots) so that an object, and so every Json, stays small.
    class Index {
    public:
        Index() = default;
        /// `capacity` empty slots.
        explicit Index(std::size_t capacity);
        Index(const Index& other);
        Index& operator=(const Index& other);
        Index(Index&&) noexcept = default;
        Index& operator=(Index&&) noexcept = default;
        ~Index() = default;

        [[nodiscard]] bool empty() const noexcept { return !data_; }
        [[nodiscard]] std::size_t size() const noexcept { return data_ ? static_cast<std::size_t>(data_[0]) : 0; }
        std::uint64_t& operator[](std::size_t slot) noexcept { return data_[slot + 1]; }
        std::uint64_t operator[](std::size_t slot) const noexcept { return data_[slot + 1]; }
        void clear() noexcept { data_.reset(); }
        /// Starts fetching the slot where a probe for `hash` begins; the index must not be empty.
        void prefetch(std::uint64_t hash) const noexcept {
            const auto slot = static_cast<std::size_t>(hash) & (static_cast<std::size_t>(data_[0]) - 1);
            __builtin_prefetch(data_.get() + slot + 1);
        }

    private:
        std::unique_ptr<std::uint64_t[]> data_;
    };

    std::vector<value_type> items_;
    Index index_;
};

/// A value of a registered custom type (see mas::Serializer): its type name and its repr.
struct JsonCustom {
    std::string type;
    std::shared_ptr<const Json> repr;
    friend bool operator==(const JsonCustom& a, const JsonCustom& b);
};

/// A byte string (Python `bytes`): MsgPack carries it as bin; JSON cannot, as in aiomas.
struct JsonBytes {
    std::string data;
    friend bool operator==(const JsonBytes& a, const JsonBytes& b) = default;
};

/// The kinds of Json value. Integers that do not fit in int64 but fit in uint64 are `uinteger`.
enum class JsonKind { null, boolean, integer, uinteger, floating, string, array, object, custom, bytes };

/// The name of a kind as used in error messages ("int", "string", ...).
std::string_view kind_name(JsonKind kind) noexcept;

/// A dynamic JSON value: null, bool, 64-bit integer, double, string, array, insertion-ordered
/// object, or a custom type's value. Build it from C++ values (`Json(3)`, `Json("x")`,
/// `Json(std::vector<int>{1, 2})`, `Json::array({1, "x"})`, `Json::object({{"a", 1}})`) and
/// convert it back with `get<T>()`, which throws mas::TypeError naming expected and actual types.
class Json {
public:
    using Storage = std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double,
                                 std::string, JsonArray, JsonObject, std::shared_ptr<const JsonCustom>, JsonBytes>;

    Json() noexcept : v_(nullptr) {}
    Json(std::nullptr_t) noexcept : v_(nullptr) {}
    Json(bool b) noexcept : v_(b) {}
    Json(double d) noexcept : v_(d) {}
    Json(float f) noexcept : v_(static_cast<double>(f)) {}
    Json(const char* s) : v_(std::string(s)) {}
    Json(std::string s) noexcept : v_(std::move(s)) {}
    Json(std::string_view s) : v_(std::string(s)) {}
    Json(JsonArray a) noexcept : v_(std::move(a)) {}
    Json(JsonObject o) noexcept : v_(std::move(o)) {}
    // A custom value cannot change, so copies share it; one pointer keeps every Json small.
    Json(JsonCustom c) : v_(std::make_shared<const JsonCustom>(std::move(c))) {}
    Json(JsonBytes b) noexcept : v_(std::move(b)) {}

    template <class T>
        requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
    Json(T i) noexcept {
        *this = i;  // int64 where it fits (see the assignment below)
    }

    /// Sets a number or boolean in place, stored as Json(value) stores it (an integer as int64
    /// where it fits, else as uint64): no Json is made and moved, and a value of the same kind is
    /// just overwritten (outputs refilled at every step).
    template <class T>
        requires(std::is_arithmetic_v<T>)
    Json& operator=(T value) noexcept {
        if constexpr (std::is_same_v<T, bool>) {
            v_ = value;
        } else if constexpr (std::is_floating_point_v<T>) {
            v_ = static_cast<double>(value);
        } else if constexpr (std::is_signed_v<T>) {
            v_ = static_cast<std::int64_t>(value);
        } else if (static_cast<std::uint64_t>(value) <= static_cast<std::uint64_t>(INT64_MAX)) {
            v_ = static_cast<std::int64_t>(value);
        } else {
            v_ = static_cast<std::uint64_t>(value);
        }
        return *this;
    }

    /// Any other type with a JsonTraits<T>::to_json (vectors, maps, optionals, tuples, custom
    /// types registered through mas::Serializer, your own traits).
    template <class T>
        requires(!std::is_same_v<std::remove_cvref_t<T>, Json>) && requires(const T& t) {
            { JsonTraits<std::remove_cvref_t<T>>::to_json(t) } -> std::same_as<Json>;
        }
    Json(const T& value) : Json(JsonTraits<std::remove_cvref_t<T>>::to_json(value)) {}

    /// An array from a list of values: `Json::array({1, "two", nullptr})`.
    static Json array(std::initializer_list<Json> items = {}) { return Json(JsonArray(items)); }
    /// An object from key/value pairs: `Json::object({{"a", 1}, {"b", "x"}})`.
    static Json object(std::initializer_list<JsonObject::value_type> items = {}) {
        return Json(JsonObject(items));
    }

    [[nodiscard]] JsonKind kind() const noexcept { return static_cast<JsonKind>(v_.index()); }
    [[nodiscard]] bool is_null() const noexcept { return kind() == JsonKind::null; }
    [[nodiscard]] bool is_bool() const noexcept { return kind() == JsonKind::boolean; }
    /// True for integers of either signedness.
    [[nodiscard]] bool is_integer() const noexcept {
        return kind() == JsonKind::integer || kind() == JsonKind::uinteger;
    }
    [[nodiscard]] bool is_number() const noexcept {
        return is_integer() || kind() == JsonKind::floating;
    }
    [[nodiscard]] bool is_string() const noexcept { return kind() == JsonKind::string; }
    [[nodiscard]] bool is_array() const noexcept { return kind() == JsonKind::array; }
    [[nodiscard]] bool is_object() const noexcept { return kind() == JsonKind::object; }
    [[nodiscard]] bool is_custom() const noexcept { return kind() == JsonKind::custom; }
    [[nodiscard]] bool is_bytes() const noexcept { return kind() == JsonKind::bytes; }

    /// A short description for error messages: the kind, and the value for scalars
    /// (e.g. `string "abc"`, `int 300`, `custom Point`).
    [[nodiscard]] std::string describe() const;

    /// Typed access without conversion; throw mas::TypeError on a kind mismatch.
    [[nodiscard]] const std::string& as_string() const;
    [[nodiscard]] const JsonArray& as_array() const;
    [[nodiscard]] JsonArray& as_array();
    [[nodiscard]] const JsonObject& as_object() const;
    [[nodiscard]] JsonObject& as_object();
    [[nodiscard]] const JsonCustom& as_custom() const;
    /// The bytes of a bytes value.
    [[nodiscard]] const std::string& as_bytes() const;

    /// Converts to T through JsonTraits<T>; throws mas::TypeError on a mismatch.
    template <class T>
    [[nodiscard]] T get() const {
        return JsonTraits<T>::from_json(*this);
    }

    /// Object member access. The const form throws mas::TypeError if this is not an object or
    /// the key is missing; the non-const form turns null into an empty object and inserts null.
    const Json& operator[](std::string_view key) const;
    Json& operator[](std::string_view key);
    /// Array element access; throws mas::TypeError if this is not an array or `i` is out of range.
    const Json& operator[](std::size_t i) const;
    Json& operator[](std::size_t i);
    /// Whether this is an object with `key`.
    [[nodiscard]] bool contains(std::string_view key) const noexcept;
    /// Number of elements of an array or object, 0 for anything else.
    [[nodiscard]] std::size_t size() const noexcept;
    /// Appends to an array; turns null into an empty array first.
    void push_back(Json value);

    [[nodiscard]] const Storage& storage() const noexcept { return v_; }

    /// Structural equality; integers compare by value across signedness, NaN != NaN.
    friend bool operator==(const Json& a, const Json& b);

private:
    Storage v_;
};

inline std::size_t JsonObject::size() const noexcept { return items_.size(); }
inline bool JsonObject::empty() const noexcept { return items_.empty(); }
inline JsonObject::iterator JsonObject::begin() noexcept { return items_.begin(); }
inline JsonObject::iterator JsonObject::end() noexcept { return items_.end(); }
inline JsonObject::const_iterator JsonObject::begin() const noexcept { return items_.begin(); }
inline JsonObject::const_iterator JsonObject::end() const noexcept { return items_.end(); }

namespace detail {
[[noreturn]] void throw_type_error(std::string_view expected, const Json& actual);
[[noreturn]] void throw_range_error(std::string_view expected, const Json& actual);
std::string_view integer_type_name(std::size_t size, bool is_signed) noexcept;
}  // namespace detail

// ---- JsonTraits for the standard types -------------------------------------------------------

template <>
struct JsonTraits<Json> {
    static Json to_json(const Json& j) { return j; }
    static Json from_json(const Json& j) { return j; }
};

template <>
struct JsonTraits<bool> {
    static bool from_json(const Json& j) {
        if (!j.is_bool()) detail::throw_type_error("bool", j);
        return std::get<bool>(j.storage());
    }
};

template <class T>
struct JsonTraits<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
    static T from_json(const Json& j) {
        // The name only on the way to an error: numbers are read in inner loops.
        const auto name = [] { return detail::integer_type_name(sizeof(T), std::is_signed_v<T>); };
        if (j.kind() == JsonKind::integer) {
            auto v = std::get<std::int64_t>(j.storage());
            if (!std::in_range<T>(v)) detail::throw_range_error(name(), j);
            return static_cast<T>(v);
        }
        if (j.kind() == JsonKind::uinteger) {
            auto v = std::get<std::uint64_t>(j.storage());
            if (!std::in_range<T>(v)) detail::throw_range_error(name(), j);
            return static_cast<T>(v);
        }
        detail::throw_type_error(name(), j);
    }
};

template <class T>
struct JsonTraits<T, std::enable_if_t<std::is_floating_point_v<T>>> {
    static T from_json(const Json& j) {
        switch (j.kind()) {
        case JsonKind::floating: return static_cast<T>(std::get<double>(j.storage()));
        case JsonKind::integer: return static_cast<T>(std::get<std::int64_t>(j.storage()));
        case JsonKind::uinteger: return static_cast<T>(std::get<std::uint64_t>(j.storage()));
        default: detail::throw_type_error("float", j);
        }
    }
};

template <>
struct JsonTraits<std::string> {
    static Json to_json(const std::string& s) { return Json(s); }
    static std::string from_json(const Json& j) { return j.as_string(); }
};

template <>
struct JsonTraits<std::nullptr_t> {
    static std::nullptr_t from_json(const Json& j) {
        if (!j.is_null()) detail::throw_type_error("null", j);
        return nullptr;
    }
};

}  // namespace mas

#include "mas/core/json_traits.hpp"
