#pragma once
// The command line shared by the channel examples: `server HOST:PORT`, `client HOST:PORT` and
// `demo`. Each example supplies only its two halves of the conversation, so its source reads like
// the aiomas guide's example; this file holds the option parsing, logging and error reporting.

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

#include <asio/awaitable.hpp>
#include <fmt/format.h>

#include "mas/channel/channel.hpp"
#include "mas/channel/server.hpp"
#include "mas/core/json.hpp"

namespace mas::example {

/// What one example program does.
struct ExampleRoles {
    /// The executable's name, used in usage and error messages ("channel-echo").
    std::string_view name;
    /// One sentence for --help.
    std::string_view description;
    /// The server side: called for each accepted connection.
    ClientConnected serve;
    /// The client side: the whole conversation over one open channel.
    std::function<asio::awaitable<void>(Channel)> talk;
};

/// Parses the command line, sets up logging (spdlog to stderr, `--log-level`), and runs the server
/// until SIGINT/SIGTERM, the client once, or both in one process for `demo` (also the default).
/// Returns the exit code: 0 on success, 1 for a runtime error, 2 for bad arguments; errors are
/// printed as one line `<name>: error: <reason>` on stderr.
int run_example(const ExampleRoles& roles, int argc, char** argv);

/// Writes one line to stdout and flushes it, so that whoever reads the output (a person, a test)
/// sees it while the program is still running.
template <class... Args>
void say(fmt::format_string<Args...> format, Args&&... args) {
    fmt::print(format, std::forward<Args>(args)...);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

/// A value as the JSON text that goes on the wire (`"ohai"`, `["spam", 1]`).
std::string show(const Json& value);

}  // namespace mas::example
