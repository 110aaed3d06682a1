#pragma once
/// \file
/// Container: hosts agents, serves them over RPC and connects them to remote agents (aiomas'
/// Container).

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "mas/agent/container_options.hpp"
#include "mas/channel/server.hpp"
#include "mas/core/endpoint.hpp"
#include "mas/rpc/connection.hpp"
#include "mas/rpc/proxy.hpp"
#include "mas/rpc/service.hpp"

namespace mas::agent {

class Activity;
class Agent;
class Clock;

/// An agent address split into its container's address and the agent id:
/// `tcp://127.0.0.1:5555/0` gives {"tcp://127.0.0.1:5555", "0"}.
struct AgentUrl {
    AgentUrl() noexcept {}
    std::string container;
    std::string aid;
    /// Parses `tcp://host:port/aid`, `ipc://path/aid` or `local://name/aid`; throws
    /// mas::ConfigError naming the problem for anything else.
    static AgentUrl parse(std::string_view url);
};

/// The Endpoint a container address (`tcp://host:port`, `ipc://path`, `local://name`) stands
/// for; throws mas::ConfigError if it is not one.
Endpoint container_endpoint(std::string_view address);

/// The container address of `endpoint`: `tcp://host:port`, `ipc://path` for a Unix socket,
/// `local://name`.
std::string container_address(const Endpoint& endpoint);

/// A container of agents. It listens on one address, serves its agents under `agents/<aid>`
/// with aiomas' `validate_aid`, and keeps one connection per remote container for the proxies
/// that connect() returns. Agents get ids "0", "1", ... in the order they are registered.
/// Everything runs on the executor the container was created on, and must be called there.
/// Not copyable or movable; create it with Container::create.
class Container {
public:
    /// Starts a container listening on `address` (`tcp://host:port`, port 0 for any, `ipc://path`
    /// for a Unix socket, `local://name` in-process) on the calling coroutine's executor.
    /// Throws mas::ConnectionError if it cannot listen, mas::ConfigError for a bad address.
    static asio::awaitable<std::unique_ptr<Container>> create(std::string address, ContainerOptions options = {});

    ~Container();
    Container(const Container&) = delete;
    Container& operator=(const Container&) = delete;

    /// The address agents of this container are reached at (the real port if 0 was asked for).
    [[nodiscard]] const std::string& addr() const noexcept { return addr_; }
    [[nodiscard]] asio::any_io_executor executor() const { return executor_; }
    [[nodiscard]] Clock& clock() const noexcept { return *clock_; }
    /// The work under way here: agent tasks, requests served by coroutine functions, and the
    /// clock's sleepers and due calls. A driver awaits `activity().wait_idle()` to let the agents
    /// run until all of them are idle or asleep (see Activity for the rules).
    [[nodiscard]] Activity& activity() const noexcept { return *activity_; }
    /// The codec of every connection: the date type, the extra types, the proxy type.
    [[nodiscard]] const std::shared_ptr<const Codec>& codec() const noexcept { return codec_; }

    /// Creates an agent of type A, owned by the container: `A(container, args...)`.
    template <class A, class... Args>
    A& spawn(Args&&... args) {
        static_assert(std::is_base_of_v<Agent, A>, "containers host Agents");
        auto agent = std::make_unique<A>(*this, std::forward<Args>(args)...);
        A& ref = *agent;
        adopt(std::move(agent));
        return ref;
    }

    /// A proxy to the agent at `url`. Opens one connection per remote container, shared by every
    /// proxy to it (also when several connects race), and reuses it until it breaks; proxies are
    /// cached. Checks with the remote `validate_aid` that the agent exists. With `timeout`,
    /// connection attempts are retried until it has passed. Throws mas::ConfigError for a
    /// malformed url, mas::ConnectionError if the container cannot be reached, if the agent does
    /// not exist (code mas::errc::not_found), or after shutdown().
    asio::awaitable<rpc::Proxy> connect(std::string url,
                                        std::optional<std::chrono::steady_clock::duration> timeout = {});

    /// Stops listening and closes every connection: pending calls in both directions fail with
    /// mas::ConnectionError, and proxies from connect() fail from now on. Agents stay.
    /// Idempotent; never throws.
    void shutdown() noexcept;
    [[nodiscard]] bool is_shut_down() const noexcept { return shut_down_; }

    /// The agent with id `aid`, or nullptr.
    [[nodiscard]] Agent* agent(std::string_view aid) const noexcept;
    [[nodiscard]] std::size_t agent_count() const noexcept { return agents_.size(); }
    /// Number of remote containers this container has a connection to (or is opening one to).
    [[nodiscard]] std::size_t remote_count() const noexcept { return remotes_.size(); }

private:
    friend class Agent;
    struct RemoteContainer;

    Container(asio::any_io_executor executor, ContainerOptions options);
    /// Gives a new agent its id and makes it reachable; called by Agent's constructor.
    std::string register_agent(Agent& agent);
    void deregister_agent(const std::string& aid) noexcept;
    void adopt(std::unique_ptr<Agent> agent);
    asio::awaitable<rpc::Connection> connection_to(std::string address,
                                                   std::optional<std::chrono::steady_clock::duration> timeout);
    asio::awaitable<rpc::Connection> open_to(std::string address,
                                             std::optional<std::chrono::steady_clock::duration> timeout);
    [[nodiscard]] Json validate_aid(const std::string& aid) const;

    asio::any_io_executor executor_;
    ContainerOptions options_;
    std::shared_ptr<Clock> clock_;
    std::shared_ptr<Activity> activity_;
    std::shared_ptr<const Codec> codec_;
    std::string addr_;
    rpc::Service root_;
    rpc::ServiceDict agents_service_;
    std::unordered_map<std::string, Agent*> agents_;
    std::vector<std::unique_ptr<Agent>> owned_;  // spawned agents, destroyed with the container
    std::uint64_t next_aid_ = 0;
    Server server_;
    std::unordered_map<std::string, std::shared_ptr<RemoteContainer>> remotes_;
    std::unordered_map<std::string, rpc::Proxy> proxies_;
    bool shut_down_ = false;
    std::shared_ptr<Container*> alive_;  // lets connection callbacks outlive the container safely
};

}  // namespace mas::agent
