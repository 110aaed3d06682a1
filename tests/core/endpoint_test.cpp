#include "mas/core/endpoint.hpp"

#include <catch2/catch.hpp>

#include "mas/core/error.hpp"

using namespace mas;

TEST_CASE("Endpoints parse from and print as URLs", "[core]") {
    CHECK(Endpoint::parse("tcp://127.0.0.1:5555") == Endpoint::tcp("127.0.0.1", 5555));
    CHECK(Endpoint::parse("localhost:0") == Endpoint::tcp("localhost", 0));
    CHECK(Endpoint::parse("[::1]:80") == Endpoint::tcp("::1", 80));
    CHECK(Endpoint::parse("tcp://[::1]:80").to_string() == "tcp://[::1]:80");
    CHECK(Endpoint::parse("unix:///tmp/x.sock") == Endpoint::unix_socket("/tmp/x.sock"));
    CHECK(Endpoint::parse("ipc:///tmp/x.sock") == Endpoint::unix_socket("/tmp/x.sock"));
    CHECK(Endpoint::parse("local://sim") == Endpoint::local("sim"));
    CHECK(Endpoint::tcp("example.org", 1).to_string() == "tcp://example.org:1");
    CHECK(Endpoint::unix_socket("/a").to_string() == "unix:///a");
}

TEST_CASE("Malformed endpoints are a ConfigError that names the text and the problem", "[core]") {
    auto fails_with = [](std::string_view text, const std::string& why) {
        CAPTURE(text);
        try {
            (void)Endpoint::parse(text);
            FAIL("no ConfigError");
        } catch (const ConfigError& e) {
            CHECK_THAT(e.what(), Catch::Contains(std::string(text)) && Catch::Contains(why));
        }
    };
    fails_with("localhost", "expected HOST:PORT");
    fails_with("localhost:99999", "port must be a number");
    fails_with("localhost:http", "port must be a number");
    fails_with(":5", "empty host");
    fails_with("::1:5", "brackets");
    fails_with("udp://x:1", "unknown scheme");
    fails_with("unix://", "empty socket path");
}
