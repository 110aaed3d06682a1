#include "mosaik_bench.hpp"

#include <memory>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "example_sim.hpp"
#include "mas/channel/frame.hpp"
#include "mas/core/json_codec.hpp"
#include "mas/mosaik/run_simulator.hpp"
#include "raw_step_server.hpp"

namespace mas::bench {
namespace {

constexpr std::int64_t until = 1'000'000'000;  // mosaik's max_advance: no earlier input may come

std::string frame(MessageType type, std::uint64_t id, const Json& content) {
    std::string out;
    append_frame(JsonCodec(), type, id, content, default_max_message_size, out);
    return out;
}

Json call(std::string method, Json args, Json kwargs) {
    return Json::array({std::move(method), std::move(args), std::move(kwargs)});
}

// `["step", [0, {eid: {"delta": {"Ctrl-0.Agent_<i>": 1}}}, until], {}]`: every entity gets a delta
// from its own controller, as a connected controller would send it.
Json step_call(const JsonArray& entities) {
    JsonObject inputs;
    for (std::size_t i = 0; i < entities.size(); ++i) {
        const auto source = Json::object({{fmt::format("Ctrl-0.Agent_{}", i), 1}});
        inputs.push_back(entities[i]["eid"].as_string(), Json::object({{"delta", source}}));
    }
    return call("step", Json::array({0, Json(std::move(inputs)), until}), Json::object());
}

// `["get_data", [{eid: ["val", "delta"]}], {}]` for all entities.
Json get_data_call(const JsonArray& entities) {
    JsonObject outputs;
    for (const auto& entity : entities) outputs.push_back(entity["eid"].as_string(), Json::array({"val", "delta"}));
    return call("get_data", Json::array({Json(std::move(outputs))}), Json::object());
}

Json decode_result(std::string_view payload) {
    return decode_message(JsonCodec(), payload).content;
}

}  // namespace

int run_mosaik_child(int argc, char** argv) {
    return mosaik::run_simulator(argc, argv, [] { return std::make_unique<sims::ExampleSim>(); });
}

MosaikBench::MosaikBench(const std::string& self, std::size_t entities)
    : entities_(entities), peer_("example-sim", self, mosaik_sim_child_flag, {"-l", "warn"}) {
    peer_.exchange(frame(MessageType::request, next_id_++,
                         call("init", Json::array({"ExampleSim-0"}), Json::object({{"time_resolution", 1.0}}))));
    const auto created = decode_result(peer_.exchange(frame(
        MessageType::request, next_id_++,
        call("create", Json::array({entities, "ExampleModel"}), Json::object({{"init_val", 0}})))));
    const auto& list = created.as_array();
    if (list.size() != entities) throw std::runtime_error("mosaik benchmark: create returned " + created.describe());
    peer_.exchange(frame(MessageType::request, next_id_++, call("setup_done", Json::array(), Json::object())));
    step_content_ = step_call(list);
    get_data_content_ = get_data_call(list);
}

MosaikBench::MosaikBench(const std::string& self, const MosaikBench& model, RawTwin)
    : entities_(model.entities_),
      raw_(true),
      peer_("the raw step server", self, raw_step_child_flag, {}),
      next_id_(model.next_id_),
      time_(model.time_),
      step_content_(model.step_content_),
      get_data_content_(model.get_data_content_),
      raw_step_reply_(model.step_reply_),
      raw_get_data_reply_(model.get_data_reply_) {
    if (raw_step_reply_.empty()) throw std::logic_error("mosaik benchmark: the raw twin's model has not run a step");
    const std::vector<std::string> replies{whole_frame(raw_step_reply_), whole_frame(raw_get_data_reply_)};
    peer_.send(replies_frame(replies));
}

MosaikBench::~MosaikBench() {
    if (!peer_.running()) return;
    try {
        stop();
    } catch (const std::exception& e) {
        spdlog::error("mosaik benchmark: stopping the child: {}", e.what());
    }
}

Clock::duration MosaikBench::time_step() {
    step_content_[1][0] = time_;
    step_request_ = frame(MessageType::request, next_id_++, step_content_);
    get_data_request_ = frame(MessageType::request, next_id_++, get_data_content_);
    const auto start = Clock::now();
    // Kept because the next read may move the buffer; a few bytes into reused capacity.
    step_reply_.assign(peer_.exchange(step_request_));
    const auto data = peer_.exchange(get_data_request_);
    const auto elapsed = Clock::now() - start;
    get_data_reply_.assign(data);
    ++time_;
    return elapsed;
}

StepTimes MosaikBench::run(std::size_t warmup, std::size_t count) {
    auto samples = step_samples(warmup, count, [this] { return time_step(); });
    check_last_step();
    return summarize_steps(std::move(samples));
}

// ExampleSim starts at val 0 and adds the delta of 1 at every step from time 0 on. The raw twin
// must have got exactly the replies it was given, in their order: a stale or swapped frame (one
// that would make the baseline cheaper than the real thing) fails the run.
void MosaikBench::check_last_step() const {
    const auto time = time_ - 1;
    bool ok = false;
    if (raw_) {
        ok = step_reply_ == raw_step_reply_ && get_data_reply_ == raw_get_data_reply_;
    } else {
        const auto next = decode_result(step_reply_);
        const auto data = decode_result(get_data_reply_);
        ok = next == Json(time + 1) && data.size() == entities_ + 1 && data["time"] == Json(time);
        for (const auto& [eid, attrs] : data.as_object()) {
            if (eid != "time") ok = ok && attrs == Json::object({{"val", time + 1}, {"delta", 1}});
        }
    }
    if (!ok) {
        throw std::runtime_error(fmt::format("mosaik benchmark{}: step {} returned {} and get_data {}",
                                             raw_ ? " (raw)" : "", time, excerpt(step_reply_),
                                             excerpt(get_data_reply_)));
    }
}

void MosaikBench::stop() {
    // stop gets no reply: the simulator finalizes and closes the connection. The raw step server
    // would answer anything, so it is told the end by the end of the stream.
    const auto stop_request =
        raw_ ? std::string() : frame(MessageType::request, next_id_++, call("stop", Json::array(), Json::object()));
    peer_.finish(stop_request);
}

}  // namespace mas::bench
