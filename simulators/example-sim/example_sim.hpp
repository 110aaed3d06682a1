#pragma once
// ExampleSim: mosaik's tutorial simulator (simulator_mosaik.py) in C++. Hybrid; model
// ExampleModel(init_val) with attrs delta and val, trigger delta; each step sets delta to the sum
// of the incoming deltas (if any arrived), adds delta to val and asks to be stepped at time + 1.

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "mas/mosaik/simulator.hpp"

namespace mas::sims {

class ExampleSim : public mosaik::Simulator {
public:
    mosaik::Meta init(const std::string& sid, double time_resolution, const JsonObject& sim_params) override;
    std::vector<mosaik::Entity> create(std::int64_t num, const std::string& model,
                                       const JsonObject& model_params) override;
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs& inputs,
                                                      std::int64_t max_advance) override;
    mosaik::Outputs get_data(const mosaik::OutputRequest& request) override;

private:
    /// A Python number: an int stays an int until a float joins it.
    struct Number {
        bool is_int = true;
        std::int64_t i = 0;
        double d = 0;
        /// Throws mas::TypeError for a value that is not a number, as Python's `+` would fail.
        static Number of(const Json& value);
        [[nodiscard]] Json json() const { return is_int ? Json(i) : Json(d); }
        // Python's `+` on ints and floats: ints stay ints.
        friend Number operator+(const Number& a, const Number& b) {
            if (a.is_int && b.is_int) return {true, a.i + b.i, 0};
            return {false, 0, a.real() + b.real()};
        }
        [[nodiscard]] double real() const { return is_int ? static_cast<double>(i) : d; }
    };

    /// The tutorial's example_model.Model: val += delta at each step.
    struct Model {
        Number val;
        Number delta;
    };

    /// The place of `eid` in entities_, looked for at `hint` first; entities_.size() if unknown.
    [[nodiscard]] std::size_t position(const std::string& eid, std::size_t hint) const;

    std::string eid_prefix_ = "Model_";
    std::vector<std::pair<std::string, Model>> entities_;
    std::unordered_map<std::string, std::size_t> positions_;  // eid -> entities_ index, like Python's dict
    std::int64_t time_ = 0;
};

}  // namespace mas::sims
