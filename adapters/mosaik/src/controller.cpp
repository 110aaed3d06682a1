#include "mas/mosaik/controller.hpp"

#include <algorithm>
#include <cmath>

#include <asio/this_coro.hpp>
#include <fmt/format.h>

#include "mas/agent/activity.hpp"
#include "mas/core/error.hpp"
#include "mas/core/log.hpp"
#include "mas/core/with_timeout.hpp"
#include "mas/mosaik/entity_agent.hpp"

namespace mas::mosaik {

namespace {

const std::shared_ptr<spdlog::logger>& logger() {
    static const auto log = mas::log("mas.mosaik");
    return log;
}

JsonObject& object_entry(JsonObject& object, const std::string& key) {
    if (auto* entry = object.find(key)) return entry->as_object();
    return object.insert_or_assign(key, Json::object()).as_object();
}

}  // namespace

ControllerOptions::ControllerOptions() : utc_start(agent::DateTime::parse("2000-01-01T00:00:00+00:00")) {}

Controller::Controller(ControllerOptions options) : options_(std::move(options)) {}

Controller::~Controller() = default;

asio::awaitable<void> Controller::prepare() {
    if (container_) co_return;
    auto executor = co_await asio::this_coro::executor;
    clock_ = std::make_shared<agent::ExternalClock>(executor, options_.utc_start);
    auto container_options = options_.container;
    container_options.clock = clock_;
    container_ = co_await agent::Container::create(options_.address, container_options);
    logger()->debug("controller's container listens at {}", container_->addr());
}

Meta Controller::init(const std::string& sid, double time_resolution, const JsonObject& sim_params) {
    if (!(time_resolution > 0) || !std::isfinite(time_resolution)) {
        throw ConfigError(fmt::format("time_resolution must be a positive number, got {}", time_resolution));
    }
    auto meta = configure(sid, sim_params);
    if (meta.type() == SimType::time_based) {
        throw ConfigError("a Controller is event-based or hybrid: its agents act when something happens, "
                          "but configure() returned a time-based meta");
    }
    sid_ = sid;
    time_resolution_ = time_resolution;
    meta_ = meta;
    return meta;
}

std::vector<Entity> Controller::create(std::int64_t num, const std::string& model, const JsonObject& model_params) {
    std::vector<Entity> out;
    auto& created = created_per_model_[model];
    for (std::int64_t i = 0; i < num; ++i) {
        auto eid = fmt::format("{}_{}", model, created++);
        EntityAgent& agent = create_agent(model, eid, model_params);
        if (agent.eid() != eid) {
            throw ConfigError(fmt::format("create_agent() must give the new agent the entity id \"{}\", not \"{}\"",
                                          eid, agent.eid()));
        }
        entities_.insert_or_assign(eid, EntityEntry{&agent, model});
        out.emplace_back(eid, model);
    }
    return out;
}

asio::awaitable<std::optional<std::int64_t>> Controller::step(std::int64_t time, const Inputs& inputs,
                                                              std::int64_t /*max_advance*/) {
    time_ = time;
    outputs_ = JsonObject();
    sends_ = JsonObject();
    step_error_ = nullptr;
    const auto receivers = inputs.entities();
    for (const auto& eid : receivers) {
        if (!entity(eid)) throw ConfigError(fmt::format("step(): inputs for unknown entity \"{}\"", eid));
    }
    const double now = static_cast<double>(time) * time_resolution_;
    clock_->set_time(now);
    for (const auto& eid : receivers) {
        auto* agent = entity(eid);
        JsonObject own;
        own.insert_or_assign(eid, inputs.json().as_object().at(eid));
        agent->start(run_inputs(*agent, Inputs(Json(std::move(own)))));
    }
    co_await wait_for_agents();
    if (step_error_) std::rethrow_exception(std::exchange(step_error_, nullptr));
    if (!sends_.empty()) {
        Json data(std::move(sends_));
        sends_ = JsonObject();
        co_await mosaik().set_data(std::move(data));
    }
    const auto next = clock_->next_activity();
    if (!next) co_return std::nullopt;
    // Everything due by `now` has run, so the next activity is later; a step is at least one tick.
    const auto step = static_cast<std::int64_t>(std::ceil(*next / time_resolution_ - 1e-9));
    co_return std::max(step, time + 1);
}

asio::awaitable<void> Controller::wait_for_agents() {
    auto& activity = container_->activity();
    if (!options_.step_timeout) {
        co_await activity.wait_idle();
        co_return;
    }
    auto what = fmt::format("step at time {}: waiting for the agents to become idle", time_);
    co_await with_timeout(activity.wait_idle(), *options_.step_timeout, std::move(what));
}

asio::awaitable<void> Controller::run_inputs(EntityAgent& agent, Inputs inputs) {
    try {
        co_await agent.on_inputs(std::move(inputs));
    } catch (const std::exception& e) {
        logger()->error("agent of entity {} failed on its inputs at time {}: {}", agent.eid(), time_, e.what());
        if (!step_error_) step_error_ = std::current_exception();
    }
}

Outputs Controller::get_data(const OutputRequest& request) {
    Outputs out(request);
    for (const auto& [eid, attrs] : request) {
        auto it = entities_.find(eid);
        if (it == entities_.end()) throw ConfigError(fmt::format("get_data(): unknown entity \"{}\"", eid));
        const auto* model = meta_->find_model(it->second.model);
        const auto* values = outputs_.find(eid);
        for (const auto& attr : attrs) {
            const auto& declared_attrs = model->attrs();
            const bool declared = std::find(declared_attrs.begin(), declared_attrs.end(), attr) != declared_attrs.end();
            if (!declared) throw ConfigError(fmt::format("get_data(): unknown attribute \"{}\" of {}", attr, eid));
            if (!values) continue;
            if (const auto* value = values->as_object().find(attr)) out.time(time_).set(eid, attr, *value);
        }
    }
    return out;
}

void Controller::finalize() {
    if (container_) container_->shutdown();
}

agent::Container& Controller::container() const {
    if (!container_) throw Error("Controller::container(): the container starts in prepare(), when served");
    return *container_;
}

EntityAgent* Controller::entity(const std::string& eid) const noexcept {
    auto it = entities_.find(eid);
    return it == entities_.end() ? nullptr : it->second.agent;
}

void Controller::record_output(const std::string& eid, const std::string& attr, Json value) {
    object_entry(outputs_, eid).insert_or_assign(attr, std::move(value));
}

void Controller::record_send(const std::string& eid, const std::string& dest_full_id, const std::string& attr,
                             Json value) {
    auto& from = object_entry(sends_, sid_ + "." + eid);
    object_entry(from, dest_full_id).insert_or_assign(attr, std::move(value));
}

// EntityAgent lives here: it is the Controller's other half and uses its private recorders.

EntityAgent::EntityAgent(agent::Container& container, Controller& controller, std::string eid)
    : Agent(container), controller_(controller), eid_(std::move(eid)) {}

std::string EntityAgent::full_id() const { return controller_.sid() + "." + eid_; }

asio::awaitable<void> EntityAgent::on_inputs(Inputs /*inputs*/) { co_return; }

void EntityAgent::output(const std::string& attr, Json value) { controller_.record_output(eid_, attr, std::move(value)); }

void EntityAgent::send(const std::string& dest_full_id, const std::string& attr, Json value) {
    controller_.record_send(eid_, dest_full_id, attr, std::move(value));
}

}  // namespace mas::mosaik
