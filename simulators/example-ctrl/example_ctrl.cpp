#include "example_ctrl.hpp"

#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas::sims {

asio::awaitable<void> ThresholdAgent::on_inputs(mosaik::Inputs inputs) {
    const auto values = inputs.values(eid(), "val_in");
    if (values.empty()) co_return;
    // As in the tutorial: the rule is about one model's value, so two sources are a scenario bug.
    if (values.size() != 1) {
        throw ConfigError(fmt::format("only one incoming connection allowed per agent, but \"{}\" has {}", eid(),
                                      values.size()));
    }
    const auto value = values.front().value.get<double>();
    if (value >= 3) {
        output("delta", -1);
    } else if (value <= -3) {
        output("delta", 1);
    }
}

mosaik::Meta ExampleCtrl::configure(const std::string&, const JsonObject&) {
    mosaik::Meta meta(mosaik::SimType::event_based);
    meta.model("Agent").attrs({"val_in", "delta"});
    return meta;
}

mosaik::EntityAgent& ExampleCtrl::create_agent(const std::string&, std::string eid, const JsonObject&) {
    return spawn<ThresholdAgent>(std::move(eid));
}

}  // namespace mas::sims
