#pragma once
/// \file
/// Controller: a container of libmas agents taking part in a mosaik co-simulation as an
/// event-based or hybrid simulator, one agent per entity, driven by mosaik's time.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <asio/awaitable.hpp>

#include "mas/agent/container.hpp"
#include "mas/agent/container_options.hpp"
#include "mas/agent/date_time.hpp"
#include "mas/agent/external_clock.hpp"
#include "mas/mosaik/simulator.hpp"

namespace mas::mosaik {

class EntityAgent;

/// Options of a Controller (user-provided constructor: see the g++ 12 note in
/// channel_options.hpp).
struct ControllerOptions {
    ControllerOptions();
    /// Where the container listens, so that agents elsewhere can call its agents.
    std::string address = "tcp://127.0.0.1:0";
    /// Codec extras, channel limits and TLS of the container; its clock is always the
    /// controller's ExternalClock.
    agent::ContainerOptions container;
    /// The date at model time 0 (the agents' clock().utcnow()).
    agent::DateTime utc_start;
    /// Longest real time a step may wait for its agents to become idle; then the step fails with
    /// mas::Timeout and mosaik aborts the run. None: wait as long as it takes.
    std::optional<std::chrono::steady_clock::duration> step_timeout;
};

/// A mosaik simulator whose entities are agents in a container (mango's external-scheduling idea:
/// each mosaik step is a synchronisation point of the agent world). A step at mosaik time t:
///  1. sets the container's ExternalClock to t * time_resolution seconds, which wakes the agents'
///     sleepers and calls due by then;
///  2. runs EntityAgent::on_inputs for each entity that got inputs, as a task of its agent;
///  3. waits until the container is idle (agent::Activity): every task done or asleep on the
///     clock; calls to agents in other containers or processes are waited for, too;
///  4. sends what the agents addressed with EntityAgent::send to mosaik with `set_data`;
///  5. returns the earliest time an agent waits for (clock().next_activity()), or none.
/// `get_data` then returns what the agents set with EntityAgent::output during that step, with
/// the step's time. An exception from on_inputs fails the step.
///
/// Derive from it, return the meta from configure() and create one agent per entity in
/// create_agent(), e.g. with spawn<A>(eid). Runs on the executor serve() runs on.
class Controller : public Simulator {
public:
    explicit Controller(ControllerOptions options = {});
    ~Controller() override;

    /// Starts the container with its ExternalClock at time 0.
    asio::awaitable<void> prepare() override;
    /// Calls configure() and checks that the type is event-based or hybrid (mas::ConfigError).
    Meta init(const std::string& sid, double time_resolution, const JsonObject& sim_params) final;
    /// Creates `num` agents through create_agent(), with entity ids `<model>_<n>` counted per model.
    std::vector<Entity> create(std::int64_t num, const std::string& model, const JsonObject& model_params) final;
    /// The step described above.
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const Inputs& inputs,
                                                      std::int64_t max_advance) final;
    /// The outputs of the last step. Throws mas::ConfigError for an unknown entity or an attribute
    /// its model does not declare.
    Outputs get_data(const OutputRequest& request) final;
    /// Shuts the container down.
    void finalize() override;

    /// The container; throws mas::Error before prepare().
    [[nodiscard]] agent::Container& container() const;
    /// The simulator id mosaik gave at init, e.g. "Ctrl-0".
    [[nodiscard]] const std::string& sid() const noexcept { return sid_; }
    /// Seconds per mosaik time step.
    [[nodiscard]] double time_resolution() const noexcept { return time_resolution_; }
    /// The time of the current (or last) step.
    [[nodiscard]] std::int64_t time() const noexcept { return time_; }
    /// The agent of entity `eid`, or nullptr.
    [[nodiscard]] EntityAgent* entity(const std::string& eid) const noexcept;

protected:
    /// The meta; its type must be event-based or hybrid.
    virtual Meta configure(const std::string& sid, const JsonObject& sim_params) = 0;
    /// Creates the agent of a new entity `eid` of `model` (already checked to exist and be
    /// public); typically `return spawn<MyAgent>(std::move(eid), ...);`.
    virtual EntityAgent& create_agent(const std::string& model, std::string eid, const JsonObject& model_params) = 0;

    /// Creates an agent `A(container, *this, eid, args...)` in the container.
    template <class A, class... Args>
    A& spawn(std::string eid, Args&&... args) {
        return container().spawn<A>(*this, std::move(eid), std::forward<Args>(args)...);
    }

private:
    friend class EntityAgent;
    void record_output(const std::string& eid, const std::string& attr, Json value);
    void record_send(const std::string& eid, const std::string& dest_full_id, const std::string& attr, Json value);
    asio::awaitable<void> run_inputs(EntityAgent& agent, Inputs inputs);
    asio::awaitable<void> wait_for_agents();

    ControllerOptions options_;
    std::shared_ptr<agent::ExternalClock> clock_;
    std::unique_ptr<agent::Container> container_;
    std::optional<Meta> meta_;
    std::string sid_;
    double time_resolution_ = 1.0;
    std::int64_t time_ = 0;
    struct EntityEntry {
        EntityAgent* agent;
        std::string model;
    };
    std::map<std::string, EntityEntry> entities_;
    std::map<std::string, std::int64_t> created_per_model_;
    JsonObject outputs_;  // eid -> {attr: value} of the current step
    JsonObject sends_;    // src full id -> {dest full id: {attr: value}}
    std::exception_ptr step_error_;
};

}  // namespace mas::mosaik
