#include "raw_chain.hpp"

#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "mas/channel/frame.hpp"
#include "raw_step_server.hpp"

namespace mas::bench {
namespace {

std::string_view payload_of(const std::string& whole_frame) {
    return std::string_view(whole_frame).substr(frame_header_size);
}

}  // namespace

RawChainBench::RawChainBench(const std::string& self, ChainFrames frames)
    : frames_(std::move(frames)),
      a_("the raw step server A", self, raw_step_child_flag, {}),
      b_("the raw step server B", self, raw_step_child_flag, {}) {
    const std::vector<std::string> a_replies{frames_.a_step_reply, frames_.a_get_data_reply};
    const std::vector<std::string> b_replies{frames_.b_step_reply};
    a_.send(replies_frame(a_replies));
    b_.send(replies_frame(b_replies));
}

Clock::duration RawChainBench::time_step() {
    const auto start = Clock::now();
    // Kept because A's next read may move its buffer; a few bytes into reused capacity. The
    // other two views stay valid until their peer's next exchange, after the clock stopped.
    a_step_reply_.assign(a_.exchange(frames_.a_step));
    const auto a_data = a_.exchange(frames_.a_get_data);
    const auto b_step = b_.exchange(frames_.b_step);
    const auto elapsed = Clock::now() - start;
    a_get_data_reply_.assign(a_data);
    b_step_reply_.assign(b_step);
    return elapsed;
}

StepTimes RawChainBench::run(std::size_t warmup, std::size_t count) {
    auto samples = step_samples(warmup, count, [this] { return time_step(); });
    check_last_step();
    return summarize_steps(std::move(samples));
}

// The servers answer in turn with what they were given, so a lost or extra frame on the way
// shows as a swapped reply from A; any reply that is not exactly the recorded one (and might be
// cheaper to make than the real thing) fails the run.
void RawChainBench::check_last_step() const {
    if (a_step_reply_ == payload_of(frames_.a_step_reply) && a_get_data_reply_ == payload_of(frames_.a_get_data_reply) &&
        b_step_reply_ == payload_of(frames_.b_step_reply)) {
        return;
    }
    throw std::runtime_error(fmt::format("orchestrator benchmark (raw): the last step got {}, {} and {}",
                                         excerpt(a_step_reply_), excerpt(a_get_data_reply_),
                                         excerpt(b_step_reply_)));
}

void RawChainBench::stop() {
    // The raw step server answers anything, so it is told the end by the end of the stream.
    a_.finish({});
    b_.finish({});
}

}  // namespace mas::bench
