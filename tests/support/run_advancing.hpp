#pragma once
// Runs a coroutine on an io_context while advancing an ExternalClock, the way a simulator would:
// whenever nothing is ready to run, the clock jumps to its next activity.

#include <cstddef>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include "mas/agent/external_clock.hpp"
#include "mas/core/error.hpp"

namespace mas::test {

/// Spawns `op` on `io` and runs `io` until `op` completes, setting `clock` to its next activity
/// each time no handler is ready. Returns `op`'s result or rethrows its exception. Throws
/// mas::Error if `op` waits while nothing is scheduled on the clock, or after `max_steps` clock
/// steps (the hang guard; it never waits on real time).
template <class T>
T run_advancing(asio::io_context& io, agent::ExternalClock& clock, asio::awaitable<T> op,
                std::size_t max_steps = 100000) {
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
    for (std::size_t step = 0;; ++step) {
        io.restart();
        io.poll();
        if (done) break;
        const auto next = clock.next_activity();
        if (!next) throw Error("run_advancing: the operation waits, but nothing is scheduled on the clock");
        if (step == max_steps) throw Error("run_advancing: the operation did not finish within the step limit");
        clock.set_time(*next);
    }
    if (error) std::rethrow_exception(error);
    if constexpr (!std::is_void_v<T>) return std::move(*result);
}

/// Runs every handler that is ready on `io`, without waiting; returns how many ran.
inline std::size_t poll(asio::io_context& io) {
    io.restart();
    return io.poll();
}

}  // namespace mas::test
