#pragma once
// Recorded aiomas conversations as scripts: a raw peer plays one side of a transcript against a
// libmas peer, writing its own recorded frames and reading and checking the other side's.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <asio/awaitable.hpp>

#include "mas/core/codec.hpp"
#include "mas/core/json.hpp"
#include "support/raw_peer.hpp"

namespace mas::test {

/// One recorded frame of a transcript.
struct RecordedFrame {
    RecordedFrame() noexcept {}
    int seq = 0;
    bool from_client = false;  ///< "c->s"
    std::uint32_t length = 0;
    std::string raw;
};

/// All frames of `name` (a file in the aiomas transcript directory), in seq order.
std::vector<RecordedFrame> read_frames(std::string_view name);

/// What the raw peer saw of the libmas side: the frames it read, paired with the recorded ones.
struct ScriptResult {
    ScriptResult() noexcept {}
    std::vector<std::pair<RecordedFrame, std::string>> compared;  ///< recorded frame, payload read
};

/// Plays the side of `frames` that is `client` (true: the c->s frames) on `peer`: writes that
/// side's frames as recorded and reads one frame for each frame of the other side.
asio::awaitable<ScriptResult> play(RawPeer& peer, const std::vector<RecordedFrame>& frames, bool client);

/// Checks a read frame against the recorded one: byte for byte, except for failure replies,
/// whose traceback is environment-specific; there type, id and the last line are compared,
/// or, if `lookup_only` holds for that seq, only that the last line is a LookupError.
/// The recorded frames are read with `codec` (null: JSON).
void check_frames(const ScriptResult& result, const std::function<bool(int seq)>& lookup_only = {},
                  const Codec* codec = nullptr);

/// The bytes written as `hex` (two lowercase digits each).
std::string from_hex(std::string_view hex);

/// The last non-empty line of a failure text, e.g. `ValueError: nope`.
std::string last_line(std::string_view text);

}  // namespace mas::test
