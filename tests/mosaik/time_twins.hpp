#pragma once
// C++ twins of the time-based simulators of the mosaik transcripts (scenarios/sims.py: TimeSrc,
// TimeNode, TimeSink). Each answers mosaik exactly as the Python class did in the recordings.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mas/mosaik/simulator.hpp"

namespace mas::test {

/// Time-based source: out = start + time; steps every step_size (sim param, default 1).
class TimeSrc : public mosaik::Simulator {
public:
    mosaik::Meta init(const std::string& sid, double time_resolution, const JsonObject& params) override;
    std::vector<mosaik::Entity> create(std::int64_t num, const std::string& model, const JsonObject& params) override;
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs& inputs,
                                                      std::int64_t max_advance) override;
    mosaik::Outputs get_data(const mosaik::OutputRequest& request) override;

private:
    std::int64_t step_size_ = 1;
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> ents_;  // start, out
};

/// Time-based nodes with a child each and rel; val += delta + sum(inputs 'in') + offset. Extra
/// methods set_offset(offset) and describe(prefix, upper=False, **kw). With `fail_at`, step
/// throws std::invalid_argument at that time or later.
class TimeNode : public mosaik::Simulator {
public:
    explicit TimeNode(std::optional<std::int64_t> fail_at = std::nullopt);
    mosaik::Meta init(const std::string& sid, double time_resolution, const JsonObject& params) override;
    std::vector<mosaik::Entity> create(std::int64_t num, const std::string& model, const JsonObject& params) override;
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs& inputs,
                                                      std::int64_t max_advance) override;
    mosaik::Outputs get_data(const mosaik::OutputRequest& request) override;

private:
    void add(const std::string& eid, std::map<std::string, std::int64_t> attrs);
    std::optional<std::int64_t> fail_at_;
    std::string sid_;
    std::int64_t step_size_ = 1;
    std::int64_t offset_ = 0;
    std::int64_t nodes_ = 0;
    std::vector<std::string> order_;
    std::map<std::string, std::map<std::string, std::int64_t>> ents_;
};

/// Time-based sink that accepts any input and has no outputs.
class TimeSink : public mosaik::Simulator {
public:
    mosaik::Meta init(const std::string& sid, double time_resolution, const JsonObject& params) override;
    std::vector<mosaik::Entity> create(std::int64_t num, const std::string& model, const JsonObject& params) override;
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs& inputs,
                                                      std::int64_t max_advance) override;
    mosaik::Outputs get_data(const mosaik::OutputRequest& request) override;

private:
    std::int64_t step_size_ = 1;
    std::int64_t n_ = 0;
};

}  // namespace mas::test
