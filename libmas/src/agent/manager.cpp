#include "mas/agent/manager.hpp"

#include <asio/post.hpp>
#include <fmt/format.h>

#include "mas/agent/container.hpp"
#include "mas/agent/external_clock.hpp"
#include "mas/core/log.hpp"
#include "mas/rpc/connection.hpp"
#include "mas/rpc/router.hpp"
#include "mas/rpc/service.hpp"

namespace mas::agent {
namespace {

// aiomas' `spawn(qualname, *args, **kwargs)` takes any arguments after the name, which no fixed
// signature can bind, so it gets a handler of its own.
class SpawnHandler final : public rpc::Handler {
public:
    explicit SpawnHandler(Manager& manager) : manager_(manager) {}

    rpc::Invocation invoke(rpc::CallArgs& call) const override {
        if (call.args.empty()) {
            throw rpc::ArgumentError(name_ + "() missing 1 required positional argument: 'qualname'");
        }
        if (!call.args.front().is_string()) {
            throw rpc::ArgumentError(name_ + "() argument 'qualname' must be a string, got " +
                                     call.args.front().describe());
        }
        const JsonArray args(std::make_move_iterator(call.args.begin() + 1), std::make_move_iterator(call.args.end()));
        Agent& agent = manager_.spawn(call.args.front().as_string(), args, call.kwargs);
        rpc::Invocation done;
        // The agent as a service, which the caller's side reads as a proxy, and its address.
        done.result = Json::array({Json(JsonCustom{std::string(rpc::proxy_type_name),
                                                   std::make_shared<const Json>(agent.router().path())}),
                                   agent.addr()});
        return done;
    }
    [[nodiscard]] const std::string& display_name() const noexcept override { return name_; }

private:
    Manager& manager_;
    std::string name_ = "Manager.spawn";
};

}  // namespace

Manager::Manager(Container& container, const AgentFactories& factories, std::function<void()> on_stop)
    : Agent(container), factories_(factories), on_stop_(std::move(on_stop)) {
    router().add("spawn", std::make_unique<SpawnHandler>(*this));
    expose("set_time", &Manager::set_time, {"time"});
    expose("stop", &Manager::stop);
}

Agent& Manager::spawn(const std::string& name, const JsonArray& args, const JsonObject& kwargs) {
    Agent& agent = factories_.create(container(), name, args, kwargs);
    mas::log("mas.agent")->debug("manager {} spawned {} as {}", addr(), name, agent.addr());
    return agent;
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
