#pragma once
// PvSim: photovoltaic systems driven by a daily irradiance profile.
//
// Time-based. Sim params: `profile` (required, path of a CSV `minute,irradiance_w_m2`, see
// Profile) and `step_size` (mosaik time units per step, default 900).
// Model PV(peak_power_wp, derating=0.85 in (0, 1]): attrs `p_w`, the generation in W, and
// `irradiance_w_m2`, the irradiance of the step in W/m². p_w = peak_power_wp * derating *
// irradiance / 1000 W/m² (standard test conditions), capped at peak_power_wp; it is 0 at night
// and never negative.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mas/mosaik/simulator.hpp"
#include "profile.hpp"

namespace mas::sims {

/// mosaik simulator "pv": PV entities whose p_w follows a daily irradiance profile (see above).
class PvSim : public mosaik::Simulator {
public:
    /// Irradiance at standard test conditions, at which a module delivers its peak power.
    static constexpr double stc_irradiance_w_m2 = 1000.0;

    mosaik::Meta init(const std::string& sid, double time_resolution, const JsonObject& sim_params) override;
    std::vector<mosaik::Entity> create(std::int64_t num, const std::string& model,
                                       const JsonObject& model_params) override;
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs& inputs,
                                                      std::int64_t max_advance) override;
    mosaik::Outputs get_data(const mosaik::OutputRequest& request) override;

private:
    struct Pv {
        double peak_power_wp = 0.0;
        double derating = 0.85;
        double p_w = 0.0;
    };

    [[nodiscard]] const Pv& find(const std::string& eid) const;

    std::optional<Profile> profile_;
    double time_resolution_ = 1.0;
    std::int64_t step_size_ = 900;
    double irradiance_w_m2_ = 0.0;
    std::vector<std::pair<std::string, Pv>> systems_;
};

}  // namespace mas::sims
