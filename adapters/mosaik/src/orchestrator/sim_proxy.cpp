#include "mas/mosaik/orchestrator/sim_proxy.hpp"

#include <fmt/format.h>

namespace mas::mosaik {

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
