#include "mas/core/with_timeout.hpp"

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include "mas/core/block_on.hpp"

using namespace mas;
using namespace std::chrono_literals;

namespace {
asio::awaitable<int> after(std::chrono::milliseconds delay, int value) {
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
    co_return value;
}
asio::awaitable<int> throws() {
    co_await after(0ms, 0);
    throw std::runtime_error("boom");
}
}  // namespace

TEST_CASE("with_timeout returns the result of an operation that finishes in time", "[core]") {
    asio::io_context io;
    CHECK(block_on(io, with_timeout(after(1ms, 42), 30s, "op")) == 42);
}

TEST_CASE("with_timeout throws Timeout naming the operation when the deadline passes first", "[core]") {
    asio::io_context io;
    try {
        (void)block_on(io, with_timeout(after(30s, 1), 10ms, "the slow thing"));
        FAIL("no Timeout");
    } catch (const Timeout& e) {
        CHECK_THAT(e.what(), Catch::Contains("the slow thing timed out after 10 ms"));
    }
}

TEST_CASE("with_timeout passes the operation's exception through", "[core]") {
    asio::io_context io;
    CHECK_THROWS_WITH(block_on(io, with_timeout(throws(), 30s, "op")), "boom");
}

TEST_CASE("block_on reports an io_context that runs out of work", "[core]") {
    asio::io_context io;
    io.stop();
    auto never = []() -> asio::awaitable<void> { co_return; };
    // A stopped context is restarted, so the operation still completes.
    CHECK_NOTHROW(block_on(io, never()));
}
