#include "mas/agent/container.hpp"

#include <cstdio>
#include <string>
#include <vector>

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include "mas/agent/agent.hpp"
#include "mas/agent/date_time.hpp"
#include "mas/agent/external_clock.hpp"
#include "mas/channel/tls_context.hpp"
#include "mas/rpc/remote_error.hpp"
#include "support/run.hpp"
#include "support/test_pki.hpp"

using namespace mas;
using namespace mas::agent;

namespace {
struct Point {
    double x = 0;
    double y = 0;
};
}  // namespace

template <>
struct mas::Serializer<Point> {
    static constexpr std::string_view name = "Point";
    static Json to_json(const Point& p) { return Json::array({p.x, p.y}); }
    static Point from_json(const Json& j) { return {j[0].get<double>(), j[1].get<double>()}; }
};

namespace {

class Callee : public Agent {
public:
    explicit Callee(Container& c) : Agent(c) {
        expose("spam", &Callee::spam, {"times"});
        expose("add", &Callee::add, {"a", "b"});
        expose("next_day", &Callee::next_day, {"date"});
        expose("call_back", &Callee::call_back, {"caller", "name"});
        expose("nap", &Callee::nap, {"seconds"});
    }
    std::string spam(int times) {
        std::string out;
        for (int i = 0; i < times; ++i) out += "spam";
        return out;
    }
    int add(int a, int b) { return a + b; }
    DateTime next_day(const DateTime& date) { return date.shift_seconds(86400); }
    asio::awaitable<std::string> call_back(rpc::Proxy caller, std::string name) {
        co_return co_await caller["hello"].call<std::string>(name);
    }
    asio::awaitable<void> nap(double seconds) { co_await clock().sleep(seconds); }
};

class Caller : public Agent {
public:
    explicit Caller(Container& c) : Agent(c) { expose("hello", &Caller::hello, {"name"}); }
    std::string hello(const std::string& name) { return "hello " + name; }
};

std::shared_ptr<ExternalClock> external_clock(asio::io_context& io) {
    return std::make_shared<ExternalClock>(io.get_executor(), DateTime::parse("2016-01-01T00:00:00+00:00"));
}

std::unique_ptr<Container> make_container(asio::io_context& io, std::string address = "tcp://127.0.0.1:0",
                                          std::shared_ptr<Clock> clock = nullptr) {
    ContainerOptions options;
    options.clock = std::move(clock);
    return test::run(io, Container::create(std::move(address), options));
}

/// Two containers on one io_context: `a` with a Caller (agent 0), `b` with a Callee (agent 0).
struct TwoContainers {
    TwoContainers() {
        a = make_container(io, "tcp://127.0.0.1:0", external_clock(io));
        b = make_container(io, "tcp://127.0.0.1:0", external_clock(io));
        caller = &a->spawn<Caller>();
        callee = &b->spawn<Callee>();
    }
    asio::io_context io;
    std::unique_ptr<Container> a;
    std::unique_ptr<Container> b;
    Caller* caller;
    Callee* callee;
};

}  // namespace

TEST_CASE("Agents get ids 0, 1, 2 and addresses below their container's", "[agent]") {
    asio::io_context io;
    auto container = make_container(io);
    auto& first = container->spawn<Callee>();
    auto& second = container->spawn<Caller>();
    CHECK(first.aid() == "0");
    CHECK(second.aid() == "1");
    CHECK_THAT(container->addr(), Catch::StartsWith("tcp://127.0.0.1:"));
    CHECK_FALSE(container->addr().ends_with(":0"));
    CHECK(first.addr() == container->addr() + "/0");
    CHECK(container->agent("1") == &second);
    CHECK(container->agent("2") == nullptr);
    CHECK(first.router().path() == "agents/0");
}

namespace {

// Python's socket.getfqdn(), the name aiomas puts into the addresses of a container on every
// interface (Debian's interpreter).
std::string python_fqdn() {
    std::FILE* pipe = ::popen("/usr/bin/python3 -c 'import socket; print(socket.getfqdn())'", "r");
    REQUIRE(pipe);
    char line[512] = {};
    const bool read = std::fgets(line, sizeof line, pipe) != nullptr;
    REQUIRE(::pclose(pipe) == 0);
    REQUIRE(read);
    std::string name = line;
    while (!name.empty() && name.back() == '\n') name.pop_back();
    return name;
}

bool ipv6_loopback_available() {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io);
    std::error_code ec;
    acceptor.open(asio::ip::tcp::v6(), ec);
    if (!ec) acceptor.bind({asio::ip::address_v6::loopback(), 0}, ec);
    return !ec;
}

}  // namespace

