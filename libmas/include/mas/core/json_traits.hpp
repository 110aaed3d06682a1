#pragma once
/// \file
/// JsonTraits for standard containers and for custom types registered through mas::Serializer.
/// Included by json.hpp; do not include it alone.

#include <array>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "mas/core/json.hpp"

namespace mas {

template <>
struct JsonTraits<JsonArray> {
    static Json to_json(const JsonArray& a) { return Json(a); }
    static JsonArray from_json(const Json& j) { return j.as_array(); }
};

template <>
struct JsonTraits<JsonObject> {
    static Json to_json(const JsonObject& o) { return Json(o); }
    static JsonObject from_json(const Json& j) { return j.as_object(); }
};

template <class T>
struct JsonTraits<std::optional<T>> {
    static Json to_json(const std::optional<T>& o) { return o ? Json(*o) : Json(); }
    static std::optional<T> from_json(const Json& j) {
        if (j.is_null()) return std::nullopt;
        return j.get<T>();
    }
};

template <class T, class A>
struct JsonTraits<std::vector<T, A>, std::enable_if_t<!std::is_same_v<T, Json>>> {
    static Json to_json(const std::vector<T, A>& v) {
        JsonArray out;
        out.reserve(v.size());
        for (const auto& x : v) out.emplace_back(x);
        return Json(std::move(out));
    }
    static std::vector<T, A> from_json(const Json& j) {
        if (!j.is_array()) detail::throw_type_error("array", j);
        std::vector<T, A> out;
        out.reserve(j.size());
        for (const auto& x : j.as_array()) out.push_back(x.template get<T>());
        return out;
    }
};

template <class T, std::size_t N>
struct JsonTraits<std::array<T, N>> {
    static Json to_json(const std::array<T, N>& v) {
        JsonArray out;
        out.reserve(N);
        for (const auto& x : v) out.emplace_back(x);
        return Json(std::move(out));
    }
    static std::array<T, N> from_json(const Json& j) {
        if (!j.is_array() || j.size() != N) {
            detail::throw_type_error("array of " + std::to_string(N) + " elements", j);
        }
        std::array<T, N> out{};
        for (std::size_t i = 0; i < N; ++i) out[i] = j[i].template get<T>();
        return out;
    }
};

namespace detail {
template <class Map>
Json map_to_json(const Map& m) {
    JsonObject out;
    out.reserve(m.size());
    for (const auto& [k, v] : m) out.push_back(k, Json(v));
    return Json(std::move(out));
}
template <class Map>
Map map_from_json(const Json& j) {
    if (!j.is_object()) throw_type_error("object", j);
    Map out;
    for (const auto& [k, v] : j.as_object()) {
        out.insert_or_assign(k, v.template get<typename Map::mapped_type>());
    }
    return out;
}
}  // namespace detail

template <class T, class C, class A>
struct JsonTraits<std::map<std::string, T, C, A>> {
    using Map = std::map<std::string, T, C, A>;
    static Json to_json(const Map& m) { return detail::map_to_json(m); }
    static Map from_json(const Json& j) { return detail::map_from_json<Map>(j); }
};

template <class T, class H, class E, class A>
struct JsonTraits<std::unordered_map<std::string, T, H, E, A>> {
    using Map = std::unordered_map<std::string, T, H, E, A>;
    static Json to_json(const Map& m) { return detail::map_to_json(m); }
    static Map from_json(const Json& j) { return detail::map_from_json<Map>(j); }
};

/// Tuples and pairs travel as arrays, as Python writes tuples.
template <class... Ts>
struct JsonTraits<std::tuple<Ts...>> {
    static Json to_json(const std::tuple<Ts...>& t) {
        return std::apply([](const auto&... xs) { return Json(JsonArray{Json(xs)...}); }, t);
    }
    static std::tuple<Ts...> from_json(const Json& j) {
        if (!j.is_array() || j.size() != sizeof...(Ts)) {
            detail::throw_type_error("array of " + std::to_string(sizeof...(Ts)) + " elements", j);
        }
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return std::tuple<Ts...>{j[I].template get<Ts>()...};
        }(std::index_sequence_for<Ts...>{});
    }
};

template <class A, class B>
struct JsonTraits<std::pair<A, B>> {
    static Json to_json(const std::pair<A, B>& p) { return Json(JsonArray{Json(p.first), Json(p.second)}); }
    static std::pair<A, B> from_json(const Json& j) {
        auto t = JsonTraits<std::tuple<A, B>>::from_json(j);
        return {std::move(std::get<0>(t)), std::move(std::get<1>(t))};
    }
};

/// A type is a custom type once mas::Serializer<T> is specialised.
template <class T>
concept CustomSerializable = requires(const T& t, const Json& j) {
    { Serializer<T>::name } -> std::convertible_to<std::string_view>;
    { Serializer<T>::to_json(t) } -> std::same_as<Json>;
    { Serializer<T>::from_json(j) } -> std::same_as<T>;
};

template <CustomSerializable T>
struct JsonTraits<T> {
    static Json to_json(const T& value) {
        return Json(JsonCustom{std::string(Serializer<T>::name),
                               std::make_shared<const Json>(Serializer<T>::to_json(value))});
    }
    static T from_json(const Json& j) {
        if (!j.is_custom() || j.as_custom().type != Serializer<T>::name) {
            detail::throw_type_error(Serializer<T>::name, j);
        }
        return Serializer<T>::from_json(*j.as_custom().repr);
    }
};

}  // namespace mas
