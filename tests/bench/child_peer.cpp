#include "child_peer.hpp"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <cerrno>
#include <stdexcept>

#include <fmt/format.h>

#include "mas/core/endpoint.hpp"

extern char** environ;

namespace mas::bench {
namespace {

constexpr int guard_ms = 30'000;  // hang guard for the child connecting, replying and exiting

// Waits until `fd` is readable (or closed); throws after guard_ms.
void wait_readable(int fd, const std::string& name, const char* what) {
    pollfd p{fd, POLLIN, 0};
    for (;;) {
        const int n = ::poll(&p, 1, guard_ms);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("poll");
        if (n == 0) throw std::runtime_error(fmt::format("{}: {} took over {} s", name, what, guard_ms / 1000));
        return;
    }
}

pid_t spawn_child(const std::string& self, std::string_view flag, std::uint16_t port,
                  const std::vector<std::string>& extra_args) {
    std::vector<std::string> args{self, std::string(flag), fmt::format("127.0.0.1:{}", port)};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    if (const int error = ::posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv.data(), environ); error != 0) {
        errno = error;
        throw_errno("posix_spawn " + self);
    }
    return pid;
}

int accept_child(int listener, const std::string& name) {
    wait_readable(listener, name, "waiting for the child to connect");
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) throw_errno("accept");
    set_no_delay(fd);
    // A hang guard on every blocking read of the driver, at no cost per call.
    const timeval guard{guard_ms / 1000, 0};
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard) != 0) throw_errno("setsockopt(SO_RCVTIMEO)");
    return fd;
}

}  // namespace

std::string excerpt(std::string_view text) {
    constexpr std::size_t limit = 300;
    return text.size() <= limit ? std::string(text) : std::string(text.substr(0, limit)) + "...";
}

ChildPeer::ChildPeer(std::string name, const std::string& self, std::string_view flag,
                     const std::vector<std::string>& extra_args)
    : name_(std::move(name)) {
    try {
        auto endpoint = Endpoint::tcp("127.0.0.1", 0);
        listener_ = listen_on(endpoint);
        child_ = spawn_child(self, flag, endpoint.port, extra_args);
        socket_ = accept_child(listener_, name_);
        close_fd(listener_);
    } catch (...) {
        shut_down();
        throw;
    }
}

ChildPeer::~ChildPeer() { shut_down(); }

void ChildPeer::send(const std::string& frames) { write_all(socket_, frames.data(), frames.size()); }

std::string_view ChildPeer::exchange(const std::string& request) {
    write_all(socket_, request.data(), request.size());
    for (;;) {
        if (const auto payload = reader_.next_frame()) {
            // The codec writes `[1, id, result]` for a success; anything else is reported as it came.
            if (payload->starts_with("[1,")) return *payload;
            throw std::runtime_error(name_ + " answered " + excerpt(*payload));
        }
        if (!reader_.fill(socket_)) throw std::runtime_error(name_ + " closed the connection");
    }
}

void ChildPeer::finish(const std::string& last_frame) {
    if (last_frame.empty()) {
        if (::shutdown(socket_, SHUT_WR) != 0) throw_errno("shutdown");
    } else {
        send(last_frame);
    }
    do {
        wait_readable(socket_, name_, "waiting for the child to close the connection");
    } while (reader_.fill(socket_));
    close_fd(socket_);
    int status = 0;
    while (::waitpid(child_, &status, 0) < 0) {
        if (errno != EINTR) throw_errno("waitpid");
    }
    child_ = -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error(fmt::format("{} ended with status {:#x}", name_, status));
    }
}

void ChildPeer::shut_down() noexcept {
    close_fd(socket_);
    close_fd(listener_);
    if (child_ > 0) {
        ::kill(child_, SIGTERM);
        int status = 0;
        while (::waitpid(child_, &status, 0) < 0 && errno == EINTR) {
        }
    }
    child_ = -1;
}

}  // namespace mas::bench
