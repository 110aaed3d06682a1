// The connect-back server of `cmd` simulators takes a connection only from the process mas-run
// started: the owner of a loopback connection's other end, found through the kernel's socket
// tables, with real sockets and real processes; and mas-run refusing a process it did not start.
#include "orchestrator/peer_process.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <string>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "integration/child_process.hpp"
#include "mosaik/mas_run_support.hpp"
#include "support/test_pki.hpp"

using namespace mas;
using mas::mosaik::detail::connection_from_tree;
using mas::mosaik::detail::socket_holder_in_tree;
using mas::mosaik::detail::tcp_socket_inode;

namespace {

using asio::ip::tcp;

const auto loopback = asio::ip::make_address("127.0.0.1");

// A loopback listener and the server's end of each accepted connection.
struct Listener {
    asio::io_context io;
    tcp::acceptor acceptor{io, {loopback, 0}};
    [[nodiscard]] std::uint16_t port() const { return acceptor.local_endpoint().port(); }
    // The accepted connection's peer as a channel names it.
    std::string accept_peer(tcp::socket& server_end) {
        acceptor.accept(server_end);
        const auto peer = server_end.remote_endpoint();
        return fmt::format("{}:{}", peer.address().to_string(), peer.port());
    }
};

// The port in the last "host:port" word of a line.
std::uint16_t port_at_end(const std::string& line) {
    return static_cast<std::uint16_t>(std::stoul(line.substr(line.rfind(':') + 1)));
}

}  // namespace

TEST_CASE("The other end of a loopback connection is found in the process tree that holds it", "[mosaik]") {
    // Started before the connection exists: the test's children inherit this process's descriptors.
    test::ChildProcess other("/bin/sh", {"-c", "echo $$; exec tail -f /dev/null"});
    Listener listener;
    tcp::socket client(listener.io);
    client.connect({loopback, listener.port()});
    tcp::socket server_end(listener.io);
    const auto peer = listener.accept_peer(server_end);

    const auto inode = tcp_socket_inode(loopback, client.local_endpoint().port(), listener.port());
    REQUIRE(inode);
    CHECK(socket_holder_in_tree(::getpid(), *inode) == ::getpid());
    std::string why;
    CHECK(connection_from_tree(peer, listener.port(), ::getpid(), why));
    // The server's own end is another socket: it is not the client's.
    CHECK(tcp_socket_inode(loopback, listener.port(), client.local_endpoint().port()) != inode);

    SECTION("a process that does not hold it, nor do its descendants, is told apart") {
        const auto pid = std::stoi(other.read_line(test::Stream::out, test::guard).value());
        CHECK_FALSE(socket_holder_in_tree(pid, *inode));
        CHECK_FALSE(connection_from_tree(peer, listener.port(), pid, why));
        CHECK_THAT(why, Catch::Contains("did not start"));
    }
    SECTION("a peer that is not there, or not an address, is refused with the reason") {
        client.close();
        server_end.close();
        // The port the client had is free now: no socket of this machine is that peer.
        CHECK_FALSE(connection_from_tree(peer, listener.port(), ::getpid(), why));
        CHECK_THAT(why, Catch::Contains("no local socket"));
        for (const auto* bad : {"", "nonsense", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000", "localhost:80",
                                "[::1]:x"}) {
            CAPTURE(bad);
            CHECK_FALSE(connection_from_tree(bad, listener.port(), ::getpid(), why));
        }
    }
}

TEST_CASE("A connection over IPv6 loopback, or IPv4 to a dual-stack port, is found as over IPv4", "[mosaik]") {
    // The kernel lists both in /proc/net/tcp6, the second with IPv4-mapped addresses.
    const auto [listen_on, connect_to] = GENERATE(std::pair<std::string, std::string>{"::1", "::1"},
                                                  std::pair<std::string, std::string>{"::", "127.0.0.1"});
    CAPTURE(listen_on, connect_to);
    asio::io_context io;
    tcp::acceptor acceptor(io, {asio::ip::make_address(listen_on), 0});
    const auto port = acceptor.local_endpoint().port();
    tcp::socket client(io);
    client.connect({asio::ip::make_address(connect_to), port});
    tcp::socket server_end(io);
    acceptor.accept(server_end);
    const auto remote = server_end.remote_endpoint();
    // As a channel names its peer: IPv6 addresses in brackets.
    const auto peer = fmt::format("[{}]:{}", remote.address().to_string(), remote.port());

    const auto inode = tcp_socket_inode(remote.address(), remote.port(), port);
    REQUIRE(inode);
    CHECK(socket_holder_in_tree(::getpid(), *inode) == ::getpid());
    std::string why;
    CHECK(connection_from_tree(peer, port, ::getpid(), why));
    client.close();
    server_end.close();
    CHECK_FALSE(connection_from_tree(peer, port, ::getpid(), why));
}

