#pragma once
// Which local process is at the other end of an accepted loopback connection (Linux). On a
// shared machine, such as a cluster's login node, any local user can connect to a port on
// 127.0.0.1; the connect-back server of a `cmd` simulator takes only a connection from the
// process it started, found through the kernel's socket tables, since the mosaik protocol itself
// has nothing to authenticate with.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include <asio/ip/address.hpp>

namespace mas::mosaik::detail {

/// The inode of the local TCP socket whose own end is `address`:`port` and whose other end is
/// on port `remote_port` (from /proc/net/tcp and /proc/net/tcp6), if there is one.
std::optional<std::uint64_t> tcp_socket_inode(const asio::ip::address& address, std::uint16_t port,
                                              std::uint16_t remote_port);

/// The process, among `root` and its descendants, that has socket `inode` open, if any.
std::optional<pid_t> socket_holder_in_tree(pid_t root, std::uint64_t inode);

/// Whether the connection from `peer` ("host:port" or "[v6]:port", as channels name their peer)
/// to this process's server on `server_port` comes from `root` or one of its descendants.
/// Anything that cannot be read or parsed counts as "no". `why` says what was found otherwise.
bool connection_from_tree(const std::string& peer, std::uint16_t server_port, pid_t root, std::string& why);

}  // namespace mas::mosaik::detail
