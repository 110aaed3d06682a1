#pragma once
// Test helpers to run coroutines to completion with a hang guard.

#include <chrono>

#include <asio/io_context.hpp>

#include "mas/core/block_on.hpp"
#include "mas/core/with_timeout.hpp"

namespace mas::test {

/// Generous bound on any single test step. It fails a hung test; it never synchronises one.
inline constexpr auto hang_guard = std::chrono::seconds(30);

/// Runs `op` on `io` until it completes and returns its result; fails with mas::Timeout if it
/// hangs past the guard.
template <class T>
T run(asio::io_context& io, asio::awaitable<T> op, std::chrono::steady_clock::duration guard = hang_guard) {
    return block_on(io, with_timeout(std::move(op), guard, "test step"));
}

}  // namespace mas::test
