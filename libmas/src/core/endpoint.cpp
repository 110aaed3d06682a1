#include "mas/core/endpoint.hpp"

#include <charconv>
#include <cstring>
#include <vector>

#include <arpa/inet.h>
#include <netdb.h>
#include <unistd.h>

#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas {
namespace {

[[noreturn]] void fail(std::string_view text, std::string_view why) {
    throw ConfigError(fmt::format("invalid endpoint \"{}\": {}", text, why));
}

Endpoint parse_host_port(std::string_view text, std::string_view rest) {
    std::string_view host;
    std::string_view port_text;
    if (rest.starts_with('[')) {
        auto close = rest.find(']');
        if (close == std::string_view::npos) fail(text, "missing ']' after IPv6 address");
        host = rest.substr(1, close - 1);
        rest.remove_prefix(close + 1);
        if (!rest.starts_with(':')) fail(text, "expected ':port' after ']'");
        port_text = rest.substr(1);
    } else {
        auto colon = rest.rfind(':');
        if (colon == std::string_view::npos) fail(text, "expected HOST:PORT");
        host = rest.substr(0, colon);
        if (host.find(':') != std::string_view::npos) {
            fail(text, "an IPv6 address must be written in brackets, e.g. [::1]:5555");
        }
        port_text = rest.substr(colon + 1);
    }
    if (host.empty()) fail(text, "empty host");
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535 ||
        port_text.empty()) {
        fail(text, "port must be a number from 0 to 65535");
    }
    return Endpoint::tcp(std::string(host), static_cast<std::uint16_t>(port));
}

}  // namespace

Endpoint Endpoint::parse(std::string_view text) {
    auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) return parse_host_port(text, text);
    auto scheme = text.substr(0, scheme_end);
    auto rest = text.substr(scheme_end + 3);
    if (scheme == "tcp") return parse_host_port(text, rest);
    if (scheme == "unix" || scheme == "ipc") {
        if (rest.empty()) fail(text, "empty socket path");
        return unix_socket(std::string(rest));
    }
    if (scheme == "local") {
        if (rest.empty()) fail(text, "empty queue name");
        return local(std::string(rest));
    }
    fail(text, fmt::format("unknown scheme \"{}\" (expected tcp, unix, ipc or local)", scheme));
}

std::string Endpoint::to_string() const {
    switch (kind) {
    case Kind::tcp:
        if (host.find(':') != std::string::npos) return fmt::format("tcp://[{}]:{}", host, port);
        return fmt::format("tcp://{}:{}", host, port);
    case Kind::unix_socket: return fmt::format("unix://{}", path);
    case Kind::local: return fmt::format("local://{}", path);
    }
    return {};
}

bool is_wildcard_host(std::string_view host) noexcept { return host.empty() || host == "0.0.0.0" || host == "::"; }

std::string fully_qualified_host_name() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) return "localhost";
    const std::string name = host;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host, nullptr, &hints, &found) != 0 || found == nullptr) return name;
    // Python looks up the first address in reverse, with its aliases.
    hostent entry{};
    hostent* result = nullptr;
    std::vector<char> buffer(16384);
    int error = 0;
    if (found->ai_family == AF_INET) {
        const auto& address = reinterpret_cast<const sockaddr_in*>(found->ai_addr)->sin_addr;
        ::gethostbyaddr_r(&address, sizeof address, AF_INET, &entry, buffer.data(), buffer.size(), &result, &error);
    } else if (found->ai_family == AF_INET6) {
        const auto& address = reinterpret_cast<const sockaddr_in6*>(found->ai_addr)->sin6_addr;
        ::gethostbyaddr_r(&address, sizeof address, AF_INET6, &entry, buffer.data(), buffer.size(), &result, &error);
    }
    ::freeaddrinfo(found);
    if (result == nullptr || result->h_name == nullptr) return name;
    if (std::strchr(result->h_name, '.') != nullptr) return result->h_name;
    for (char** alias = result->h_aliases; alias != nullptr && *alias != nullptr; ++alias) {
        if (std::strchr(*alias, '.') != nullptr) return *alias;
    }
    return result->h_name;
}

}  // namespace mas
