#include "mas/rpc/remote_error.hpp"

namespace mas::rpc {

RemoteError::RemoteError(std::string origin, std::string remote_traceback, std::string path)
    : mas::RemoteError(std::move(origin), std::move(remote_traceback)), path_(std::move(path)) {}

}  // namespace mas::rpc
