#pragma once
/// \file
/// block_on: run an io_context until one awaitable completes (for main functions and tests).

#include <exception>
#include <optional>
#include <utility>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include "mas/core/error.hpp"

namespace mas {

/// Spawns `op` on `io` and runs `io` on the calling thread until `op` completes, then returns its
/// result or rethrows its exception. Other work on `io` (servers, other channels) runs meanwhile
/// and stays queued afterwards. Throws mas::Error if `io` runs out of work or is stopped before
/// `op` completes. Never call it from inside `io`'s own thread while `io` is running.
template <class T>
T block_on(asio::io_context& io, asio::awaitable<T> op) {
    std::exception_ptr error;
    bool done = false;
    std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> result;
    auto on_done = [&](std::exception_ptr e, auto&&... value) {
        error = e;
        if constexpr (sizeof...(value) > 0) {
            if (!e) result.emplace(std::forward<decltype(value)>(value)...);
        }
        done = true;
    };
    asio::co_spawn(io, std::move(op), on_done);
    if (io.stopped()) io.restart();
    while (!done) {
        if (io.run_one() == 0) throw Error("block_on: the io_context stopped before the operation completed");
    }
    if (error) std::rethrow_exception(error);
    if constexpr (!std::is_void_v<T>) return std::move(*result);
}

}  // namespace mas
