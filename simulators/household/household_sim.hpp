#pragma once
// HouseholdSim: households whose electric demand replays a daily load profile.
//
// Time-based. Sim params: `profile` (required, path of a CSV `minute,p_w`, see Profile) and
// `step_size` (mosaik time units per step, default 900; with time_resolution 1 that is 15 min).
// Model House(scale=1.0): attr `p_w`, the demand in W = the profile's value at the step's time of
// day times `scale`. The profile repeats every day.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mas/mosaik/simulator.hpp"
#include "profile.hpp"

namespace mas::sims {

/// mosaik simulator "household": House entities whose p_w replays a daily load profile (see above).
class HouseholdSim : public mosaik::Simulator {
public:
    mosaik::Meta init(const std::string& sid, double time_resolution, const JsonObject& sim_params) override;
    std::vector<mosaik::Entity> create(std::int64_t num, const std::string& model,
                                       const JsonObject& model_params) override;
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs& inputs,
                                                      std::int64_t max_advance) override;
    mosaik::Outputs get_data(const mosaik::OutputRequest& request) override;

private:
    struct House {
        double scale = 1.0;
        double p_w = 0.0;
    };

    [[nodiscard]] const House& find(const std::string& eid) const;

    std::optional<Profile> profile_;
    double time_resolution_ = 1.0;
    std::int64_t step_size_ = 900;
    std::vector<std::pair<std::string, House>> houses_;
};

}  // namespace mas::sims
