#include "mas/mosaik/orchestrator/sim_proxy.hpp"

#include <fmt/format.h>

namespace mas::mosaik {

asio::awaitable<std::optional<std::int64_t>> SimProxy::step_pulled(std::int64_t time, Json& tree,
                                                                  std::span<const Json* const> values,
                                                                  std::int64_t max_advance) {
    static const Json none;
    std::size_t k = 0;
    for (auto& [eid, attrs] : tree.as_object()) {
        for (auto& [attr, sources] : attrs.as_object()) {
            for (auto& [source, value] : sources.as_object()) {
                const Json* given = values[k++];
                value = given ? *given : none;
            }
        }
    }
    co_return co_await step(time, tree, max_advance, true);
}

asio::awaitable<Outputs> SimProxy::get_outputs(const OutputRequest& request) {
    if (json_of_ != &request) {
        request_json_ = request.to_json();
        json_of_ = &request;
    }
    auto reply = co_await get_data(request_json_);
    try {
        co_return Outputs::from_json(std::move(reply));
    } catch (const TypeError& e) {
        throw SimulationError(sid(), fmt::format("simulator {}: {}", sid(), e.what()));
    }
}

}  // namespace mas::mosaik
