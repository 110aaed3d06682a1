#pragma once
// The JSON benchmark: what JsonCodec costs for one small frame, `[0, 0, ["add", [1, 2], {}]]`.

namespace mas::bench {

/// Nanoseconds per operation, each the median over several timed batches.
struct JsonTimings {
    double encode_decode_ns = 0;  ///< encode to text, then decode that text
    double encode_ns = 0;
    double decode_ns = 0;
};

/// Times JsonCodec (Python style, as channels use by default) on the small frame.
JsonTimings measure_json();

}  // namespace mas::bench
