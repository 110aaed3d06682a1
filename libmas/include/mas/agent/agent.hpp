#pragma once
/// \file
/// Agent: a service that lives in a container and can act on its own (aiomas' Agent).

#include <string>

#include <asio/awaitable.hpp>

#include "mas/rpc/service.hpp"

namespace mas::agent {

class Clock;
class Container;

/// Base class of agents. An agent is an rpc::Service registered with its container under
/// `agents/<aid>`: other agents call its exposed functions (reactive), and it can run tasks of
/// its own on the container's executor (proactive, start()). Derive from it, take the Container
/// as the first constructor argument, and expose functions in the constructor:
///
///     class Callee : public agent::Agent {
///     public:
///         explicit Callee(agent::Container& c) : Agent(c) { expose("spam", &Callee::spam, {"times"}); }
///         std::string spam(int times) { ... }
///     };
///     auto& callee = container.spawn<Callee>();
///
/// An agent must live on its container's thread; one destroyed before its container leaves it.
class Agent : public rpc::Service {
public:
    /// Registers with `container`, which gives the agent the next id.
    explicit Agent(Container& container);
    ~Agent() override;

    [[nodiscard]] Container& container() const noexcept { return container_; }
    /// The container's clock; agents take their time from it, whichever clock it is.
    [[nodiscard]] Clock& clock() const noexcept;
    /// The agent id within its container: "0", "1", ...
    [[nodiscard]] const std::string& aid() const noexcept { return aid_; }
    /// The agent's address, e.g. `tcp://127.0.0.1:5555/0`.
    [[nodiscard]] std::string addr() const;

    /// Runs `task` on the container's executor, detached from the caller (a proactive
    /// behaviour). An exception escaping it is logged as an error on "mas.agent" with the
    /// agent's address; it does not stop the container.
    void start(asio::awaitable<void> task);

private:
    Container& container_;
    std::string aid_;
};

}  // namespace mas::agent
