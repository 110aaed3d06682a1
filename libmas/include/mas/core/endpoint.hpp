#pragma once
/// \file
/// Endpoint: where a channel connects or a server listens.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace mas {

/// An address: TCP host and port, a Unix domain socket path, or an in-process LocalQueue name.
/// Parsed from and printed as `tcp://host:port` (also plain `host:port`, and `[::1]:port` for
/// IPv6), `unix:///path` (also `ipc://path`), or `local://name`.
struct Endpoint {
    enum class Kind { tcp, unix_socket, local };

    // User-provided on purpose: g++ 12.2 destroys brace-initialised aggregate temporaries twice
    // inside co_await expressions, and endpoints are passed exactly there.
    Endpoint() noexcept {}
    Endpoint(Kind kind, std::string host, std::uint16_t port, std::string path)
        : kind(kind), host(std::move(host)), port(port), path(std::move(path)) {}

    Kind kind = Kind::tcp;
    std::string host;        ///< tcp: host name or IP address literal (no brackets)
    std::uint16_t port = 0;  ///< tcp: port; 0 for a server means "pick a free one"
    std::string path;        ///< unix: socket path; local: queue name

    static Endpoint tcp(std::string host, std::uint16_t port) {
        return {Kind::tcp, std::move(host), port, {}};
    }
    static Endpoint unix_socket(std::string path) { return {Kind::unix_socket, {}, 0, std::move(path)}; }
    static Endpoint local(std::string name) { return {Kind::local, {}, 0, std::move(name)}; }

    /// Parses the forms above; throws mas::ConfigError with the text and the problem.
    static Endpoint parse(std::string_view text);

    /// The canonical text (`tcp://127.0.0.1:5555`, `tcp://[::1]:5555`, `unix:///tmp/s`,
    /// `local://name`).
    [[nodiscard]] std::string to_string() const;

    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

/// Whether `host` stands for every interface of the machine (`0.0.0.0`, `::`, or empty): a
/// server bound there is reached under the machine's name, not under this host.
[[nodiscard]] bool is_wildcard_host(std::string_view host) noexcept;

/// The machine's fully qualified name as Python's `socket.getfqdn()` finds it: the host name,
/// resolved and looked up in reverse; the first of the names found that contains a dot, else the
/// primary one, else the plain host name. Blocks on name resolution.
[[nodiscard]] std::string fully_qualified_host_name();

}  // namespace mas
