// A codec's decoders against bytes from the wire: a payload is either refused with mas::Error
// (ProtocolError, CodecError) or decoded; what is decoded encodes again, and that encoding reads
// back to itself. Built once per codec (MAS_FUZZ_CODEC: json, msgpack, msgpack-blosc).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mas/core/codec.hpp"
#include "mas/core/error.hpp"

namespace {

const auto codec = mas::make_codec(MAS_FUZZ_CODEC);
// A channel passes its frame limit; a small one here keeps a compressed bomb cheap.
constexpr std::size_t max_message = std::size_t{1} << 20;

void check_round_trip(const mas::Json& value) {
    std::string once;
    try {
        once = codec->encode(value);
    } catch (const mas::CodecError&) {
        return;  // valid input a codec cannot write back (bytes in JSON): refused, not broken
    }
    const auto again = codec->encode(codec->decode(once));
    if (again != once) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view payload(reinterpret_cast<const char*>(data), size);
    try {
        const auto message = codec->decode_message(payload, max_message);
        if (!message.problem) {
            std::string out;
            codec->encode_message(message.type, message.id, message.content, out);
            const auto back = codec->decode_message(out, max_message);
            if (back.type != message.type || back.id != message.id) std::abort();
            check_round_trip(message.content);
        }
    } catch (const mas::Error&) {
    }
    try {
        check_round_trip(codec->decode(payload));
    } catch (const mas::Error&) {
    }
    std::string problem;
    try {
        (void)codec->decode_lenient(payload, problem);
    } catch (const mas::Error&) {
    }
    return 0;
}
