#pragma once
// The codec benchmarks: what JsonCodec costs for one small frame, `[0, 0, ["add", [1, 2], {}]]`,
// and the same for every codec, with 1 MiB of floats as a large message.

#include "mas/core/codec.hpp"

namespace mas::bench {

/// Nanoseconds per operation, each the median over several timed batches.
struct JsonTimings {
    double encode_decode_ns = 0;  ///< encode to text, then decode that text
    double encode_ns = 0;
    double decode_ns = 0;
};

/// Times JsonCodec (Python style, as channels use by default) on the small frame.
JsonTimings measure_json();

/// What one codec costs, measured as the JSON figure is: encode into a reused buffer, then
/// decode what was written.
struct CodecTimings {
    double frame_encode_decode_ns = 0;  ///< the small frame, median ns per round trip
    double mib_encode_decode_ms = 0;    ///< a 1 MiB array of floats (131,072), median ms per round trip
};

/// Times `codec` on the small frame and on 1 MiB of floats.
CodecTimings measure_codec(const Codec& codec);

}  // namespace mas::bench
