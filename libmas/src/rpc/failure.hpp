#pragma once
// The failure reply text of an RPC call, in aiomas' shape: a traceback-like text whose last line
// is `ExcType: message`, the part aiomas peers show and match on.

#include <exception>
#include <string>

#include "mas/core/error.hpp"

namespace mas::rpc::detail {

/// A request whose content is not `[path, args, kwargs]` (reported as Python's ValueError).
class ShapeError : public Error {
public:
    using Error::Error;
};

/// The failure text for `error`, raised while serving `path`. Lookup and argument errors use
/// Python's names (LookupError, TypeError), other exceptions their demangled C++ type name.
std::string failure_reply_text(const std::string& path, std::exception_ptr error);

}  // namespace mas::rpc::detail
