#pragma once
// C++ twins of the event-based, hybrid and requesting simulators of the mosaik transcripts
// (scenarios/sims.py: EvGen, Hyb, EvSink, AsyncCtl, RtEvent), with the default knobs (GEN_NOTIME,
// HYB_NOTIME and HYB_SELFSTEP unset). Each answers mosaik exactly as the Python class did.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mas/mosaik/simulator.hpp"

namespace mas::test {

/// Event-based generator (model Gen, params period=2 and stop_after=6): each step sets level to
/// time * 10 and asks for the next step at time + period while that is <= stop_after. get_data
/// adds the output "time" and answers "ev" with "tick@<time>".
class EvGen : public mosaik::Simulator {
public:
    mosaik::Meta init(const std::string& sid, double time_resolution, const JsonObject& params) override;
    std::vector<mosaik::Entity> create(std::int64_t num, const std::string& model, const JsonObject& params) override;
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs& inputs,
                                                      std::int64_t max_advance) override;
    mosaik::Outputs get_data(const mosaik::OutputRequest& request) override;

private:
    struct Gen {
        std::int64_t period;
        std::int64_t stop_after;
        std::int64_t level = 0;
    };
    std::vector<std::pair<std::string, Gen>> ents_;
    std::int64_t time_ = 0;
};

/// Hybrid (model H): trig_in triggers, out is non-persistent. state counts the trig_in values
/// received; out (= state) and the output "time" are sent only after a step that had inputs.
/// Asks for a step at time + 1 after odd times.
class Hyb : public mosaik::Simulator {
public:
    mosaik::Meta init(const std::string& sid, double time_resolution, const JsonObject& params) override;
    std::vector<mosaik::Entity> create(std::int64_t num, const std::string& model, const JsonObject& params) override;
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs& inputs,
                                                      std::int64_t max_advance) override;
    mosaik::Outputs get_data(const mosaik::OutputRequest& request) override;

private:
    std::vector<std::pair<std::string, std::int64_t>> states_;
    std::int64_t time_ = 0;
    bool emit_ = false;
};

/// Event-based sink (model ESink, inputs in and in2, both triggers); never asks for a step.
class EvSink : public mosaik::Simulator {
public:
    mosaik::Meta init(const std::string& sid, double time_resolution, const JsonObject& params) override;
    std::vector<mosaik::Entity> create(std::int64_t num, const std::string& model, const JsonObject& params) override;
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs& inputs,
                                                      std::int64_t max_advance) override;
    mosaik::Outputs get_data(const mosaik::OutputRequest& request) override;

private:
    std::int64_t n_ = 0;
};

/// Time-based controller (model Ctl, param targets) that, in each step, asks mosaik for the
/// progress, the related entities (all, of targets[0], of all targets), the targets' val and delta,
/// sets targets[0].in to 100 + time and asks for an event at time + 1, catching a MosaikError.
class AsyncCtl : public mosaik::Simulator {
public:
    mosaik::Meta init(const std::string& sid, double time_resolution, const JsonObject& params) override;
    std::vector<mosaik::Entity> create(std::int64_t num, const std::string& model, const JsonObject& params) override;
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs& inputs,
                                                      std::int64_t max_advance) override;
    mosaik::Outputs get_data(const mosaik::OutputRequest& request) override;

    /// What mosaik answered, per step: progress, the three related-entity replies, the data.
    struct Answers {
        double progress = 0;
        Json graph;
        Json one;
        Json many;
        Json data;
    };
    [[nodiscard]] const std::vector<Answers>& answers() const noexcept { return answers_; }
    /// The caught MosaikErrors of set_event: type name and message (Python's e.remote_type/msg).
    [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& log() const noexcept { return log_; }

private:
    std::string sid_;
    std::int64_t step_size_ = 1;
    std::vector<std::pair<std::string, std::vector<std::string>>> ents_;  // eid, targets
    std::vector<Answers> answers_;
    std::vector<std::pair<std::string, std::string>> log_;
};

/// Event-based (model R) for real-time runs: in its first step asks mosaik for an event at
/// time + 3; never asks for a self-step.
class RtEvent : public mosaik::Simulator {
public:
    mosaik::Meta init(const std::string& sid, double time_resolution, const JsonObject& params) override;
    std::vector<mosaik::Entity> create(std::int64_t num, const std::string& model, const JsonObject& params) override;
    asio::awaitable<std::optional<std::int64_t>> step(std::int64_t time, const mosaik::Inputs& inputs,
                                                      std::int64_t max_advance) override;
    mosaik::Outputs get_data(const mosaik::OutputRequest& request) override;

private:
    bool done_ = false;
};

}  // namespace mas::test
