#include "mosaik/sim_session.hpp"

#include <exception>

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "mas/core/json_codec.hpp"
#include "mosaik/mosaik_peer.hpp"
#include "support/run.hpp"

namespace mas::test {

const Json& SimSession::ok(std::size_t i) const {
    REQUIRE(i < replies.size());
    INFO("reply " << i << ": " << JsonCodec().encode(replies[i]));
    REQUIRE(replies[i][0] == Json(1));
    return replies[i][2];
}

std::string SimSession::failure(std::size_t i) const {
    REQUIRE(i < replies.size());
    INFO("reply " << i << ": " << JsonCodec().encode(replies[i]));
    REQUIRE(replies[i][0] == Json(2));
    return replies[i][2][1].as_string();
}

SimSession run_session(mosaik::Simulator& sim, const std::vector<SimCall>& calls) {
    asio::io_context io;
    SimSession session;
    std::shared_ptr<std::exception_ptr> error;
    std::shared_ptr<std::optional<mosaik::ServeEnd>> end;
    test::run(io, [&]() -> asio::awaitable<void> {
        auto served = co_await serve_over_tcp(sim);
        error = served.error;
        end = served.end;
        auto& peer = *served.mosaik;
        std::int64_t id = 0;
        for (const auto& c : calls) {
            auto message = request(id++, c.method, c.args, c.kwargs);
            auto reply = co_await call(peer, std::move(message));
            session.replies.push_back(std::move(reply));
        }
        auto stop = request(id, "stop", Json::array(), Json::object());
        co_await send_frame(peer, stop);
        auto closed = co_await peer.read_until_closed();
        CHECK(closed.data.empty());  // stop gets no reply
    }());
    // Run until serve() has finished; the guard only fails a hung test.
    while (!*end && !*error) REQUIRE(io.run_one_for(hang_guard) > 0);
    if (*error) std::rethrow_exception(*error);
    session.end = *end;
    return session;
}

}  // namespace mas::test
