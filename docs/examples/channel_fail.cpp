// channel-fail: the failure example of the aiomas guide in C++.
//
// The server answers every request with a failure, as `req.fail(ValueError('nope'))` does in
// Python; the client's send() then throws mas::RemoteError with the peer's address and the failure
// text. A Python aiomas client sees the failure as a RemoteException ending in "ValueError: nope".
//
//   channel-fail server 127.0.0.1:5555
//   channel-fail client 127.0.0.1:5555
//   channel-fail demo

#include <sstream>
#include <stdexcept>
#include <string>

#include <spdlog/spdlog.h>

#include "example_app.hpp"
#include "mas/core/error.hpp"

namespace {

using mas::example::say;
using mas::example::show;

// Exactly what aiomas sends for an exception that was never raised (so has no traceback).
constexpr const char* failure = "ValueError: nope\n";

asio::awaitable<void> serve(mas::Channel channel) {
    try {
        for (;;) {
            mas::Request request = co_await channel.recv();
            say("server: got {}, failing it with ValueError: nope", show(request.content()));
            co_await request.fail_with_text(failure);
        }
    } catch (const mas::ConnectionError& e) {
        // The client closing its end is how every conversation ends.
        spdlog::debug("connection to {} ended: {}", channel.peer(), e.what());
    }
}

asio::awaitable<void> talk(mas::Channel channel) {
    const mas::Json request("ohai");
    say("client: sending {}", show(request));
    try {
        const mas::Json reply = co_await channel.send(request);
        throw std::runtime_error("expected a failure, but the server replied " + show(reply));
    } catch (const mas::RemoteError& e) {
        say("client: the request failed at {}:", e.origin());
        std::istringstream lines(e.remote_traceback());
        for (std::string line; std::getline(lines, line);) say("client:   {}", line);
    }
}

}  // namespace

int main(int argc, char** argv) {
    return mas::example::run_example(
        {"channel-fail", "The aiomas guide's failure example: every request is answered with ValueError: nope.",
         serve, talk},
        argc, argv);
}