TEST_CASE("A container on every interface names its agents by the machine's name, as aiomas does",
          "[agent]") {
    const std::string address = GENERATE(as<std::string>{}, "tcp://0.0.0.0:0", "tcp://:0", "tcp://[::]:0");
    std::string loopback = "127.0.0.1";
    if (address == "tcp://[::]:0") {
        if (!ipv6_loopback_available()) {
            WARN("no IPv6 loopback here: the :: case is not run");
            return;
        }
        loopback = "[::1]";
    }
    CAPTURE(address);
    asio::io_context io;
    auto container = make_container(io, address);
    auto& callee = container->spawn<Callee>();
    const auto& addr = container->addr();
    const auto colon = addr.rfind(':');
    const auto port = addr.substr(colon + 1);
    CHECK(addr.substr(0, colon) == "tcp://" + python_fqdn());
    CHECK(port != "0");
    CHECK(callee.addr() == addr + "/0");
    // Reached on the loopback interface too: it listens on every one.
    auto other = make_container(io);
    auto proxy = test::run(io, other->connect("tcp://" + loopback + ":" + port + "/0"));
    CHECK(test::run(io, proxy["spam"].call<std::string>(1)) == "spam");
}

TEST_CASE("A Unix-socket container has ipc:// addresses", "[agent]") {
    asio::io_context io;
    test::TempDir dir;
    const auto path = (dir.path() / "c.sock").string();
    auto container = make_container(io, "ipc://" + path);
    auto& agent = container->spawn<Callee>();
    CHECK(agent.addr() == "ipc://" + path + "/0");
    auto other = make_container(io, "local://other");
    auto proxy = test::run(io, other->connect(agent.addr()));
    CHECK(test::run(io, proxy["spam"].call<std::string>(2)) == "spamspam");
}

TEST_CASE("An agent calls an agent of another container through a proxy", "[agent]") {
    TwoContainers t;
    auto proxy = test::run(t.io, t.a->connect(t.callee->addr()));
    CHECK(proxy.path() == "agents/0");
    CHECK(test::run(t.io, proxy["spam"].call<std::string>(2)) == "spamspam");
    CHECK(test::run(t.io, proxy["add"].call<int>(1, 2)) == 3);
}

TEST_CASE("Dates travel as aiomas' Arrow dates", "[agent]") {
    TwoContainers t;
    auto proxy = test::run(t.io, t.a->connect(t.callee->addr()));
    const auto date = DateTime::parse("2016-01-01T00:00:00+00:00");
    CHECK(test::run(t.io, proxy["next_day"].call<DateTime>(date)).to_string() == "2016-01-02T00:00:00+00:00");
    CHECK(t.a->codec()->type_names().front() == "arrow.Arrow");
    CHECK(t.a->codec()->type_names().back() == rpc::proxy_type_name);
}

TEST_CASE("An agent passed as an argument is called back over the same connection", "[agent]") {
    TwoContainers t;
    auto proxy = test::run(t.io, t.a->connect(t.callee->addr()));
    CHECK(test::run(t.io, proxy["call_back"].call<std::string>(*t.caller, "B")) == "hello B");
    CHECK(t.b->remote_count() == 0);  // the callback did not need a connection of its own
}

TEST_CASE("Concurrent connects to one container share one connection and cached proxies", "[agent]") {
    using namespace asio::experimental::awaitable_operators;
    TwoContainers t;
    auto& second = t.b->spawn<Callee>();
    auto proxies = test::run(t.io, [&]() -> asio::awaitable<std::vector<rpc::Proxy>> {
        auto [p1, p2, p3] = co_await (t.a->connect(t.callee->addr()) && t.a->connect(second.addr()) &&
                                      t.a->connect(t.callee->addr()));
        co_return std::vector<rpc::Proxy>{p1, p2, p3};
    }());
    CHECK(t.a->remote_count() == 1);
    CHECK(proxies[0].connection() == proxies[1].connection());
    CHECK(proxies[0].connection() == proxies[2].connection());
    auto again = test::run(t.io, t.a->connect(t.callee->addr()));
    CHECK(again.connection() == proxies[0].connection());
    CHECK(test::run(t.io, proxies[1]["add"].call<int>(2, 2)) == 4);
}

TEST_CASE("Connecting to an agent that does not exist fails clearly", "[agent]") {
    TwoContainers t;
    const auto url = t.b->addr() + "/7";
    try {
        test::run(t.io, t.a->connect(url));
        FAIL("no exception");
    } catch (const ConnectionError& e) {
        CHECK(e.code() == make_error_code(errc::not_found));
        CHECK(std::string(e.what()) == "Agent \"7\" does not exist in Container(" + t.b->addr() + ")");
    }
}

