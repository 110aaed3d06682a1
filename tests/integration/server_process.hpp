#pragma once
// An example's server side as a real process, started on a free port that it reports in its
// first line of output.

#include <csignal>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "integration/child_process.hpp"
#include "mas/core/endpoint.hpp"
#include "support/run.hpp"

namespace mas::test {

inline const std::string listening_prefix = "server: listening on ";

// A server process, started on a free port that it reports in its first line of output.
struct ServerProcess {
    static std::vector<std::string> with_options(std::vector<std::string> args, const std::vector<std::string>& options) {
        args.insert(args.end(), options.begin(), options.end());
        return args;
    }

    ChildProcess process;
    Endpoint endpoint;

    ServerProcess(const std::string& exe, const std::string& address = "127.0.0.1:0",
                  const std::vector<std::string>& options = {})
        : process(exe, with_options({"server", address}, options)) {
        const auto line = process.read_line(Stream::out, test::hang_guard);
        INFO("stderr: " << process.output(Stream::err));
        REQUIRE(line);
        REQUIRE(line->starts_with(listening_prefix));
        endpoint = Endpoint::parse(line->substr(listening_prefix.size()));
    }

    std::string address() const { return endpoint.host + ":" + std::to_string(endpoint.port); }

    // Stops the server the way a user does; it must shut down cleanly.
    std::vector<std::string> stop() {
        process.signal(SIGTERM);
        const auto status = process.wait(test::hang_guard);
        INFO("stderr: " << process.output(Stream::err));
        CHECK(status.success());
        return test::split_lines(process.output(Stream::out));
    }
};

}  // namespace mas::test
