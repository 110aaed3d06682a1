#include "mas/agent/container.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "mas/agent/activity.hpp"
#include "mas/agent/agent.hpp"
#include "mas/agent/date_time.hpp"
#include "mas/agent/real_time_clock.hpp"
#include "mas/core/log.hpp"

#include "rpc/connection_state.hpp"

namespace mas::agent {

namespace {

const std::shared_ptr<spdlog::logger>& agent_log() {
    static const auto logger = mas::log("mas.agent");
    return logger;
}

// aiomas numbers a container's types: the date type first, the user's extras next, the RPC
// proxy type last.
std::shared_ptr<const Codec> container_codec(const std::shared_ptr<const Codec>& extras) {
    std::shared_ptr<Codec> codec = extras ? extras->make_empty() : std::make_shared<JsonCodec>();
    codec->add_serializer<DateTime>();
    if (extras) {
        for (const auto& name : extras->type_names()) {
            if (name != Serializer<DateTime>::name && name != rpc::proxy_type_name) codec->add_serializer(name);
        }
    }
    return rpc::with_proxy_type(codec);
}

}  // namespace

AgentUrl AgentUrl::parse(std::string_view url) {
    const auto scheme_end = url.find("://");
    const auto slash = url.rfind('/');
    if (scheme_end == std::string_view::npos || slash == std::string_view::npos || slash < scheme_end + 3 ||
        slash == url.size() - 1) {
        throw ConfigError(fmt::format("malformed agent address \"{}\": expected tcp://host:port/aid, "
                                      "ipc://path/aid or local://name/aid",
                                      url));
    }
    AgentUrl parsed;
    parsed.container = std::string(url.substr(0, slash));
    parsed.aid = std::string(url.substr(slash + 1));
    (void)container_endpoint(parsed.container);
    return parsed;
}

std::string container_address(const Endpoint& endpoint) {
    if (endpoint.kind == Endpoint::Kind::unix_socket) return "ipc://" + endpoint.path;
    return endpoint.to_string();
}

Endpoint container_endpoint(std::string_view address) {
    if (!address.starts_with("tcp://") && !address.starts_with("ipc://") && !address.starts_with("local://")) {
        throw ConfigError(fmt::format("malformed container address \"{}\": expected tcp://host:port, ipc://path "
                                      "or local://name",
                                      address));
    }
    // An empty host is every interface, as for aiomas (asyncio binds '' to all of them).
    if (address.starts_with("tcp://:")) return Endpoint::parse("tcp://0.0.0.0" + std::string(address.substr(6)));
    return Endpoint::parse(address);
}

/// One remote container: its connection, or the state of the first connect() that opens it
/// (later connects wait on `ready`, which that connect cancels when it is done).
struct Container::RemoteContainer {
    explicit RemoteContainer(const asio::any_io_executor& executor)
        : ready(executor, asio::steady_timer::time_point::max()) {}
    std::optional<rpc::Connection> connection;
    std::exception_ptr error;
    asio::steady_timer ready;
};

Container::Container(asio::any_io_executor executor, ContainerOptions options)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      clock_(options_.clock ? options_.clock : std::make_shared<RealTimeClock>(executor_)),
      activity_(std::make_shared<Activity>(executor_)),
      codec_(container_codec(options_.codec)),
      alive_(std::make_shared<Container*>(this)) {
    clock_->track(activity_);
    root_.router().track_tasks([activity = std::weak_ptr<Activity>(activity_)]() -> std::shared_ptr<void> {
        if (auto a = activity.lock()) return a->token();
        return nullptr;
    });
    root_.expose("validate_aid", [this](const std::string& aid) { return validate_aid(aid); }, {"aid"});
    root_.add_service("agents", agents_service_);
}

asio::awaitable<std::unique_ptr<Container>> Container::create(std::string address, ContainerOptions options) {
    auto executor = co_await asio::this_coro::executor;
    const auto endpoint = container_endpoint(address);
    std::unique_ptr<Container> container(new Container(executor, std::move(options)));
    ServerOptions server_options;
    static_cast<ChannelOptions&>(server_options) = container->options_.channel;
    server_options.codec = container->codec_;
    server_options.ssl = container->options_.server_ssl;
    container->server_ = co_await rpc::start_server(endpoint, container->root_.router(), {}, server_options);
    auto listening = container->server_.endpoint();
    // Bound to every interface: agents are addressed under the machine's name, which other
    // machines can reach, as aiomas does; 0.0.0.0 would lead them to themselves.
    if (listening.kind == Endpoint::Kind::tcp && is_wildcard_host(listening.host)) {
        listening.host = fully_qualified_host_name();
    }
    container->addr_ = container_address(listening);
    agent_log()->debug("container {} started", container->addr_);
    co_return container;
}

Container::~Container() {
    shutdown();
    owned_.clear();  // while the registry the agents leave is still intact
    *alive_ = nullptr;
}

std::string Container::register_agent(Agent& agent) {
    auto aid = std::to_string(next_aid_++);
    agents_service_.add(aid, agent);
    agents_.emplace(aid, &agent);
    return aid;
}

void Container::deregister_agent(const std::string& aid) noexcept {
    agents_.erase(aid);
    agents_service_.remove(aid);
}

void Container::adopt(std::unique_ptr<Agent> agent) { owned_.push_back(std::move(agent)); }

Agent* Container::agent(std::string_view aid) const noexcept {
    const auto it = agents_.find(std::string(aid));
    return it == agents_.end() ? nullptr : it->second;
}

Json Container::validate_aid(const std::string& aid) const {
    const Agent* found = agent(aid);
    if (!found) return Json();
    return Json(rpc::detail::short_type_name(typeid(*found)));
}

asio::awaitable<rpc::Proxy> Container::connect(std::string url, std::optional<std::chrono::steady_clock::duration> timeout) {
    if (auto it = proxies_.find(url); it != proxies_.end() && it->second.is_open()) co_return it->second;
    const auto parsed = AgentUrl::parse(url);
    auto connection = co_await connection_to(parsed.container, timeout);
    const Json name = co_await connection.remote()["validate_aid"](parsed.aid);
    if (name.is_null()) {
        throw ConnectionError(fmt::format("Agent \"{}\" does not exist in Container({})", parsed.aid, parsed.container),
                              make_error_code(errc::not_found));
    }
    // No owner token: the container owns its connections, and shutdown() ends them.
    rpc::Proxy proxy(connection.state(), "agents/" + parsed.aid);
    proxies_.insert_or_assign(url, proxy);
    co_return proxy;
}

asio::awaitable<rpc::Connection> Container::connection_to(std::string address,
                                                          std::optional<std::chrono::steady_clock::duration> timeout) {
    for (;;) {
        if (shut_down_) throw ConnectionError("container " + addr_ + " is shut down", make_error_code(errc::closed));
        const auto it = remotes_.find(address);
        if (it == remotes_.end()) co_return co_await open_to(address, timeout);
        auto remote = it->second;
        if (remote->connection && remote->connection->is_open()) co_return *remote->connection;
        if (remote->connection) {
            remotes_.erase(address);  // broken: the next round opens a new one
            continue;
        }
        // Another connect() is opening it: wait for that one instead of opening a second.
        (void)co_await remote->ready.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        if (remote->error) std::rethrow_exception(remote->error);
    }
}

asio::awaitable<rpc::Connection> Container::open_to(std::string address,
                                                    std::optional<std::chrono::steady_clock::duration> timeout) {
    auto remote = std::make_shared<RemoteContainer>(executor_);
    remotes_.emplace(address, remote);
    ConnectOptions options;
    static_cast<ChannelOptions&>(options) = options_.channel;
    options.codec = codec_;
    options.timeout = timeout;
    options.ssl = options_.client_ssl;
    options.tls_server_name = options_.tls_server_name;
    options.reconnect = options_.reconnect;
    rpc::Connection connection;
    try {
        connection = co_await rpc::open_connection(container_endpoint(address), &root_.router(), std::move(options));
    } catch (const std::exception&) {
        remote->error = std::current_exception();
    }
    remote->ready.cancel();
    if (remote->error) {
        if (auto it = remotes_.find(address); it != remotes_.end() && it->second == remote) remotes_.erase(it);
        std::rethrow_exception(remote->error);
    }
    if (shut_down_) {
        connection.close();
        throw ConnectionError("container " + addr_ + " is shut down", make_error_code(errc::closed));
    }
    remote->connection = connection;
    std::weak_ptr<Container*> alive = alive_;
    std::weak_ptr<RemoteContainer> weak_remote = remote;
    // The library's own callback: the user's on_connection_reset, which replaces, stays free.
    connection.remote().connection()->add_reset_callback([alive, weak_remote, address](std::exception_ptr) {
        auto self = alive.lock();
        auto gone = weak_remote.lock();
        if (!self || !*self || !gone) return;
        auto& remotes = (*self)->remotes_;
        if (auto it = remotes.find(address); it != remotes.end() && it->second == gone) remotes.erase(it);
        std::erase_if((*self)->proxies_, [&](const auto& item) { return item.first.starts_with(address + "/"); });
        agent_log()->debug("connection to container {} ended", address);
    });
    agent_log()->debug("container {} connected to {}", addr_, address);
    co_return connection;
}

void Container::shutdown() noexcept {
    if (shut_down_) return;
    shut_down_ = true;
    server_.close();
    auto remotes = std::move(remotes_);
    remotes_.clear();
    for (auto& [address, remote] : remotes) {
        if (remote->connection) remote->connection->close();
        remote->ready.cancel();
    }
    proxies_.clear();
    agent_log()->debug("container {} shut down", addr_);
}

}  // namespace mas::agent
