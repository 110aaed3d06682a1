#include "simulator_calls.hpp"

#include <algorithm>
#include <exception>

#include <fmt/format.h>

#include "mas/channel/request.hpp"
#include "mas/core/log.hpp"

namespace mas::mosaik::detail {

std::pair<std::string, std::string> describe_current_exception() {
    try {
        throw;
    } catch (const CallFailure& e) {
        return {e.type(), e.what()};
    } catch (const std::exception& e) {
        return {exception_type_name(e), e.what()};
    } catch (...) {
        return {"UnknownError", "an exception not derived from std::exception"};
    }
}

Json SimulatorCalls::init(const std::string& sid, double time_resolution, const JsonObject& sim_params) {
    auto meta = sim_.init(sid, time_resolution, sim_params);
    for (const auto& name : sim_.extra_names()) {
        const auto& declared = meta.extra_methods();
        if (std::find(declared.begin(), declared.end(), name) == declared.end()) meta.extra_method(name);
    }
    meta.validate();
    meta_ = std::move(meta);
    mas::log("mas.mosaik")->debug("simulator {} initialised ({})", sid, to_string(meta_->type()));
    return meta_->to_json();
}

Json SimulatorCalls::create(std::int64_t num, const std::string& model, const JsonObject& params) {
    const auto entities = create_entities(num, model, params);
    JsonArray out;
    out.reserve(entities.size());
    for (const auto& entity : entities) out.push_back(entity.to_json());
    return Json(std::move(out));
}

std::vector<Entity> SimulatorCalls::create_entities(std::int64_t num, const std::string& model, const JsonObject& params) {
    require_init("create");
    if (num < 0) throw CallFailure("ValueError", fmt::format("create(): num must not be negative, got {}", num));
    if (num > max_create_num) {
        throw CallFailure("ValueError", fmt::format("create(): num {} is more than the {} entities one create may make",
                                                    num, max_create_num));
    }
    const auto* declared = meta_->find_model(model);
    if (!declared || !declared->is_public()) {
        throw CallFailure("ValueError", fmt::format("create(): unknown model '{}'", model));
    }
    for (const auto& [name, value] : params) {
        const auto& names = declared->params();
        if (std::find(names.begin(), names.end(), name) == names.end()) {
            throw CallFailure("TypeError", fmt::format("create(): model '{}' got an unexpected param '{}'", model, name));
        }
    }
    return sim_.create(num, model, params);
}

void SimulatorCalls::setup_done() {
    require_init("setup_done");
    sim_.setup_done();
}

asio::awaitable<std::optional<std::int64_t>> SimulatorCalls::step(std::int64_t time, const Inputs& inputs,
                                                                  std::int64_t max_advance) {
    require_init("step");
    if (last_step_ && time < *last_step_) {
        throw CallFailure("ValueError",
                          fmt::format("step(): time {} goes back before the previous step time {}", time, *last_step_));
    }
    last_step_ = time;
    return sim_.step(time, inputs, max_advance);
}

Json SimulatorCalls::get_data(const OutputRequest& request) { return get_outputs(request).to_json(); }

Outputs SimulatorCalls::get_outputs(const OutputRequest& request) {
    require_init("get_data");
    return sim_.get_data(request);
}

Json SimulatorCalls::call_extra(const std::string& method, const JsonArray& args, const JsonObject& kwargs) {
    const auto* extra = sim_.find_extra(method);
    if (!extra) throw CallFailure("KeyError", fmt::format("'{}'", method));
    return (*extra)(args, kwargs);
}

void SimulatorCalls::require_init(const std::string& method) const {
    if (!meta_) throw CallFailure("RuntimeError", fmt::format("{}() called before init()", method));
}

Inputs SimulatorCalls::inputs_from(Json raw) {
    try {
        return Inputs(std::move(raw));
    } catch (const TypeError& e) {
        throw CallFailure("TypeError", fmt::format("step(): argument 'inputs': {}", e.what()));
    }
}

Inputs SimulatorCalls::inputs_view(const Json& raw) {
    try {
        return Inputs::view(raw);
    } catch (const TypeError& e) {
        throw CallFailure("TypeError", fmt::format("step(): argument 'inputs': {}", e.what()));
    }
}

Inputs SimulatorCalls::inputs_pulled(Json& tree, std::span<const Json* const> values) {
    try {
        return Inputs::pulled(tree, values);
    } catch (const TypeError& e) {
        throw CallFailure("TypeError", fmt::format("step(): argument 'inputs': {}", e.what()));
    }
}

OutputRequest SimulatorCalls::output_request_from(const Json& raw) {
    try {
        return OutputRequest(raw);
    } catch (const TypeError& e) {
        throw CallFailure("TypeError", fmt::format("get_data(): argument 'outputs': {}", e.what()));
    }
}

}  // namespace mas::mosaik::detail
