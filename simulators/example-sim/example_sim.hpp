#pragma once
// ExampleSim: mosaik's tutorial simulator (simulator_mosaik.py) in C++. Hybrid; model
// ExampleModel(init_val) with attrs delta and val, trigger delta; each step sets delta to the sum
// of the incoming deltas (if any arrived), adds delta to val and asks to be stepped at time + 1.

#include <array>
#include <bit>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "mas/mosaik/detail/key_index.hpp"
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
    /// A Python number: an int stays an int until a float joins it. The models keep theirs as
    /// words and kinds apart (Models).
    struct Number {
        bool is_int = true;
        union {
            std::int64_t i = 0;
            double d;
        };
        static Number integer(std::int64_t v) {
            Number n;
            n.i = v;
            return n;
        }
        static Number real(double v) {
            Number n;
            n.is_int = false;
            n.d = v;
            return n;
        }
        /// Throws mas::TypeError for a value that is not a number, as Python's `+` would fail.
        static Number of(const Json& value) {
            // Inline for the two kinds every step reads, many thousand times.
            const auto& storage = value.storage();
            if (value.kind() == JsonKind::integer) return integer(*std::get_if<std::int64_t>(&storage));
            if (value.kind() == JsonKind::floating) return real(*std::get_if<double>(&storage));
            return of_other(value);
        }
        static Number of_other(const Json& value);
        // Python's `+` on ints and floats: ints stay ints.
        friend Number operator+(const Number& a, const Number& b) {
            if (a.is_int && b.is_int) return integer(a.i + b.i);
            return real(a.as_double() + b.as_double());
        }
        [[nodiscard]] double as_double() const { return is_int ? static_cast<double>(i) : d; }
        [[nodiscard]] std::uint64_t word() const { return is_int ? std::bit_cast<std::uint64_t>(i) : std::bit_cast<std::uint64_t>(d); }
        static Number of_word(std::uint64_t word, bool is_int) {
            return is_int ? integer(std::bit_cast<std::int64_t>(word)) : real(std::bit_cast<double>(word));
        }
    };
    /// The tutorial's example_model.Model (val += delta at each step) for all entities: each
    /// model's two numbers as two words, their kinds kept apart, 17 bytes instead of two
    /// Numbers' 32. A large simulator's step is bound by memory, not by arithmetic.
    class Models {
    public:
        [[nodiscard]] std::size_t size() const noexcept { return words_.size(); }
        void reserve(std::size_t n) {
            words_.reserve(n);
            kinds_.reserve(n);
        }
        void push_back(Number val, Number delta) {
            words_.push_back({val.word(), delta.word()});
            kinds_.push_back(kinds(val, delta));
        }
        [[nodiscard]] Number val(std::size_t i) const { return Number::of_word(words_[i][0], (kinds_[i] & val_int) != 0); }
        [[nodiscard]] Number delta(std::size_t i) const { return Number::of_word(words_[i][1], (kinds_[i] & delta_int) != 0); }
        void set(std::size_t i, Number val, Number delta) {
            words_[i] = {val.word(), delta.word()};
            kinds_[i] = kinds(val, delta);
        }
        void set_delta(std::size_t i, Number delta) { set(i, val(i), delta); }
        /// The model's step: val += delta.
        void advance(std::size_t i) { set(i, val(i) + delta(i), delta(i)); }

    private:
        static constexpr std::uint8_t val_int = 1;
        static constexpr std::uint8_t delta_int = 2;
        static std::uint8_t kinds(Number val, Number delta) {
            return static_cast<std::uint8_t>((val.is_int ? val_int : 0) | (delta.is_int ? delta_int : 0));
        }
        std::vector<std::array<std::uint64_t, 2>> words_;  // val, delta
        std::vector<std::uint8_t> kinds_;
    };

    /// The place of `eid` in eids_, looked for at `hint` first; eids_.size() if unknown.
    [[nodiscard]] std::size_t position(const std::string& eid, std::size_t hint) const;
    /// Works out from the inputs' keys which entity each value is a delta of.
    void plan_deltas(const mosaik::Inputs& inputs);
    /// Works out the entity of each requested place and whether it asks for val or delta.
    void plan_outputs(const mosaik::OutputRequest& request);

    std::string eid_prefix_ = "Model_";
    // Names apart from models: a step walks the models only.
    std::vector<std::string> eids_;
    Models models_;
    mosaik::detail::KeyIndex positions_;  // eids_ by eid, like Python's dict: one flat table, no node per entity
    std::int64_t time_ = 0;
    std::vector<std::int64_t> delta_of_;  // per input value: the entity it is a delta of, or -1
    std::vector<std::size_t> receivers_;  // the entities that get deltas, each once
    std::vector<Number> sums_;            // per entity: this step's sum of deltas
    /// How the planned deltas reach the models: every entity gets one, in creation order; no
    /// entity gets more than one; or some get several, which are summed.
    enum class Deltas { each_in_order, each_once, summed };
    Deltas deltas_ = Deltas::summed;
    std::uint64_t planned_request_ = 0;   // the OutputRequest::id out_entity_ and out_field_ are of
    std::vector<std::size_t> out_entity_; // per requested entity: its place in models_
    std::vector<bool> out_field_;         // per requested (entity, attr): val (else delta)
};

}  // namespace mas::sims
