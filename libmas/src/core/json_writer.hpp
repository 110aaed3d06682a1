#pragma once
// Private to libmas: the text writer behind JsonCodec::encode_to.

#include <string>

#include "mas/core/json.hpp"
#include "mas/core/json_codec.hpp"

namespace mas::detail {

/// Appends the JSON text of `value` to `out` in `codec.style()`, numbering custom values by
/// `codec.type_id`. Throws mas::CodecError for an unregistered custom type or a string that is
/// not valid UTF-8; `out` then holds a partial text.
void write_json(const Json& value, const JsonCodec& codec, std::string& out);

/// Appends Python's `repr(d)` as json.dumps writes it (`2.0`, `1e+20`, `NaN`, `-Infinity`).
void write_python_float(double d, std::string& out);

}  // namespace mas::detail
