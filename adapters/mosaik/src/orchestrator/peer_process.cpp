#include "orchestrator/peer_process.hpp"

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "mas/core/endpoint.hpp"
#include "mas/core/error.hpp"

namespace mas::mosaik::detail {
namespace {

namespace fs = std::filesystem;

// A hexadecimal field of the kernel's tables, exactly `digits` long.
template <class Number>
std::optional<Number> hex_field(std::string_view text, std::size_t digits) {
    Number value = 0;
    if (text.size() != digits) return std::nullopt;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// An address as the kernel prints it: the bytes of the in_addr (or each 32-bit word of the
// in6_addr) as a number in the machine's byte order, in hexadecimal.
std::optional<asio::ip::address> kernel_address(std::string_view hex) {
    if (hex.size() == 8) {
        const auto word = hex_field<std::uint32_t>(hex, 8);
        if (!word) return std::nullopt;
        asio::ip::address_v4::bytes_type bytes;
        std::memcpy(bytes.data(), &*word, 4);
        return asio::ip::address_v4(bytes);
    }
    if (hex.size() == 32) {
        asio::ip::address_v6::bytes_type bytes;
        for (std::size_t w = 0; w < 4; ++w) {
            const auto word = hex_field<std::uint32_t>(hex.substr(w * 8, 8), 8);
            if (!word) return std::nullopt;
            std::memcpy(bytes.data() + w * 4, &*word, 4);
        }
        return asio::ip::address_v6(bytes);
    }
    return std::nullopt;
}

struct KernelEnd {
    asio::ip::address address;
    std::uint16_t port;
};

std::optional<KernelEnd> kernel_end(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto address = kernel_address(text.substr(0, colon));
    const auto port = hex_field<std::uint16_t>(text.substr(colon + 1), 4);
    if (!address || !port) return std::nullopt;
    return KernelEnd{*address, *port};
}

// The same address whether it comes as IPv4 or as IPv4 mapped into IPv6.
asio::ip::address plain(const asio::ip::address& address) {
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    }
    return address;
}

std::optional<pid_t> parent_of(const fs::path& stat_file) {
    std::ifstream in(stat_file);
    std::string text;
    if (!std::getline(in, text)) return std::nullopt;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
    const auto close = text.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream rest(text.substr(close + 1));
    std::string state;
    pid_t ppid = 0;
    if (!(rest >> state >> ppid)) return std::nullopt;
    return ppid;
}

bool holds_socket(pid_t pid, const std::string& link) {
    std::error_code ec;
    for (fs::directory_iterator it(fs::path("/proc") / std::to_string(pid) / "fd", ec), end; !ec && it != end;
         it.increment(ec)) {
        std::error_code read_error;
        if (fs::read_symlink(it->path(), read_error).native() == link) return true;
    }
    return false;
}

}  // namespace

std::optional<std::uint64_t> tcp_socket_inode(const asio::ip::address& address, std::uint16_t port,
                                              std::uint16_t remote_port) {
    const auto wanted = plain(address);
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(table);
        std::string line;
        std::getline(in, line);  // the heading
        while (std::getline(in, line)) {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
            std::istringstream fields(line);
            std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
            if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >>
                  inode)) {
                continue;
            }
            const auto own = kernel_end(local);
            const auto other = kernel_end(remote);
            if (!own || !other || own->port != port || other->port != remote_port || plain(own->address) != wanted) {
                continue;
            }
            char* end = nullptr;
            const auto number = std::strtoull(inode.c_str(), &end, 10);
            if (end != inode.c_str() && *end == '\0' && number != 0) return number;
        }
    }
    return std::nullopt;
}

std::optional<pid_t> socket_holder_in_tree(pid_t root, std::uint64_t inode) {
    // The process tree from each process's parent: root's descendants, root first.
    std::multimap<pid_t, pid_t> children;
    std::error_code ec;
    for (fs::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        if (const auto parent = parent_of(it->path() / "stat")) children.emplace(*parent, std::stoi(name));
    }
    const auto link = fmt::format("socket:[{}]", inode);
    std::vector<pid_t> pending{root};
    while (!pending.empty()) {
        const auto pid = pending.back();
        pending.pop_back();
        if (holds_socket(pid, link)) return pid;
        const auto [first, last] = children.equal_range(pid);
        for (auto child = first; child != last; ++child) pending.push_back(child->second);
    }
    return std::nullopt;
}

bool connection_from_tree(const std::string& peer, std::uint16_t server_port, pid_t root, std::string& why) {
    std::error_code ec;
    asio::ip::address address;
    std::uint16_t port = 0;
    try {
        const auto endpoint = Endpoint::parse(peer);
        address = asio::ip::make_address(endpoint.host, ec);
        port = endpoint.port;
    } catch (const ConfigError&) {
        ec = std::make_error_code(std::errc::invalid_argument);
    }
    if (ec || port == 0) {
        why = "its address cannot be read";
        return false;
    }
    const auto inode = tcp_socket_inode(address, port, server_port);
    if (!inode) {
        why = "no local socket of this machine is its other end (it comes from another machine or namespace)";
        return false;
    }
    if (socket_holder_in_tree(root, *inode)) return true;
    why = fmt::format("it comes from a process that mas-run did not start (socket inode {})", *inode);
    return false;
}

}  // namespace mas::mosaik::detail
