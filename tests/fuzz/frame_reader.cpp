// The frame reader against a plain reading of the same bytes: the stream arrives in reads of
// sizes the input chooses (so headers and payloads are split anywhere), and every frame, an
// over-long length and the unfinished rest must come out as the plain reading finds them.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "channel/frame_buffer.hpp"
#include "mas/channel/frame.hpp"

namespace {

struct Reading {
    std::vector<std::string> frames;
    std::optional<std::uint32_t> too_large;
    std::size_t unfinished = 0;
    bool operator==(const Reading&) const = default;
};

Reading plain(std::string_view stream, std::size_t max_size) {
    Reading out;
    while (stream.size() >= mas::frame_header_size) {
        const auto length = mas::read_frame_length(stream.data());
        if (length > max_size) {
            out.too_large = length;
            return out;
        }
        if (stream.size() - mas::frame_header_size < length) break;
        out.frames.emplace_back(stream.substr(mas::frame_header_size, length));
        stream.remove_prefix(mas::frame_header_size + length);
    }
    out.unfinished = stream.size();
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    // Small limits too, so that the over-long path is reached with small inputs.
    const std::size_t max_size = data[0] < 128 ? std::size_t{data[0]} * 4 : std::size_t{1} << 20;
    const std::uint8_t read_pattern = data[1];
    const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);

    mas::detail::FrameBuffer buffer;
    Reading got;
    std::size_t offset = 0;
    unsigned step = 0;
    while (offset < stream.size() && !got.too_large) {
        const auto space = buffer.space();
        // Reads of 1 to 16 bytes, or as much as fits, as the pattern's bits say.
        const bool whole = ((read_pattern >> (step % 8)) & 1) != 0;
        std::size_t n = whole ? space.size() : 1 + (step * 7 + read_pattern) % 16;
        n = std::min({n, space.size(), stream.size() - offset});
        std::memcpy(space.data(), stream.data() + offset, n);
        buffer.commit(n);
        offset += n;
        ++step;
        while (auto payload = buffer.next(max_size, got.too_large)) got.frames.emplace_back(*payload);
        if (!got.too_large) buffer.compact();
    }
    if (!got.too_large) got.unfinished = buffer.partial();
    const auto expected = plain(stream, max_size);
    if (got.too_large) {
        // Reading stops at the over-long header; what came before it must match.
        if (!expected.too_large || *got.too_large != *expected.too_large || got.frames != expected.frames) std::abort();
        return 0;
    }
    if (!(got == expected)) std::abort();
    return 0;
}
