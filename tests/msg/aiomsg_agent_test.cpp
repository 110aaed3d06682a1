// mas-aiomsg-agent as real processes: its command line is aiomsg's conformance contract, and a
// bind end that is killed and restarted must not cost the connect end anything it queued.
#include <signal.h>

#include <future>
#include <optional>
#include <thread>

#include <asio/co_spawn.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/use_future.hpp>
#include <catch2/catch.hpp>

#include "integration/child_process.hpp"
#include "mas/core/with_timeout.hpp"
#include "mas/msg/socket.hpp"
#include "support/run.hpp"
#include "support/test_pki.hpp"

using namespace mas;
using namespace std::chrono_literals;
using test::ChildProcess;
using test::Stream;

namespace {

const std::string agent = MAS_AIOMSG_AGENT_EXE;

// A port nobody listens on right now, for agents that must bind a known port.
std::uint16_t unused_port() {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return acceptor.local_endpoint().port();
}

std::vector<std::string> agent_args(const std::string& role, const std::string& behavior, std::uint16_t port,
                                    std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--role", role, "--host", "127.0.0.1", "--port", std::to_string(port),
                                  "--behavior", behavior, "--log-level", "warn"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

std::vector<std::string> read_lines(ChildProcess& child, std::size_t count) {
    std::vector<std::string> lines;
    while (lines.size() < count) {
        auto line = child.read_line(Stream::out, test::hang_guard);
        if (!line) break;
        lines.push_back(std::move(*line));
    }
    return lines;
}

std::vector<std::string> numbered(const std::string& prefix, int count) {
    std::vector<std::string> out;
    for (int i = 0; i < count; ++i) out.push_back(prefix + std::to_string(i));
    return out;
}

// A libmas socket whose io_context runs on its own thread, so that the test's thread can block on
// a child's output meanwhile.
class Background {
public:
    Background() = default;
    ~Background() { stop(); }

    void start() {
        work_.emplace(io.get_executor());
        thread_ = std::thread([this] { io.run(); });
    }
    template <class T>
    T run(asio::awaitable<T> op) {
        auto guarded = with_timeout(std::move(op), test::hang_guard, "test step");
        return asio::co_spawn(io, std::move(guarded), asio::use_future).get();
    }
    void stop() {
        if (!thread_.joinable()) return;
        asio::post(io, [this] { work_.reset(); });
        thread_.join();
    }

    asio::io_context io;

private:
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
    std::thread thread_;
};

asio::awaitable<void> connect_and_send(msg::Socket& socket, std::uint16_t port, std::string payload) {
    socket.connect(Endpoint::tcp("127.0.0.1", port));
    co_await socket.send(std::move(payload));
}

asio::awaitable<std::size_t> queue_while_down(msg::Socket& socket, std::vector<std::string> payloads) {
    co_await socket.wait_connections(0);
    for (auto& payload : payloads) co_await socket.send(std::move(payload));
    co_return socket.buffered_messages();
}

asio::awaitable<void> close_socket(msg::Socket& socket) {
    socket.close();
    co_return;
}

asio::awaitable<std::vector<std::string>> echo_round(msg::Socket& socket, std::uint16_t port,
                                                     std::vector<std::string> payloads) {
    socket.connect(Endpoint::tcp("127.0.0.1", port));
    for (auto payload : payloads) co_await socket.send(std::move(payload));
    std::vector<std::string> got;
    while (got.size() < payloads.size()) {
        auto message = co_await socket.recv();
        got.push_back(std::move(message));
    }
    co_return got;
}

}  // namespace

TEST_CASE("A sink agent killed and started again on its port gets, in order, what was sent while it was down",
          "[msg][integration]") {
    Background background;
    msg::SocketOptions options;
    options.reconnect_delay = msg::fixed_delay(20ms);
    msg::Socket sender(background.io.get_executor(), options);
    background.start();
    const auto port = unused_port();

    ChildProcess first(agent, agent_args("bind", "sink", port, {"--count", "1000"}));
    background.run(connect_and_send(sender, port, "before"));
    CHECK(first.read_line(Stream::out, test::hang_guard) == "before");
    first.signal(SIGKILL);
    const auto killed = first.wait(test::hang_guard);
    CHECK_FALSE(killed.exited);

    const auto queued = background.run(queue_while_down(sender, numbered("while-down-", 20)));
    CHECK(queued == 20);

    ChildProcess second(agent, agent_args("bind", "sink", port, {"--count", "20"}));
    CHECK(read_lines(second, 20) == numbered("while-down-", 20));
    CHECK(second.wait(test::hang_guard).success());
    background.run(close_socket(sender));
}

TEST_CASE("Two agents exchange messages over the conformance command line, plain and over TLS",
          "[msg][integration]") {
    const bool tls = GENERATE(false, true);
    const bool source_binds = GENERATE(true, false);
    const std::string mode = GENERATE("publish", "roundrobin");
    CAPTURE(tls, source_binds, mode);
    test::TempDir dir;
    std::vector<std::string> common{"--send-mode", mode, "--count", "10", "--prefix", "m", "--linger", "30"};
    if (mode == "roundrobin") common.insert(common.end(), {"--delivery", "at-least-once"});
    if (tls) {
        const auto pki = test::make_test_pki(dir.path());
        common.insert(common.end(), {"--tls", "true", "--tls-cert", pki.server.cert_file.string(), "--tls-key",
                                     pki.server.key_file.string(), "--tls-ca", pki.server.ca_file.string()});
    }
    const auto port = unused_port();
    // Whichever starts first, the connect end retries until the bind end is up: no waiting here.
    ChildProcess source(agent, agent_args(source_binds ? "bind" : "connect", "source", port, common));
    ChildProcess sink(agent, agent_args(source_binds ? "connect" : "bind", "sink", port, common));
    CHECK(read_lines(sink, 10) == numbered("m", 10));
    CHECK(sink.wait(test::hang_guard).success());
    source.signal(SIGTERM);
    source.wait(test::hang_guard);
}

TEST_CASE("An echo agent sends every message back to the socket it came from", "[msg][integration]") {
    const auto port = unused_port();
    ChildProcess echo(agent, agent_args("bind", "echo", port, {"--count", "5", "--linger", "0"}));
    Background background;
    msg::Socket socket(background.io.get_executor());
    background.start();
    const auto got = background.run(echo_round(socket, port, numbered("ping", 5)));
    CHECK(got == numbered("ping", 5));
    CHECK(echo.wait(test::hang_guard).success());
    background.run(close_socket(socket));
}

TEST_CASE("The agent refuses bad flags with a one-line reason and a non-zero exit", "[msg][integration]") {
    const auto bad_identity = test::run_program(agent, {"--identity", "xyz"}, test::hang_guard);
    CHECK_FALSE(bad_identity.status.success());
    CHECK_THAT(bad_identity.err, Catch::Contains("mas-aiomsg-agent: error:") && Catch::Contains("32 hex digits"));
    const auto bad_tls = test::run_program(agent, {"--tls", "maybe"}, test::hang_guard);
    CHECK_FALSE(bad_tls.status.success());
    CHECK_THAT(bad_tls.err, Catch::Contains("--tls must be true or false"));
    const auto missing_cert = test::run_program(agent, {"--role", "bind", "--tls", "true", "--port", "0"},
                                                test::hang_guard);
    CHECK_FALSE(missing_cert.status.success());
    CHECK_THAT(missing_cert.err, Catch::Contains("--tls-cert"));
}
