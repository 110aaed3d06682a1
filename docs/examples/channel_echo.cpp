// channel-echo: the channel example of the aiomas guide in C++.
//
// The client sends "ohai" and gets "cya"; it then sends ["spam", 1] and gets it back unchanged.
// The frames on the wire are the ones aiomas writes for the same conversation, so either side can
// be a Python aiomas peer:
//
//   channel-echo server 127.0.0.1:5555     # serves until Ctrl-C / SIGTERM
//   channel-echo client 127.0.0.1:5555     # retries for up to 10 s until the server is up
//   channel-echo demo                      # both in one process, on a free port

#include <vector>

#include <spdlog/spdlog.h>

#include "example_app.hpp"
#include "mas/core/error.hpp"

namespace {

using mas::example::say;
using mas::example::show;

// The server side: answers each request on one connection until the client hangs up.
asio::awaitable<void> serve(mas::Channel channel) {
    try {
        for (;;) {
            mas::Request request = co_await channel.recv();
            const mas::Json reply = request.content() == mas::Json("ohai") ? mas::Json("cya") : request.content();
            say("server: got {}, replying {}", show(request.content()), show(reply));
            co_await request.reply(reply);
        }
    } catch (const mas::ConnectionError& e) {
        // The client closing its end is how every conversation ends.
        spdlog::debug("connection to {} ended: {}", channel.peer(), e.what());
    }
}

// The client side: two requests, one after the other.
asio::awaitable<void> talk(mas::Channel channel) {
    // Built in a statement of its own: g++ 12 mishandles initializer lists inside co_await.
    const std::vector<mas::Json> requests{"ohai", mas::Json::array({"spam", 1})};
    for (const auto& request : requests) {
        say("client: sending {}", show(request));
        const mas::Json reply = co_await channel.send(request);
        say("client: got reply {}", show(reply));
    }
}

}  // namespace

int main(int argc, char** argv) {
    return mas::example::run_example(
        {"channel-echo", "The aiomas guide's channel example: \"ohai\" gets \"cya\", anything else is echoed.",
         serve, talk},
        argc, argv);
}