TEST_CASE("A malformed agent address is a ConfigError", "[agent]") {
    TwoContainers t;
    for (const std::string url : {"127.0.0.1:5555/0", "tcp://127.0.0.1:5555", "tcp://127.0.0.1:5555/",
                                  "http://x:1/0", "tcp://127.0.0.1:notaport/0"}) {
        CAPTURE(url);
        CHECK_THROWS_AS(test::run(t.io, t.a->connect(url)), ConfigError);
    }
    CHECK_THROWS_AS(make_container(t.io, "somewhere"), ConfigError);
}

TEST_CASE("Connecting to a container that is down fails after the timeout", "[agent]") {
    asio::io_context io;
    auto caller = make_container(io);
    std::string gone_url;
    {
        auto gone = make_container(io);
        gone_url = gone->addr() + "/0";
    }
    CHECK_THROWS_AS(test::run(io, caller->connect(gone_url, std::chrono::milliseconds(300))), ConnectionError);
    CHECK(caller->remote_count() == 0);
}

TEST_CASE("Shutdown fails pending calls and later calls through its proxies", "[agent]") {
    TwoContainers t;
    auto proxy = test::run(t.io, t.a->connect(t.callee->addr()));
    auto nap = [&]() -> asio::awaitable<std::string> {
        try {
            co_await proxy["nap"](10.0);  // b's clock never reaches 10: this stays pending
        } catch (const ConnectionError&) {
            co_return "failed";
        }
        co_return "returned";
    };
    auto stop = [&]() -> asio::awaitable<void> {
        co_await t.b->clock().sleep(0);  // lets the nap request go out first
        t.a->shutdown();
    };
    auto outcome = test::run(t.io, [&]() -> asio::awaitable<std::string> {
        using namespace asio::experimental::awaitable_operators;
        // awaitable_operators drop the void branch: the result is nap()'s string.
        co_return co_await (nap() && stop());
    }());
    CHECK(outcome == "failed");
    CHECK_THROWS_AS(test::run(t.io, proxy["add"](1, 2)), ConnectionError);
    CHECK_THROWS_AS(test::run(t.io, t.a->connect(t.callee->addr())), ConnectionError);
}

TEST_CASE("A restarted remote container is reached again by a new connect", "[agent]") {
    asio::io_context io;
    auto caller = make_container(io, "local://caller");
    auto callee_container = make_container(io, "local://callee");
    callee_container->spawn<Callee>();
    auto proxy = test::run(io, caller->connect("local://callee/0"));
    CHECK(test::run(io, proxy["add"].call<int>(1, 1)) == 2);
    callee_container.reset();
    CHECK_THROWS_AS(test::run(io, proxy["add"](1, 1)), ConnectionError);
    callee_container = make_container(io, "local://callee");
    callee_container->spawn<Callee>();
    auto fresh = test::run(io, caller->connect("local://callee/0"));
    CHECK(test::run(io, fresh["add"].call<int>(2, 2)) == 4);
}

TEST_CASE("Thousands of agents share one container and one connection", "[agent]") {
    asio::io_context io;
    auto host = make_container(io);
    auto caller = make_container(io);
    std::vector<std::string> urls;
    for (int i = 0; i < 2000; ++i) urls.push_back(host->spawn<Callee>().addr());
    auto total = test::run(io, [&]() -> asio::awaitable<int> {
        int sum = 0;
        for (const auto& url : urls) {
            auto proxy = co_await caller->connect(url);
            sum += co_await proxy["add"].call<int>(1, 0);
        }
        co_return sum;
    }());
    CHECK(total == 2000);
    CHECK(caller->remote_count() == 1);
    CHECK(host->agent_count() == 2000);
}

TEST_CASE("Proactive agent tasks sleep on the container's clock", "[agent]") {
    class Sleeper : public Agent {
    public:
        explicit Sleeper(Container& c) : Agent(c) {}
        void begin() { start(nap_then_note()); }
        asio::awaitable<void> nap_then_note() {
            co_await clock().sleep(5);
            woke_at = clock().time();
        }
        double woke_at = -1;
    };
    asio::io_context io;
    auto clock = external_clock(io);
    auto container = make_container(io, "local://sleepy", clock);
    auto& sleeper = container->spawn<Sleeper>();
    sleeper.begin();
    io.restart();
    io.poll();
    CHECK(clock->next_activity() == std::optional<double>(5.0));
    clock->set_time(5);
    io.restart();
    io.poll();
    CHECK(sleeper.woke_at == 5.0);
}

