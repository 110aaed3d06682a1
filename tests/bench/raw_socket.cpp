#include "raw_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "mas/channel/frame.hpp"

namespace mas::bench {
namespace {

// The address of `endpoint`; for TCP only IPv4 literals, which is all a loopback benchmark needs.
std::vector<char> socket_address(const Endpoint& endpoint) {
    if (endpoint.kind == Endpoint::Kind::tcp) {
        sockaddr_in in{};
        in.sin_family = AF_INET;
        in.sin_port = htons(endpoint.port);
        if (::inet_pton(AF_INET, endpoint.host.c_str(), &in.sin_addr) != 1) {
            throw std::invalid_argument("raw socket: not an IPv4 address: " + endpoint.host);
        }
        const auto* bytes = reinterpret_cast<const char*>(&in);
        return {bytes, bytes + sizeof in};
    }
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    if (endpoint.path.size() >= sizeof un.sun_path) {
        throw std::invalid_argument("raw socket: Unix socket path too long: " + endpoint.path);
    }
    std::memcpy(un.sun_path, endpoint.path.c_str(), endpoint.path.size() + 1);
    const auto* bytes = reinterpret_cast<const char*>(&un);
    return {bytes, bytes + sizeof un};
}

int open_socket(const Endpoint& endpoint) {
    const int family = endpoint.kind == Endpoint::Kind::tcp ? AF_INET : AF_UNIX;
    const int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw_errno("socket");
    return fd;
}

}  // namespace

void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), "raw socket: " + what);
}

void close_fd(int& fd) noexcept {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

void set_no_delay(int fd) {
    const int on = 1;
    if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0) throw_errno("setsockopt(TCP_NODELAY)");
}

int listen_on(Endpoint& endpoint) {
    int fd = open_socket(endpoint);
    try {
        if (endpoint.kind == Endpoint::Kind::unix_socket) ::unlink(endpoint.path.c_str());
        const auto address = socket_address(endpoint);
        const auto* raw = reinterpret_cast<const sockaddr*>(address.data());
        if (::bind(fd, raw, static_cast<socklen_t>(address.size())) != 0) {
            throw_errno("bind " + endpoint.to_string());
        }
        if (::listen(fd, 16) != 0) throw_errno("listen");
        if (endpoint.kind == Endpoint::Kind::tcp) {
            sockaddr_in bound{};
            socklen_t length = sizeof bound;
            if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) != 0) throw_errno("getsockname");
            endpoint.port = ntohs(bound.sin_port);
        }
    } catch (...) {
        close_fd(fd);
        throw;
    }
    return fd;
}

int connect_to(const Endpoint& endpoint) {
    int fd = open_socket(endpoint);
    const auto address = socket_address(endpoint);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(address.data()), static_cast<socklen_t>(address.size())) != 0) {
        const int error = errno;
        close_fd(fd);
        errno = error;
        throw_errno("connect " + endpoint.to_string());
    }
    if (endpoint.kind == Endpoint::Kind::tcp) set_no_delay(fd);
    return fd;
}

void write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const auto n = ::send(fd, data, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("send");
        data += n;
        size -= static_cast<std::size_t>(n);
    }
}

bool RawFrameReader::fill(int fd) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
    for (;;) {
        const auto n = ::recv(fd, buffer_.data() + end_, buffer_.size() - end_, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("recv");
        end_ += static_cast<std::size_t>(n);
        return n > 0;
    }
}

std::size_t RawFrameReader::complete_frame_size() const noexcept {
    if (end_ - begin_ < frame_header_size) return 0;
    const auto size = frame_header_size + read_frame_length(buffer_.data() + begin_);
    return end_ - begin_ >= size ? size : 0;
}

std::size_t RawFrameReader::take_frames() {
    std::size_t count = 0;
    while (const auto size = complete_frame_size()) {
        begin_ += size;
        ++count;
    }
    return count;
}

std::optional<std::string_view> RawFrameReader::next_frame() {
    const auto size = complete_frame_size();
    if (size == 0) return std::nullopt;
    const std::string_view payload(buffer_.data() + begin_ + frame_header_size, size - frame_header_size);
    begin_ += size;
    return payload;
}

}  // namespace mas::bench
