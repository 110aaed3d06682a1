#pragma once
/// \file
/// rpc::RemoteError: a remote function failed.

#include <string>

#include "mas/core/error.hpp"

namespace mas::rpc {

/// The remote function at `path()` raised an exception; `remote_traceback()` is the text the peer
/// sent (from a Python peer, its formatted traceback) and `summary()` its last line, e.g.
/// `ZeroDivisionError: boom!`. A mas::RemoteError, so code written for channels catches it too.
class RemoteError : public mas::RemoteError {
public:
    RemoteError(std::string origin, std::string remote_traceback, std::string path);
    /// The path that was called, e.g. `agents/0/spam`.
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

}  // namespace mas::rpc
