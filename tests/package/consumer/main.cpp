// Uses the installed libmas the way an application does: one request over an in-process channel.

#include <cstdio>
#include <exception>

#include <mas/mas.hpp>

namespace {

// Answers each request with [request, "pong"] until the client hangs up.
asio::awaitable<void> answer(mas::Channel channel) {
    try {
        for (;;) {
            auto request = co_await channel.recv();
            mas::Json reply = mas::Json::array({request.content(), "pong"});
            co_await request.reply(std::move(reply));
        }
    } catch (const mas::ConnectionError&) {
        // The client closed the channel: the conversation is over.
    }
}

asio::awaitable<mas::Json> ping() {
    auto server = co_await mas::start_server(mas::Endpoint::parse("local://consumer"), answer);
    auto channel = co_await mas::open_connection(server.endpoint());
    auto reply = co_await channel.send("ping");
    channel.close();
    server.close();
    co_return reply;
}

}  // namespace

int main() {
    try {
        asio::io_context io;
        const auto reply = mas::block_on(io, ping());
        const auto text = mas::JsonCodec().encode(reply);
        if (text != R"(["ping", "pong"])") {
            std::fprintf(stderr, "mas-consumer: error: unexpected reply %s\n", text.c_str());
            return 1;
        }
        std::printf("mas-consumer: got %s\n", text.c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mas-consumer: error: %s\n", e.what());
        return 1;
    }
}
