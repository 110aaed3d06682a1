#include "mas/agent/agent.hpp"

#include <asio/co_spawn.hpp>

#include "mas/agent/activity.hpp"
#include "mas/agent/container.hpp"
#include "mas/core/log.hpp"

namespace mas::agent {

Agent::Agent(Container& container) : container_(container), aid_(container.register_agent(*this)) {}

Agent::~Agent() { container_.deregister_agent(aid_); }

Clock& Agent::clock() const noexcept { return container_.clock(); }

std::string Agent::addr() const { return container_.addr() + "/" + aid_; }

void Agent::start(asio::awaitable<void> task) {
    asio::co_spawn(container_.executor(), std::move(task),
                   [address = addr(), busy = container_.activity().token()](std::exception_ptr error) {
        if (!error) return;
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            mas::log("mas.agent")->error("task of agent {} failed: {}", address, e.what());
        } catch (...) {
            mas::log("mas.agent")->error("task of agent {} failed with a non-standard exception", address);
        }
    });
}

}  // namespace mas::agent
