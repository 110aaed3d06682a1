#include "mas/mosaik/orchestrator/local_sim_proxy.hpp"

#include <exception>

#include "mas/core/error.hpp"
#include "mas/core/log.hpp"
#include "mas/mosaik/serve.hpp"
#include "orchestrator/async_request.hpp"
#include "orchestrator/sim_failure.hpp"
#include "simulator_calls.hpp"

namespace mas::mosaik {
namespace {

/// Delivers a request the simulator makes through Simulator::mosaik() to the handler.
asio::awaitable<Json> deliver(detail::HandlerSlot slot, std::string sid, Json request) {
    auto outcome = co_await detail::answer_async_request(std::move(slot), std::move(sid), std::move(request));
    if (!outcome.ok) throw MosaikError("in-process mosaik", std::move(outcome.value));
    co_return std::move(outcome.value);
}

}  // namespace

struct LocalSimProxy::Impl {
    Impl(std::string sid, std::unique_ptr<Simulator> simulator)
        : sid(std::move(sid)),
          sim(std::move(simulator)),
          calls(*sim),
          handler(std::make_shared<AsyncRequestHandler>()) {}

    /// The SimulationError for the exception being handled, with the failure content a served
    /// simulator would have sent. Call it only inside a catch block.
    [[nodiscard]] SimulationError failed(const std::string& method) const {
        auto [type, message] = detail::describe_current_exception();
        return detail::call_failed(sid, method, failure_content(type, message, method));
    }

    std::string sid;
    std::unique_ptr<Simulator> sim;
    detail::SimulatorCalls calls;
    detail::HandlerSlot handler;
    std::optional<Inputs> inputs;  // the view of the last step's inputs
    Json* pulled_tree = nullptr;   // their tree, if they were pulled inputs
    bool prepared = false;
    bool stopped = false;
};

LocalSimProxy::LocalSimProxy(std::string sid, std::unique_ptr<Simulator> sim) {
    if (!sim) throw ConfigError("LocalSimProxy needs a simulator, got null for " + sid);
    impl_ = std::make_unique<Impl>(std::move(sid), std::move(sim));
    MosaikRequestSender sender = [slot = impl_->handler, sid = impl_->sid](Json request) {
        return deliver(slot, sid, std::move(request));
    };
    impl_->sim->attach(MosaikRemote(std::move(sender)));
}

LocalSimProxy::~LocalSimProxy() { impl_->sim->attach(std::nullopt); }

const std::string& LocalSimProxy::sid() const noexcept { return impl_->sid; }

Simulator& LocalSimProxy::simulator() noexcept { return *impl_->sim; }

void LocalSimProxy::set_request_handler(AsyncRequestHandler handler) { *impl_->handler = std::move(handler); }

asio::awaitable<Json> LocalSimProxy::init(double time_resolution, JsonObject sim_params) {
    try {
        if (!impl_->prepared) {
            impl_->prepared = true;
            co_await impl_->sim->prepare();
        }
        co_return impl_->calls.init(impl_->sid, time_resolution, sim_params);
    } catch (...) {
        throw impl_->failed("init");
    }
}

asio::awaitable<Json> LocalSimProxy::create(std::int64_t num, std::string model, JsonObject model_params) {
    try {
        co_return impl_->calls.create(num, model, model_params);
    } catch (...) {
        throw impl_->failed("create");
    }
}

asio::awaitable<std::vector<Entity>> LocalSimProxy::create_entities(std::int64_t num, std::string model,
                                                                    JsonObject model_params) {
    try {
        co_return impl_->calls.create_entities(num, model, model_params);
    } catch (...) {
        throw impl_->failed("create");
    }
}

asio::awaitable<void> LocalSimProxy::setup_done() {
    try {
        impl_->calls.setup_done();
    } catch (...) {
        throw impl_->failed("setup_done");
    }
    co_return;
}

asio::awaitable<std::optional<std::int64_t>> LocalSimProxy::step(std::int64_t time, const Json& inputs,
                                                                 std::int64_t max_advance, bool same_shape) {
    try {
        // Read in place, and for inputs of the same shape as before without checking and
        // indexing them again: only values changed, not the shape that was checked.
        auto& view = impl_->inputs;
        const bool again = same_shape && view && !impl_->pulled_tree && &view->json() == &inputs;
        if (!again) view = detail::SimulatorCalls::inputs_view(inputs);
        view->mark_same_shape(again);
        impl_->pulled_tree = nullptr;
        co_return co_await impl_->calls.step(time, *view, max_advance);
    } catch (...) {
        throw impl_->failed("step");
    }
}

asio::awaitable<std::optional<std::int64_t>> LocalSimProxy::step_pulled(std::int64_t time, Json& tree,
                                                                       std::span<const Json* const> values,
                                                                       std::int64_t max_advance) {
    try {
        auto& view = impl_->inputs;
        if (view && impl_->pulled_tree == &tree) {
            view->next_values(values);
        } else {
            view = detail::SimulatorCalls::inputs_pulled(tree, values);
            impl_->pulled_tree = &tree;
        }
        co_return co_await impl_->calls.step(time, *view, max_advance);
    } catch (...) {
        throw impl_->failed("step");
    }
}

asio::awaitable<Json> LocalSimProxy::get_data(const Json& outputs) {
    try {
        const auto request = detail::SimulatorCalls::output_request_from(outputs);
        co_return impl_->calls.get_data(request);
    } catch (...) {
        throw impl_->failed("get_data");
    }
}

asio::awaitable<Outputs> LocalSimProxy::get_outputs(const OutputRequest& request) {
    try {
        co_return impl_->calls.get_outputs(request);
    } catch (...) {
        throw impl_->failed("get_data");
    }
}

asio::awaitable<Json> LocalSimProxy::call_extra(std::string method, JsonArray args, JsonObject kwargs) {
    try {
        co_return impl_->calls.call_extra(method, args, kwargs);
    } catch (...) {
        throw impl_->failed(method);
    }
}

asio::awaitable<void> LocalSimProxy::stop() {
    if (impl_->stopped) co_return;
    impl_->stopped = true;
    try {
        impl_->sim->finalize();
    } catch (const std::exception& e) {
        mas::log("mas.mosaik")->error("finalize() of simulator {} failed: {}", impl_->sid, e.what());
    }
}

}  // namespace mas::mosaik
