// The orchestrator's side of a remote simulator: a World runs a simulator whose every reply
// (meta, entity list, next step, data) and every request of its own (mosaik's async requests)
// come from the fuzzer, one frame after each frame the World sends. Next to it runs the C++
// ExampleSim in process, fed from the remote simulator's `val` when its meta has one. Whatever
// comes back, the run ends with a result or an error; nothing may hang, crash or leak.
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <asio/buffer.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/read.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "example_sim.hpp"
#include "fuzz_support.hpp"
#include "mas/channel/frame.hpp"
#include "mas/core/error.hpp"
#include "mas/mosaik/orchestrator/local_sim_proxy.hpp"
#include "mas/mosaik/orchestrator/remote_sim_proxy.hpp"
#include "mas/mosaik/orchestrator/world.hpp"

namespace {

constexpr auto tuple = asio::experimental::as_tuple(asio::use_awaitable);

// The remote simulator: reads a frame of the World's, answers with the next frame of the input.
asio::awaitable<void> simulator(mas::fuzz::Socket& socket, std::vector<std::string> frames) {
    for (auto& frame : frames) {
        char header[mas::frame_header_size];
        auto [ec, n] = co_await asio::async_read(socket, asio::buffer(header), tuple);
        if (ec) co_return;
        std::string payload(mas::read_frame_length(header), '\0');
        auto [ec2, m] = co_await asio::async_read(socket, asio::buffer(payload), tuple);
        if (ec2) co_return;
        auto [ec3, k] = co_await asio::async_write(socket, asio::buffer(frame), tuple);
        if (ec3) co_return;
    }
    std::error_code ignored;
    socket.shutdown(asio::socket_base::shutdown_send, ignored);
    co_await mas::fuzz::drain(socket);
}

std::string first_public_model(const mas::Json& meta) {
    const auto* models = meta.is_object() ? meta.as_object().find("models") : nullptr;
    if (!models || !models->is_object()) return "Model";
    for (const auto& [name, model] : models->as_object()) {
        const auto* is_public = model.is_object() ? model.as_object().find("public") : nullptr;
        if (!is_public || (is_public->is_bool() && is_public->get<bool>())) return name;
    }
    return "Model";
}

asio::awaitable<void> orchestrate(mas::Channel channel) {
    mas::mosaik::WorldOptions options;
    mas::mosaik::World world(options);
    bool failed = false;
    try {
        mas::mosaik::RemoteSimOptions remote;
        remote.stop_reply_wait = std::chrono::milliseconds(0);
        remote.exit_grace = std::chrono::milliseconds(0);
        auto proxy = std::make_unique<mas::mosaik::RemoteSimProxy>("Fuzz-0", channel, nullptr, remote);
        mas::JsonObject no_params;
        const mas::mosaik::GroupPath no_group;
        const auto meta = co_await world.add_simulator(std::move(proxy), no_params, no_group);
        auto local = std::make_unique<mas::mosaik::LocalSimProxy>("Example-0", std::make_unique<mas::sims::ExampleSim>());
        co_await world.add_simulator(std::move(local), no_params, no_group);
        // Named, not temporaries in the co_await expressions: g++ 12 miscompiles those.
        const auto model = first_public_model(meta);
        const std::string remote_sid = "Fuzz-0";
        const std::string local_sid = "Example-0";
        const std::string local_model = "ExampleModel";
        mas::JsonObject params;
        params.insert_or_assign("init_val", mas::Json(0));
        const std::vector<std::pair<std::string, std::string>> attrs{{"val", "delta"}};
        const auto remote_entities = co_await world.create(remote_sid, 2, model, no_params);
        const auto local_entities = co_await world.create(local_sid, 2, local_model, params);
        try {
            for (std::size_t i = 0; i < remote_entities.size() && i < local_entities.size(); ++i) {
                world.connect(remote_entities[i], local_entities[i], attrs);
            }
        } catch (const mas::ConfigError&) {
            // A meta without `val`: the remote simulator runs alone.
        }
        const auto* type = meta.as_object().find("type");
        if (type && type->is_string() && type->as_string() == "event-based") world.set_initial_event("Fuzz-0");
        const mas::mosaik::RunOptions run_options;
        co_await world.run(4, run_options);
    } catch (const mas::Error&) {
        failed = true;
    }
    // A failure before the run leaves the simulators added so far to be stopped.
    if (failed) co_await world.shutdown();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> frames;
    for (const auto frame : mas::fuzz::split_frames(input)) frames.emplace_back(frame);
    asio::io_context io;
    {
        mas::fuzz::SocketPair pair(io);
        mas::ChannelOptions options;
        options.max_message_size = 1 << 20;
        auto channel = mas::fuzz::channel_over(std::move(pair.ours), options);
        asio::co_spawn(io, orchestrate(channel), asio::detached);
        asio::co_spawn(io, simulator(pair.theirs, std::move(frames)), asio::detached);
        mas::fuzz::run_to_end(io);
    }
    return 0;
}
