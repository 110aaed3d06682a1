#include "mas/agent/manager.hpp"

#include <asio/post.hpp>
#include <fmt/format.h>

#include "mas/agent/container.hpp"
#include "mas/agent/external_clock.hpp"
#include "mas/core/log.hpp"
#include "mas/rpc/service.hpp"

namespace mas::agent {

Manager::Manager(Container& container, const AgentFactories& factories, std::function<void()> on_stop)
    : Agent(container), factories_(factories), on_stop_(std::move(on_stop)) {
    expose("spawn", &Manager::spawn, {"name", "args", "kwargs"});
    expose("set_time", &Manager::set_time, {"time"});
    expose("stop", &Manager::stop);
}

std::string Manager::spawn(const std::string& name, std::optional<JsonArray> args, std::optional<JsonObject> kwargs) {
    const JsonArray positional = args ? std::move(*args) : JsonArray();
    const JsonObject keywords = kwargs ? std::move(*kwargs) : JsonObject();
    Agent& agent = factories_.create(container(), name, positional, keywords);
    mas::log("mas.agent")->debug("manager {} spawned {} as {}", addr(), name, agent.addr());
    return agent.addr();
}

void Manager::set_time(double t) {
    Clock& current = clock();
    auto* external = dynamic_cast<ExternalClock*>(&current);
    if (!external) {
        throw Error(fmt::format("set_time needs an ExternalClock, but container {} runs a {}", container().addr(),
                                rpc::detail::short_type_name(typeid(current))));
    }
    external->set_time(t);
}

void Manager::stop() {
    mas::log("mas.agent")->debug("manager {} asked to stop", addr());
    // Posted, so the reply to this call is queued before the container starts shutting down.
    if (on_stop_) asio::post(container().executor(), on_stop_);
}

}  // namespace mas::agent
