#pragma once
// BatterySim: lossless batteries that follow a power set point within their limits.
//
// Time-based. Sim param: `step_size` (mosaik time units per step, default 900); one step lasts
// step_size * time_resolution seconds.
// Model Battery(capacity_wh > 0, max_charge_w >= 0, max_discharge_w >= 0, initial_soc=0.5 in
// [0, 1]). Input `p_set_w`: the requested power in W, positive = charge, negative = discharge;
// the values of all sources are summed, and a step without input requests 0 W. Outputs, for the
// step just made: `p_w`, the power actually applied during the step (the set point clamped to
// -max_discharge_w..max_charge_w and to what the stored energy and the free capacity allow over
// the step's duration); `soc`, the state of charge in 0..1 at the end of the step; `energy_wh`,
// the stored energy at the end of the step; and `p_set_w`, the set point it got.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mas/mosaik/simulator.hpp"

namespace mas::sims {

/// mosaik simulator "battery": Battery entities that apply p_set_w within their limits (see above).
class BatterySim : public mosaik::Simulator {
public:
    mosaik::Meta init(const std::string& sid, double time_resolution, const JsonObject& sim_params) override;
    std::vector<mosaik::Entity> create(std::int64_t num, const std::string& model,
                                       const JsonObject& model_params) override;
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs& inputs,
                                                      std::int64_t max_advance) override;
    mosaik::Outputs get_data(const mosaik::OutputRequest& request) override;

private:
    struct Battery {
        double capacity_wh = 0.0;
        double max_charge_w = 0.0;
        double max_discharge_w = 0.0;
        double energy_wh = 0.0;
        double p_set_w = 0.0;
        double p_w = 0.0;

        /// Applies the set point for `seconds`, within the power and energy limits.
        void apply(double set_point_w, double seconds);
    };

    [[nodiscard]] const Battery& find(const std::string& eid) const;

    double step_seconds_ = 900.0;
    std::int64_t step_size_ = 900;
    std::vector<std::pair<std::string, Battery>> batteries_;
};

}  // namespace mas::sims