TEST_CASE("An agent destroyed before its container leaves it", "[agent]") {
    asio::io_context io;
    auto container = make_container(io);
    {
        Callee temporary(*container);
        CHECK(container->agent("0") == &temporary);
    }
    CHECK(container->agent("0") == nullptr);
    CHECK(container->agent_count() == 0);
    CHECK(container->spawn<Callee>().aid() == "1");  // ids are never reused
}

TEST_CASE("Containers talk over mutually authenticated TLS", "[agent]") {
    test::TempDir dir;
    const auto pki = test::make_test_pki(dir.path());
    asio::io_context io;
    auto tls_options = [&](const TlsFiles& own) {
        ContainerOptions options;
        options.server_ssl = std::make_shared<asio::ssl::context>(make_ssl_server_context(pki.server));
        options.client_ssl = std::make_shared<asio::ssl::context>(make_ssl_client_context(own));
        return options;
    };
    auto host = test::run(io, Container::create("tcp://127.0.0.1:0", tls_options(pki.client)));
    auto& callee = host->spawn<Callee>();
    auto caller = test::run(io, Container::create("tcp://127.0.0.1:0", tls_options(pki.client)));
    auto proxy = test::run(io, caller->connect(callee.addr()));
    CHECK(test::run(io, proxy["add"].call<int>(20, 22)) == 42);
    // A container whose certificate the host's CA did not sign is refused.
    auto stranger = test::run(io, Container::create("tcp://127.0.0.1:0", tls_options(pki.foreign_client)));
    CHECK_THROWS_AS(test::run(io, stranger->connect(callee.addr())), ConnectionError);
}

TEST_CASE("Extra serializers get type ids after the date, as aiomas' extra_serializers", "[agent]") {
    class Mirror : public Agent {
    public:
        explicit Mirror(Container& c) : Agent(c) { expose("mirror", &Mirror::mirror, {"p"}); }
        Point mirror(const Point& p) { return {p.y, p.x}; }
    };
    asio::io_context io;
    auto extras = std::make_shared<JsonCodec>();
    extras->add_serializer<Point>();
    ContainerOptions options;
    options.codec = extras;
    auto host = test::run(io, Container::create("tcp://127.0.0.1:0", options));
    auto caller = test::run(io, Container::create("tcp://127.0.0.1:0", options));
    auto& mirror = host->spawn<Mirror>();
    CHECK(host->codec()->type_names() == std::vector<std::string>{"arrow.Arrow", "Point", std::string(rpc::proxy_type_name)});
    CHECK(host->codec()->encode(Json(Point{1, 2})) == R"({"__type__": [1, [1.0, 2.0]]})");
    auto proxy = test::run(io, caller->connect(mirror.addr()));
    const auto mirrored = test::run(io, proxy["mirror"].call<Point>(Point{1, 2}));
    CHECK(mirrored.x == 2.0);
    CHECK(mirrored.y == 1.0);
}

namespace {

// Counts a channel's state changes and lets a test wait for the next one of a kind.
struct Reconnects {
    explicit Reconnects(asio::io_context& io) : changed(io, asio::steady_timer::time_point::max()) {}
    ReconnectPolicy policy() {
        ReconnectPolicy p;
        p.initial_delay = std::chrono::milliseconds(5);
        p.max_delay = std::chrono::milliseconds(20);
        p.on_state = [this](const ChannelEvent& event) {
            if (event.state == ChannelState::connected) ++connected;
            if (event.state == ChannelState::disconnected) ++lost;
            changed.cancel();
        };
        return p;
    }
    asio::awaitable<void> wait(const int& counter, int value) {
        while (counter < value) {
            changed.expires_at(asio::steady_timer::time_point::max());
            co_await changed.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        }
    }
    asio::steady_timer changed;
    int connected = 0;
    int lost = 0;
};

}  // namespace

TEST_CASE("A proxy to an agent of a container that is restarted at its address works again", "[agent][integration]") {
    asio::io_context io;
    Reconnects reconnects(io);
    ContainerOptions options;
    options.reconnect = reconnects.policy();
    auto caller = test::run(io, Container::create("tcp://127.0.0.1:0", options));
    auto remote = make_container(io);
    remote->spawn<Callee>();
    const auto address = remote->addr();
    auto proxy = test::run(io, caller->connect(address + "/0"));
    CHECK(test::run(io, proxy["add"].call<int>(1, 2)) == 3);

    remote.reset();  // the remote container goes away...
    test::run(io, reconnects.wait(reconnects.lost, 1));
    remote = make_container(io, address);  // ...and comes back at the same address
    remote->spawn<Callee>();
    test::run(io, reconnects.wait(reconnects.connected, 1));
    CHECK(test::run(io, proxy["add"].call<int>(2, 3)) == 5);
}
