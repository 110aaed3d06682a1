// agent-clock: agents sleeping on an ExternalClock, as in the aiomas guide's clock example.
//
// Two Sleeper agents wake up every 2 and every 3 model seconds and print the date. Nobody waits
// for real time: the program plays the outside simulator and sets the container's ExternalClock
// to the time of its next pending activity, until model time 12. The output is the same on every
// run, because setting the clock wakes sleepers in time order, and sleepers due at the same time
// in the order they went to sleep.

#include "example_app.hpp"
#include "mas/agent/agent.hpp"
#include "mas/agent/container.hpp"
#include "mas/agent/external_clock.hpp"

namespace {

using mas::example::say;
namespace agent = mas::agent;

class Sleeper : public agent::Agent {
public:
    Sleeper(agent::Container& container, double interval) : Agent(container), interval_(interval) {}

    asio::awaitable<void> run() {
        for (;;) {
            co_await clock().sleep(interval_);
            say("t={:>4} {} agent {} (every {}s) woke up", clock().time(), clock().utcnow().to_string(), aid(),
                interval_);
        }
    }

private:
    double interval_;
};

asio::awaitable<void> simulate() {
    const auto executor = co_await asio::this_coro::executor;
    auto clock = std::make_shared<agent::ExternalClock>(executor, agent::DateTime::parse("2016-01-01T00:00:00+00:00"));
    agent::ContainerOptions options;
    options.clock = clock;
    auto container = co_await agent::Container::create("tcp://127.0.0.1:0", options);
    for (const double interval : {2.0, 3.0}) {
        auto& sleeper = container->spawn<Sleeper>(interval);
        sleeper.start(sleeper.run());
    }
    co_await clock->sleep(0);  // lets both agents go to sleep
    while (auto next = clock->next_activity()) {
        if (*next > 12) break;
        say("clock: set to {}", *next);
        clock->set_time(*next);
        // The clock wakes the sleepers through the executor; this sleeper is queued last, so it
        // resumes after every agent woken by this step has run.
        co_await clock->sleep(0);
    }
    container->shutdown();
}

}  // namespace

int main(int argc, char** argv) {
    return mas::example::run_local_example("agent-clock", "Agents sleeping on an ExternalClock set from outside.",
                                           simulate, argc, argv);
}
