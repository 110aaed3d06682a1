#pragma once
// The message every benchmark exchanges: an aiomas-style call `["add", [1, 2], {}]` answered
// with 3. The raw baseline sends exactly the bytes libmas puts on the wire for it.

#include <string>

#include "mas/core/json.hpp"

namespace mas::bench {

/// The request content, `["add", [1, 2], {}]`.
Json add_request();

/// The whole request as libmas frames it (header and `[0, 0, ["add", [1, 2], {}]]`).
std::string add_request_frame();

/// The whole reply as libmas frames it (header and `[1, 0, 3]`).
std::string add_reply_frame();

/// What the libmas benchmark server answers: the sum of the two arguments.
Json add_result(const Json& request);

}  // namespace mas::bench
