// agent-hello: the Hello World agent of the aiomas guide in C++.
//
// An agent with a proactive task: it greets three times, sleeping on its container's clock in
// between. It runs on a RealTimeClock here; the same agent code runs on an ExternalClock (see
// agent-clock), because agents take their time only from their container.

#include <string>

#include "example_app.hpp"
#include "mas/agent/agent.hpp"
#include "mas/agent/clock.hpp"
#include "mas/agent/container.hpp"

namespace {

using mas::example::say;
namespace agent = mas::agent;

class HelloWorld : public agent::Agent {
public:
    HelloWorld(agent::Container& container, std::string name) : Agent(container), name_(std::move(name)) {}

    asio::awaitable<void> run() {
        say("{} says:", name_);
        for (int i = 0; i < 3; ++i) {
            co_await clock().sleep(0.1);
            say("Hello, World!");
        }
    }

private:
    std::string name_;
};

asio::awaitable<void> hello() {
    auto container = co_await agent::Container::create("tcp://127.0.0.1:0");
    auto& agent = container->spawn<HelloWorld>("Monty");
    co_await agent.run();
    container->shutdown();
}

}  // namespace

int main(int argc, char** argv) {
    return mas::example::run_local_example("agent-hello", "The aiomas guide's Hello World agent.", hello, argc, argv);
}
