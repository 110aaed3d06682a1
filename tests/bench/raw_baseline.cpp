#include "raw_baseline.hpp"

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
#include <vector>

#include <spdlog/spdlog.h>

#include "mas/channel/frame.hpp"
#include "workload.hpp"

namespace mas::bench {
namespace {

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), "raw baseline: " + what);
}

void close_fd(int& fd) noexcept {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

void set_no_delay(int fd) {
    const int on = 1;
    if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0) throw_errno("setsockopt(TCP_NODELAY)");
}

// The address of `endpoint`; for TCP only IPv4 literals, which is all a loopback benchmark needs.
std::vector<char> socket_address(const Endpoint& endpoint) {
    if (endpoint.kind == Endpoint::Kind::tcp) {
        sockaddr_in in{};
        in.sin_family = AF_INET;
        in.sin_port = htons(endpoint.port);
        if (::inet_pton(AF_INET, endpoint.host.c_str(), &in.sin_addr) != 1) {
            throw std::invalid_argument("raw baseline: not an IPv4 address: " + endpoint.host);
        }
        const auto* bytes = reinterpret_cast<const char*>(&in);
        return {bytes, bytes + sizeof in};
    }
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    if (endpoint.path.size() >= sizeof un.sun_path) {
        throw std::invalid_argument("raw baseline: Unix socket path too long: " + endpoint.path);
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

// Listens on `endpoint` and fills in the port the system chose.
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

}  // namespace

// Buffers what arrives on a socket and splits it into frames by their length header, the way any
// reasonable blocking implementation would: one recv() per batch of frames, not per frame.
class RawFrameReader {
public:
    // Reads what the socket has (blocking for at least one byte); false on end of stream.
    bool fill(int fd) {
        if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
        for (;;) {
            const auto n = ::recv(fd, buffer_.data() + end_, buffer_.size() - end_, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw_errno("recv");
            end_ += static_cast<std::size_t>(n);
            return n > 0;
        }
    }

    // Removes the complete frames from the buffer and returns how many there were.
    std::size_t take_frames() {
        std::size_t count = 0;
        while (end_ - begin_ >= frame_header_size) {
            const auto length = frame_header_size + read_frame_length(buffer_.data() + begin_);
            if (end_ - begin_ < length) break;
            begin_ += length;
            ++count;
        }
        std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
        return count;
    }

private:
    std::vector<char> buffer_ = std::vector<char>(64 * 1024);
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

namespace {

// The server thread: one connection; every request frame is answered with `reply`, and the
// replies to one batch of requests go out in one send().
void serve(int listener, bool tcp, const std::string& reply) noexcept {
    int fd = -1;
    try {
        fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) return;  // the listener was shut down because the client never connected
        if (tcp) set_no_delay(fd);
        RawFrameReader reader;
        std::string out;
        while (reader.fill(fd)) {
            out.clear();
            for (auto n = reader.take_frames(); n > 0; --n) out += reply;
            write_all(fd, out.data(), out.size());
        }
    } catch (const std::exception& e) {
        spdlog::error("raw baseline server: {}", e.what());
    }
    close_fd(fd);
}

}  // namespace

RawBench::RawBench(const Endpoint& endpoint)
    : request_(add_request_frame()), reader_(std::make_unique<RawFrameReader>()) {
    auto address = endpoint;
    listener_ = listen_on(address);
    server_ = std::thread(serve, listener_, address.kind == Endpoint::Kind::tcp, add_reply_frame());
    try {
        client_ = connect_to(address);
    } catch (...) {
        ::shutdown(listener_, SHUT_RDWR);  // wakes the server thread's accept()
        server_.join();
        close_fd(listener_);
        throw;
    }
}

RawBench::~RawBench() {
    close_fd(client_);  // the server thread sees end of stream and returns
    ::shutdown(listener_, SHUT_RDWR);
    server_.join();
    close_fd(listener_);
}

std::size_t RawBench::read_replies() {
    for (;;) {
        if (const auto n = reader_->take_frames(); n > 0) return n;
        if (!reader_->fill(client_)) throw std::runtime_error("raw baseline: the server closed the connection");
    }
}

Latency RawBench::sequential(std::size_t warmup, std::size_t iterations) {
    for (std::size_t i = 0; i < warmup; ++i) {
        write_all(client_, request_.data(), request_.size());
        read_replies();
    }
    std::vector<Clock::duration> samples;
    samples.reserve(iterations);
    for (std::size_t i = 0; i < iterations; ++i) {
        const auto start = Clock::now();
        write_all(client_, request_.data(), request_.size());
        read_replies();
        samples.push_back(Clock::now() - start);
    }
    return summarize(std::move(samples));
}

double RawBench::pipelined(std::size_t in_flight, const ThroughputPhases& phases) {
    std::string batch;
    for (std::size_t i = 0; i < in_flight; ++i) batch += request_;
    ThroughputWindow window(phases);
    write_all(client_, batch.data(), batch.size());
    auto outstanding = in_flight;
    bool sending = true;
    while (outstanding > 0) {
        const auto done = read_replies();
        outstanding -= done;
        std::size_t again = 0;
        for (std::size_t i = 0; i < done; ++i) {
            sending = window.record() && sending;
            again += sending ? 1 : 0;
        }
        // Each completed request is replaced at once, so `in_flight` stay outstanding.
        write_all(client_, batch.data(), again * request_.size());
        outstanding += again;
    }
    return window.per_second();
}

}  // namespace mas::bench
