// aiomsg's wire format: every frame of the input is decoded as an envelope (re-encoded where
// that is defined), and the whole input is also a peer's side of a connection to a bound smart
// socket: its HELLO handshake, then DATA, DATA_REQ, ACK and HEARTBEAT envelopes, in any order.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include "fuzz_support.hpp"
#include "mas/channel/frame.hpp"
#include "mas/core/error.hpp"
#include "mas/msg/envelope.hpp"
#include "mas/msg/socket.hpp"

namespace {

void decode_each(std::string_view input) {
    for (const auto frame : mas::fuzz::split_frames(input)) {
        if (frame.size() < mas::frame_header_size) continue;
        std::optional<mas::msg::Envelope> envelope;
        try {
            envelope = mas::msg::decode_envelope(frame.substr(mas::frame_header_size));
        } catch (const mas::ProtocolError&) {
            continue;
        }
        if (!envelope) continue;
        std::string again;
        switch (envelope->type) {
        case mas::msg::EnvelopeType::hello: mas::msg::append_hello(again, envelope->identity, envelope->version); break;
        case mas::msg::EnvelopeType::heartbeat: mas::msg::append_heartbeat(again); break;
        case mas::msg::EnvelopeType::data: mas::msg::append_data(again, envelope->payload); break;
        case mas::msg::EnvelopeType::data_req:
            mas::msg::append_data_req(again, envelope->msg_id, envelope->payload);
            break;
        case mas::msg::EnvelopeType::ack: mas::msg::append_ack(again, envelope->msg_id); break;
        }
        // Written back from its fields, an envelope reads back to the same fields (a longer body
        // than a type needs is allowed on the way in, for later versions, and not kept).
        const auto back = mas::msg::decode_envelope(std::string_view(again).substr(mas::frame_header_size));
        if (!back || back->type != envelope->type || back->version != envelope->version ||
            back->identity != envelope->identity || back->msg_id != envelope->msg_id ||
            back->payload != envelope->payload) {
            std::abort();
        }
    }
}

asio::awaitable<void> peer_session(asio::io_context& io, std::string path, std::string bytes) {
    mas::msg::SocketOptions options;
    options.delivery = mas::msg::Delivery::at_least_once;
    mas::msg::Socket socket(io.get_executor(), options);
    try {
        co_await socket.bind(mas::Endpoint::unix_socket(path));
        mas::fuzz::Socket peer(io);
        peer.connect(asio::local::stream_protocol::endpoint(path));
        co_await mas::fuzz::write_then_finish(peer, std::move(bytes));
        // Ends when the socket drops the connection: the peer is gone, or broke the protocol.
        co_await mas::fuzz::drain(peer);
        while (socket.try_recv()) {
        }
    } catch (const mas::Error&) {
    }
    socket.close();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    decode_each(input);
    static const std::string path =
        (std::filesystem::temp_directory_path() / ("mas-fuzz-aiomsg-" + std::to_string(::getpid()) + ".sock")).string();
    asio::io_context io;
    asio::co_spawn(io, peer_session(io, path, std::string(input)), asio::detached);
    mas::fuzz::run_to_end(io);
    return 0;
}
