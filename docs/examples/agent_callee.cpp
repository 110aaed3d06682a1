// agent-callee: the Caller/Callee agents of the aiomas guide in C++.
//
// The server side is a container with one Callee agent (agent 0), which exposes `spam(times)`,
// `add(a, b)`, `next_day(date)` and `call_back(caller, name)`. The client side is a container
// with a Caller agent: it connects to the callee by its address, calls each function, and passes
// itself to `call_back`, so that the callee calls its `hello` back over the same connection. The
// wire format is aiomas' (dates as Arrow dates), so either side can be a Python aiomas container:
//
//   agent-callee server 127.0.0.1:5555     # callee at tcp://127.0.0.1:5555/0, until Ctrl-C
//   agent-callee client 127.0.0.1:5555     # retries for up to 10 s until the callee is up
//   agent-callee demo                      # both in one process, on a free port

#include <string>

#include "example_app.hpp"
#include "mas/agent/agent.hpp"
#include "mas/agent/container.hpp"
#include "mas/agent/date_time.hpp"

namespace {

using mas::example::say;
namespace agent = mas::agent;

class Callee : public agent::Agent {
public:
    explicit Callee(agent::Container& container) : Agent(container) {
        expose("spam", &Callee::spam, {"times"});
        expose("add", &Callee::add, {"a", "b"});
        expose("next_day", &Callee::next_day, {"date"});
        expose("call_back", &Callee::call_back, {"caller", "name"});
    }

    std::string spam(int times) {
        say("callee: spam({})", times);
        std::string out;
        for (int i = 0; i < times; ++i) out += "spam";
        return out;
    }

    int add(int a, int b) {
        say("callee: add({}, {})", a, b);
        return a + b;
    }

    agent::DateTime next_day(const agent::DateTime& date) {
        say("callee: next_day({})", date.to_string());
        return date.shift_seconds(24 * 3600);
    }

    asio::awaitable<std::string> call_back(mas::rpc::Proxy caller, std::string name) {
        say("callee: calling hello({}) back", name);
        co_return co_await caller["hello"].call<std::string>(name);
    }
};

class Caller : public agent::Agent {
public:
    explicit Caller(agent::Container& container) : Agent(container) { expose("hello", &Caller::hello, {"name"}); }

    std::string hello(const std::string& name) {
        say("caller: hello({})", name);
        return "hello " + name;
    }

    asio::awaitable<void> run(const std::string& callee_addr, std::chrono::steady_clock::duration timeout) {
        auto callee = co_await container().connect(callee_addr, timeout);
        say("caller: spam(2) = {}", co_await callee["spam"].call<std::string>(2));
        say("caller: add(1, 2) = {}", co_await callee["add"].call<int>(1, 2));
        const auto date = agent::DateTime::parse("2016-01-01T00:00:00+00:00");
        say("caller: next_day({}) = {}", date.to_string(), (co_await callee["next_day"].call<agent::DateTime>(date)).to_string());
        say("caller: call_back(me, \"B\") = {}", co_await callee["call_back"].call<std::string>(*this, "B"));
    }
};

asio::awaitable<mas::example::Serving> serve(mas::Endpoint endpoint) {
    agent::ContainerOptions options;
    options.codec = mas::example::codec();  // --codec
    std::shared_ptr<agent::Container> container =
        co_await agent::Container::create(agent::container_address(endpoint), std::move(options));
    container->spawn<Callee>();  // agent 0: reached at <listening address>/0
    mas::example::Serving serving;
    serving.address = container->addr();
    serving.keep_alive = container;
    co_return serving;
}

asio::awaitable<void> talk(mas::Endpoint endpoint, std::chrono::steady_clock::duration timeout) {
    agent::ContainerOptions options;
    options.codec = mas::example::codec();
    auto container = co_await agent::Container::create("tcp://127.0.0.1:0", std::move(options));
    auto& caller = container->spawn<Caller>();
    co_await caller.run(agent::container_address(endpoint) + "/0", timeout);
    container->shutdown();
}

}  // namespace

int main(int argc, char** argv) {
    mas::example::AppRoles roles;
    roles.name = "agent-callee";
    roles.description = "The aiomas guide's Caller/Callee agents in two containers, with a date and a call back.";
    roles.serve = serve;
    roles.talk = talk;
    return mas::example::run_example(roles, argc, argv);
}
