#include "transcript.hpp"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "mas/core/json_codec.hpp"

namespace mas::test {

std::string from_hex(std::string_view hex) {
    REQUIRE(hex.size() % 2 == 0);
    std::string bytes;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        bytes.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    }
    return bytes;
}

std::vector<RecordedFrame> read_frames(std::string_view name) {
    const auto path = std::filesystem::path(MAS_CONFORMANCE_DIR) / "aiomas" / name;
    std::ifstream in(path);
    REQUIRE(in);
    const JsonCodec codec;
    std::vector<RecordedFrame> frames;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::string problem;
        const Json entry = codec.decode_lenient(line, problem);
        RecordedFrame frame;
        frame.seq = entry["seq"].get<int>();
        frame.from_client = entry["dir"].as_string() == "c->s";
        frame.length = entry["len"].get<std::uint32_t>();
        // MsgPack transcripts hold their bytes in hex.
        frame.raw = entry.contains("raw_hex") ? from_hex(entry["raw_hex"].as_string()) : entry["raw"].as_string();
        REQUIRE(frame.length == frame.raw.size());
        frames.push_back(std::move(frame));
    }
    REQUIRE_FALSE(frames.empty());
    return frames;
}

asio::awaitable<ScriptResult> play(RawPeer& peer, const std::vector<RecordedFrame>& frames, bool client) {
    ScriptResult result;
    for (const auto& frame : frames) {
        if (frame.from_client == client) {
            const auto bytes = raw_header(frame.length) + frame.raw;
            co_await peer.write(bytes);
        } else {
            auto got = co_await peer.read_frame();
            CHECK(got.length == got.payload.size());
            result.compared.emplace_back(frame, std::move(got.payload));
        }
    }
    co_return result;
}

std::string last_line(std::string_view text) {
    const auto last = text.find_last_not_of('\n');
    if (last == std::string_view::npos) return {};
    const auto newline = text.rfind('\n', last);
    const auto first = newline == std::string_view::npos ? 0 : newline + 1;
    return std::string(text.substr(first, last + 1 - first));
}

void check_frames(const ScriptResult& result, const std::function<bool(int seq)>& lookup_only, const Codec* with) {
    const JsonCodec json;
    const Codec& codec = with ? *with : json;
    for (const auto& [recorded, payload] : result.compared) {
        CAPTURE(recorded.seq, recorded.raw, payload);
        // Lenient: `__type__` ids are not registered with this plain codec, and only the
        // message type, id and failure text are read from the decoded value.
        std::string problem;
        const Json theirs = codec.decode_lenient(recorded.raw, problem);
        if (theirs[0] != Json(2)) {
            CHECK(payload == recorded.raw);
            continue;
        }
        const Json ours = codec.decode_lenient(payload, problem);
        CHECK(ours[0] == Json(2));
        CHECK(ours[1] == theirs[1]);
        REQUIRE(ours[2].is_string());
        if (lookup_only && lookup_only(recorded.seq)) {
            CHECK(last_line(ours[2].as_string()).starts_with("LookupError: "));
        } else {
            CHECK(last_line(ours[2].as_string()) == last_line(theirs[2].as_string()));
        }
    }
}

}  // namespace mas::test
