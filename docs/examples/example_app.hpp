#pragma once
// The command line shared by the channel examples: `server HOST:PORT`, `client HOST:PORT` and
// `demo`. Each example supplies only its two halves of the conversation, so its source reads like
// the aiomas guide's example; this file holds the option parsing, logging and error reporting.

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <asio/awaitable.hpp>
#include <fmt/format.h>

#include "mas/channel/channel.hpp"
#include "mas/channel/server.hpp"
#include "mas/core/codec.hpp"
#include "mas/core/endpoint.hpp"
#include "mas/core/json.hpp"

namespace mas::example {

/// What one example program does.
struct ExampleRoles {
    /// The executable's name, used in usage and error messages ("channel-echo").
    std::string_view name;
    /// One sentence for --help.
    std::string_view description;
    /// The server side of a channel example: called for each accepted connection.
    ClientConnected serve;
    /// The client side of a channel example: the whole conversation over one open channel.
    std::function<asio::awaitable<void>(Channel)> talk;
};

/// A running server side: the address it is reached at, and what keeps it running.
struct Serving {
    Serving() noexcept {}
    std::string address;
    std::shared_ptr<void> keep_alive;
};

/// What an RPC or agent example does: its own server start-up and client conversation.
struct AppRoles {
    std::string_view name;
    std::string_view description;
    /// Starts serving on the endpoint and returns what keeps the server up.
    std::function<asio::awaitable<Serving>(Endpoint)> serve;
    /// Connects to the server at the endpoint (retrying for up to `timeout`) and talks.
    std::function<asio::awaitable<void>(Endpoint, std::chrono::steady_clock::duration timeout)> talk;
};

/// Parses the command line, sets up logging (spdlog to stderr, `--log-level`), and runs the server
/// until SIGINT/SIGTERM, the client once, or both in one process for `demo` (also the default).
/// Returns the exit code: 0 on success, 1 for a runtime error, 2 for bad arguments; errors are
/// printed as one line `<name>: error: <reason>` on stderr.
int run_example(const AppRoles& roles, int argc, char** argv);

/// Runs a single-process example: parses `--help` and `--log-level`, sets up logging, runs
/// `body` to completion. Exit codes and error lines as run_example.
int run_local_example(std::string_view name, std::string_view description, std::function<asio::awaitable<void>()> body,
                      int argc, char** argv);

/// run_example for a channel example.
int run_example(const ExampleRoles& roles, int argc, char** argv);

/// Writes one line to stdout and flushes it, so that whoever reads the output (a person, a test)
/// sees it while the program is still running.
template <class... Args>
void say(fmt::format_string<Args...> format, Args&&... args) {
    fmt::print(format, std::forward<Args>(args)...);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

/// The codec chosen with `--codec` (json, msgpack or msgpack-blosc; JSON by default), for every
/// connection and server of the example.
std::shared_ptr<const Codec> codec();

/// A value as the JSON text that goes on the wire (`"ohai"`, `["spam", 1]`); bytes, which only
/// MsgPack carries, as Python shows them (`b'\x00\xff'`).
std::string show(const Json& value);

}  // namespace mas::example
