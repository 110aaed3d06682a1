#include "json_bench.hpp"

#include <cstddef>
#include <string>
#include <vector>

#include "measurement.hpp"
#include "mas/core/json_codec.hpp"
#include "workload.hpp"

namespace mas::bench {
namespace {

constexpr std::size_t batch_size = 20'000;
constexpr int batches = 15;

// Keeps the optimiser from dropping work whose result is otherwise unused.
volatile std::size_t sink = 0;

// Runs `op` batch_size times per batch and returns the median time per call in nanoseconds.
template <class Op>
double time_per_op(Op op) {
    for (std::size_t i = 0; i < batch_size / 4; ++i) op();  // warm caches and allocator
    std::vector<double> per_op;
    for (int b = 0; b < batches; ++b) {
        const auto start = Clock::now();
        for (std::size_t i = 0; i < batch_size; ++i) op();
        const std::chrono::duration<double, std::nano> elapsed = Clock::now() - start;
        per_op.push_back(elapsed.count() / batch_size);
    }
    return median(std::move(per_op));
}

}  // namespace

JsonTimings measure_json() {
    const JsonCodec codec;
    const auto frame = Json::array({0, 0, add_request()});
    const auto text = codec.encode(frame);
    std::string buffer;  // reused, as a channel reuses its write buffer
    JsonTimings timings;
    timings.encode_decode_ns = time_per_op([&] {
        buffer.clear();
        codec.encode_to(frame, buffer);
        sink = sink + codec.decode(buffer).size();
    });
    timings.encode_ns = time_per_op([&] {
        buffer.clear();
        codec.encode_to(frame, buffer);
        sink = sink + buffer.size();
    });
    timings.decode_ns = time_per_op([&] { sink = sink + codec.decode(text).size(); });
    return timings;
}

CodecTimings measure_codec(const Codec& codec) {
    const auto frame = Json::array({0, 0, add_request()});
    std::string buffer;
    CodecTimings timings;
    timings.frame_encode_decode_ns = time_per_op([&] {
        buffer.clear();
        codec.encode_to(frame, buffer);
        sink = sink + codec.decode(buffer).size();
    });
    // Floats that do not repeat, as measurements rarely do; Blosc gets no easy run.
    JsonArray floats;
    constexpr std::size_t count = (1U << 20) / sizeof(double);
    floats.reserve(count);
    for (std::size_t i = 0; i < count; ++i) floats.emplace_back(static_cast<double>(i) * 0.001 + 0.5);
    const Json large(std::move(floats));
    std::vector<double> per_op;
    for (int i = 0; i < 7; ++i) {
        const auto start = Clock::now();
        buffer.clear();
        codec.encode_to(large, buffer);
        sink = sink + codec.decode(buffer).size();
        const std::chrono::duration<double, std::milli> elapsed = Clock::now() - start;
        if (i > 0) per_op.push_back(elapsed.count());  // the first one warms the allocator
    }
    timings.mib_encode_decode_ms = median(std::move(per_op));
    return timings;
}

}  // namespace mas::bench
