#pragma once
/// \file
/// FunctionHandler: exposes any C++ callable (plain or coroutine) as an RPC function, with its
/// argument and return types deduced and converted through mas::Json.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <asio/awaitable.hpp>

#include "mas/core/json.hpp"
#include "mas/rpc/proxy.hpp"
#include "mas/rpc/router.hpp"

namespace mas::rpc {

namespace detail {

template <class T>
struct CallableTraits : CallableTraits<decltype(&T::operator())> {};
template <class R, class... A>
struct CallableTraits<R(A...)> {
    using Result = R;
    using Args = std::tuple<std::remove_cvref_t<A>...>;
};
template <class R, class... A>
struct CallableTraits<R (*)(A...)> : CallableTraits<R(A...)> {};
template <class R, class... A>
struct CallableTraits<R (*)(A...) noexcept> : CallableTraits<R(A...)> {};
template <class R, class C, class... A>
struct CallableTraits<R (C::*)(A...)> : CallableTraits<R(A...)> {};
template <class R, class C, class... A>
struct CallableTraits<R (C::*)(A...) const> : CallableTraits<R(A...)> {};
template <class R, class C, class... A>
struct CallableTraits<R (C::*)(A...) noexcept> : CallableTraits<R(A...)> {};
template <class R, class C, class... A>
struct CallableTraits<R (C::*)(A...) const noexcept> : CallableTraits<R(A...)> {};

template <class T>
struct IsAwaitable : std::false_type {};
template <class T>
struct IsAwaitable<asio::awaitable<T>> : std::true_type {
    using Value = T;
};

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

/// The parameter names and display name of an exposed function, and the checks of a call's
/// shape against them (count, unknown or repeated keywords, missing arguments).
struct Signature {
    std::string display_name;
    std::vector<std::string> params;  // may be empty: then only positional calls fit
    std::size_t arity = 0;
    std::vector<bool> optional;       // per parameter: may be left out

    /// Throws ArgumentError with Python's wording if the call cannot bind.
    void check(const JsonArray& args, const JsonObject& kwargs) const;
    /// The argument for parameter `i`, or nullptr if it was left out (optional parameter).
    [[nodiscard]] const Json* find(std::size_t i, const JsonArray& args, const JsonObject& kwargs) const;
    /// Rethrows a conversion failure of parameter `i` as an ArgumentError naming it.
    [[noreturn]] void conversion_failed(std::size_t i, const std::exception& error) const;
};

/// Converts one wire argument to a parameter type; a Proxy parameter needs the connection.
template <class T>
T from_arg(const Json& value, const std::shared_ptr<ConnectionState>& connection) {
    if constexpr (std::is_same_v<T, Proxy>) {
        return Proxy::from_json(value, connection);
    } else if constexpr (IsOptional<T>::value) {
        if (value.is_null()) return std::nullopt;
        return from_arg<typename T::value_type>(value, connection);
    } else {
        return value.template get<T>();
    }
}

template <class T>
Json to_result(T&& value) {
    return Json(std::forward<T>(value));
}

template <class T>
asio::awaitable<Json> await_result(asio::awaitable<T> op) {
    if constexpr (std::is_void_v<T>) {
        co_await std::move(op);
        co_return Json();
    } else {
        co_return Json(co_await std::move(op));
    }
}

// g++ 12 gives the coroutine frame of a header template external linkage and warns when a user
// instantiates it with a type from an anonymous namespace; the frame is never shared across
// translation units, so the warning is noise here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsubobject-linkage"

// Keeps the converted arguments alive in this frame while the coroutine function runs, since it
// may take them by reference.
template <class Fn, class Tuple>
asio::awaitable<Json> run_coroutine(Fn fn, Tuple args) {
    using Awaitable = decltype(std::apply(fn, args));
    using Value = typename IsAwaitable<Awaitable>::Value;
    if constexpr (std::is_void_v<Value>) {
        co_await std::apply(fn, args);
        co_return Json();
    } else {
        co_return Json(co_await std::apply(fn, args));
    }
}

#pragma GCC diagnostic pop

}  // namespace detail

/// A Handler that calls `Fn` (any callable whose parameters convert from Json). `Fn` is invoked
/// with arguments bound from the call's positional and keyword arguments by parameter name;
/// `std::optional` parameters may be left out. A callable returning asio::awaitable<T> runs as a
/// coroutine; its result is sent when it completes.
template <class Fn, class Traits = detail::CallableTraits<std::remove_cvref_t<Fn>>>
class FunctionHandler final : public Handler {
public:
    using Args = typename Traits::Args;
    using Result = typename Traits::Result;

    FunctionHandler(Fn fn, std::string display_name, std::vector<std::string> params)
        : fn_(std::move(fn)), signature_(make_signature(std::move(display_name), std::move(params))) {}

    /// Shares `signature` (from make_signature) with other handlers of the same function, which
    /// keeps per-object handlers small when thousands of agents expose the same members.
    FunctionHandler(Fn fn, std::shared_ptr<const detail::Signature> signature)
        : fn_(std::move(fn)), signature_(std::move(signature)) {}

    /// The signature of this handler type's function under `display_name`; throws
    /// mas::ConfigError if the number of parameter names does not fit.
    static std::shared_ptr<const detail::Signature> make_signature(std::string display_name,
                                                                   std::vector<std::string> params) {
        auto signature = std::make_shared<detail::Signature>();
        signature->display_name = std::move(display_name);
        signature->params = std::move(params);
        signature->arity = std::tuple_size_v<Args>;
        if (!signature->params.empty() && signature->params.size() != signature->arity) {
            throw ConfigError(signature->display_name + ": " + std::to_string(signature->params.size()) +
                              " parameter names given for " + std::to_string(signature->arity) + " parameters");
        }
        signature->optional = optional_flags(std::make_index_sequence<std::tuple_size_v<Args>>{});
        return signature;
    }

    Invocation invoke(CallArgs& call) const override {
        signature_->check(call.args, call.kwargs);
        auto args = bind(call, std::make_index_sequence<std::tuple_size_v<Args>>{});
        Invocation out;
        if constexpr (detail::IsAwaitable<Result>::value) {
            out.pending.emplace(detail::run_coroutine(fn_, std::move(args)));
        } else if constexpr (std::is_void_v<Result>) {
            std::apply(fn_, std::move(args));
        } else {
            out.result = detail::to_result(std::apply(fn_, std::move(args)));
        }
        return out;
    }

    [[nodiscard]] const std::string& display_name() const noexcept override { return signature_->display_name; }

private:
    template <std::size_t... I>
    static std::vector<bool> optional_flags(std::index_sequence<I...>) {
        return {detail::IsOptional<std::tuple_element_t<I, Args>>::value...};
    }

    template <std::size_t I>
    std::tuple_element_t<I, Args> bind_one(CallArgs& call) const {
        using T = std::tuple_element_t<I, Args>;
        const Json* value = signature_->find(I, call.args, call.kwargs);
        if (!value) {
            if constexpr (detail::IsOptional<T>::value) return std::nullopt;
            signature_->conversion_failed(I, Error("missing"));  // check() rules this out
        }
        try {
            return detail::from_arg<T>(*value, call.connection);
        } catch (const TypeError& e) {
            signature_->conversion_failed(I, e);
        }
    }

    template <std::size_t... I>
    Args bind(CallArgs& call, std::index_sequence<I...>) const {
        return Args{bind_one<I>(call)...};  // braces: evaluated left to right
    }

    Fn fn_;
    std::shared_ptr<const detail::Signature> signature_;
};

}  // namespace mas::rpc
