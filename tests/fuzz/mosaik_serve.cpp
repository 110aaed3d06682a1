// The simulator side of the mosaik protocol: the fuzzer's bytes arrive as mosaik's frames at a
// served ExampleSim (mosaik's tutorial simulator, the C++ one). Requests in any order, with any
// arguments, get replies or failure replies; the session ends with stop or when "mosaik" goes.
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <vector>
#include <string>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include "example_sim.hpp"
#include "fuzz_support.hpp"
#include "mas/core/error.hpp"
#include "mas/mosaik/serve.hpp"

namespace {

// Thousands of entities are fine; millions (allowed up to mas::mosaik::max_create_num) would only
// measure the fuzzer's memory limit.
class SmallExampleSim final : public mas::sims::ExampleSim {
public:
    std::vector<mas::mosaik::Entity> create(std::int64_t num, const std::string& model,
                                            const mas::JsonObject& model_params) override {
        if (num > 1000) throw std::invalid_argument("this fuzz target creates at most 1000 entities at once");
        return ExampleSim::create(num, model, model_params);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    asio::io_context io;
    SmallExampleSim sim;
    {
        mas::fuzz::SocketPair pair(io);
        mas::ChannelOptions options;
        options.max_message_size = 1 << 20;
        auto channel = mas::fuzz::channel_over(std::move(pair.ours), options);
        // Ends with stop, or with ConnectionError once the peer has finished: both are fine.
        asio::co_spawn(io, mas::mosaik::serve(channel, sim), [](std::exception_ptr, auto...) {});
        mas::fuzz::play_peer(io, pair.theirs, data, size);
    }
    return 0;
}