TEST_CASE("A connection from a child process is found at the child, through its parent's tree", "[mosaik]") {
    Listener listener;
    // The child connects, says its process id, and keeps the connection until this end closes it.
    const auto script = fmt::format(
        "import os, socket\n"
        "s = socket.create_connection(('127.0.0.1', {}))\n"
        "print(os.getpid(), flush=True)\n"
        "s.recv(1)\n",
        listener.port());
    test::ChildProcess child("/usr/bin/python3", {"-c", script});
    tcp::socket server_end(listener.io);
    const auto peer = listener.accept_peer(server_end);
    const auto pid = std::stoi(child.read_line(test::Stream::out, test::guard).value());

    const auto inode = tcp_socket_inode(loopback, server_end.remote_endpoint().port(), listener.port());
    REQUIRE(inode);
    CHECK(socket_holder_in_tree(pid, *inode) == pid);
    CHECK(socket_holder_in_tree(::getpid(), *inode) == pid);
    std::string why;
    CHECK(connection_from_tree(peer, listener.port(), pid, why));
    CHECK(connection_from_tree(peer, listener.port(), ::getpid(), why));
    server_end.close();
    CHECK(child.wait(test::guard).success());
}

namespace {

// A scenario whose one simulator, example_sim.py, connects back only once a line is written to
// `gate` (a FIFO), so that another process can connect to its port first.
std::string gated_scenario(const std::filesystem::path& dir, const std::filesystem::path& gate) {
    const auto wrapper = dir / "gated.sh";
    std::ofstream(wrapper) << "read line < \"$1\"\nexec \"$2\" \"$3\" \"$4\"\n";
    const auto scenario = dir / "gated.json";
    std::ofstream(scenario) << fmt::format(
        R"({{"sim_config": {{"ExampleSim": {{"cmd": "/bin/sh {} {} %(python)s {}/example_sim.py %(addr)s"}}}},
             "world": {{"start_timeout": 60}},
             "sims": [{{"name": "ExampleSim"}}],
             "entities": [{{"name": "e", "sim": "ExampleSim-0", "model": "ExampleModel", "params": {{"init_val": 1}}}}],
             "until": 3}})",
        wrapper.string(), gate.string(), MAS_MOSAIK_TEST_DATA_DIR);
    return scenario.string();
}

}  // namespace

TEST_CASE("mas-run refuses a connection to a cmd simulator's port from a process it did not start",
          "[mosaik][integration]") {
    test::TempDir dir;
    const auto gate = dir.path() / "gate";
    REQUIRE(::mkfifo(gate.c_str(), 0600) == 0);
    const auto scenario = gated_scenario(dir.path(), gate);
    const bool any_peer = GENERATE(false, true);
    CAPTURE(any_peer);
    std::vector<std::string> args{scenario, "--out", dir.path().string()};
    if (any_peer) args.emplace_back("--any-local-peer");
    test::ChildProcess run(MAS_RUN_EXE, args);

    // mas-run names the simulator's address in the command it starts.
    std::string starting;
    while (starting.find("starting simulator ExampleSim-0: ") == std::string::npos) {
        const auto line = run.read_line(test::Stream::err, test::guard);
        INFO("stderr so far: " << run.output(test::Stream::err));
        REQUIRE(line);
        starting = *line;
    }
    asio::io_context io;
    tcp::socket intruder(io);
    intruder.connect({loopback, port_at_end(starting)});
    const auto from = fmt::format("127.0.0.1:{}", intruder.local_endpoint().port());

    if (!any_peer) {
        test::wait_for_line(run, "refusing a connection from " + from + " to the server of simulator ExampleSim-0: ");
        // The refused connection is closed; the simulator itself then connects and the run ends well.
        std::array<char, 1> byte{};
        std::error_code ec;
        asio::read(intruder, asio::buffer(byte), ec);
        CHECK(ec == asio::error::eof);
        std::ofstream(gate) << "go\n";
        const auto status = run.wait(test::guard);
        INFO(run.output(test::Stream::err));
        CHECK(status.success());
        CHECK_THAT(run.output(test::Stream::out), Catch::Contains("ExampleSim-0"));
    } else {
        // Taken as the simulator: mas-run's first request (init) comes to this connection.
        std::array<char, 4> header{};
        std::error_code ec;
        asio::read(intruder, asio::buffer(header), ec);
        CHECK_FALSE(ec);
        intruder.close();
        const auto status = run.wait(test::guard);
        INFO(run.output(test::Stream::err));
        CHECK(status.code == 1);
        CHECK_THAT(run.output(test::Stream::err), !Catch::Contains("refusing a connection"));
    }
    CHECK(test::no_children());
}
