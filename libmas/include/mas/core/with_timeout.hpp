#pragma once
/// \file
/// with_timeout: the one way libmas puts a deadline on an awaitable operation.

#include <chrono>
#include <string>
#include <utility>
#include <variant>

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "mas/core/error.hpp"

namespace mas {

/// `seconds` as a steady_clock duration, for timeouts a user writes in seconds. A time longer
/// than the clock can count (about 292 years) becomes duration::max(), which every wait treats
/// as no deadline, instead of overflowing into a negative time. Negative and NaN are the caller's
/// to refuse; they become zero.
inline std::chrono::steady_clock::duration to_clock_duration(std::chrono::duration<double> seconds) {
    using Duration = std::chrono::steady_clock::duration;
    constexpr double max_seconds =
        std::chrono::duration<double>(Duration::max()).count() / 2;  // well inside the count, after rounding
    if (!(seconds.count() > 0)) return Duration::zero();
    if (seconds.count() >= max_seconds) return Duration::max();
    return std::chrono::duration_cast<Duration>(seconds);
}

/// Runs `op` and returns its result, or cancels it and throws mas::Timeout("<what> timed out
/// after N ms") if it has not finished within `timeout`. Exceptions of `op` propagate unchanged.
/// Runs on the calling coroutine's executor; `op` must support Asio per-operation cancellation
/// (all libmas operations do).
template <class T>
asio::awaitable<T> with_timeout(asio::awaitable<T> op, std::chrono::steady_clock::duration timeout,
                                std::string what) {
    // Not awaitable_operators' `||`: it waits for the first *successful* branch, so an
    // operation that fails fast would still wait for the whole timeout.
    namespace ex = asio::experimental;
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor, timeout);
    auto group = ex::make_parallel_group(asio::co_spawn(executor, std::move(op), ex::deferred),
                                         timer.async_wait(ex::deferred));
    auto result = co_await group.async_wait(ex::wait_for_one(), asio::use_awaitable);
    const auto& order = std::get<0>(result);
    if (order[0] == 1) {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
        throw Timeout(what + " timed out after " + std::to_string(ms) + " ms");
    }
    if (auto error = std::get<1>(result)) std::rethrow_exception(error);
    if constexpr (!std::is_void_v<T>) {
        co_return std::move(std::get<2>(result));
    }
}

}  // namespace mas
