#include "server_process.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <algorithm>
#include <charconv>
#include <cstring>
#include <chrono>
#include <fstream>
#include <random>

#include <asio/posix/stream_descriptor.hpp>
#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "mas/core/error.hpp"
#include "mas/core/with_timeout.hpp"

namespace mas::soak {
namespace {

constexpr auto ready_timeout = std::chrono::seconds(10);
// A port just given up may still be held for a moment (a server being torn down).
constexpr int start_attempts = 50;
constexpr auto retry_delay = std::chrono::milliseconds(100);

}  // namespace

ServerProcess::ServerProcess(asio::any_io_executor executor, std::string name, std::vector<std::string> argv)
    : executor_(std::move(executor)), name_(std::move(name)), argv_(std::move(argv)) {}

asio::awaitable<bool> ServerProcess::start_once(std::string& why) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw Error(fmt::format("{}: pipe: {}", name_, std::strerror(errno)));
    asio::posix::stream_descriptor ready_pipe(executor_, fds[0]);
    ProcessOptions options;
    options.executable = argv_.front();
    options.argv = argv_;
    options.argv.push_back("--port");
    options.argv.push_back(std::to_string(port_));
    options.stdout_fd = fds[1];
    try {
        process_ = std::make_unique<Process>(executor_, options);
    } catch (...) {
        ::close(fds[1]);
        throw;
    }
    ::close(fds[1]);  // the child's end: EOF here when it dies before it is ready
    std::string line;
    std::size_t length = 0;
    try {
        auto read = asio::async_read_until(ready_pipe, asio::dynamic_buffer(line), '\n', asio::use_awaitable);
        const auto what = name_ + " getting ready";
        length = co_await with_timeout(std::move(read), ready_timeout, what);
    } catch (const Error& e) {
        why = e.what();
    } catch (const asio::system_error& e) {
        why = e.code() == asio::error::eof ? "exited before it was ready" : e.what();
    }
    unsigned port = 0;
    const std::string_view text(line.data(), length);
    if (length > 0 && text.starts_with("ready ")) {
        const auto digits = text.substr(6, text.size() - 7);
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
        if (ec == std::errc() && end == digits.data() + digits.size() && port > 0 && port <= 65535) {
            port_ = static_cast<std::uint16_t>(port);
            co_return true;
        }
        why = fmt::format("said \"{}\"", text.substr(0, text.size() - 1));
    }
    process_->kill_and_reap();
    co_return false;
}

// A port below the range the kernel hands out to outgoing connections. A server's port taken from
// that range could, while the server is down, become the local port of some new connection, and
// the server could not come back on it for as long as that connection lasts.
std::uint16_t ServerProcess::fresh_port() {
    unsigned low = 32768;
    std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> low;
    const unsigned high = std::clamp(low, 2048U, 65535U);
    std::uniform_int_distribution<unsigned> port(std::max(1024U, high - 10'000), high - 1);
    return static_cast<std::uint16_t>(port(random_));
}

asio::awaitable<void> ServerProcess::start() {
    std::string why;
    const bool first = port_ == 0;
    for (int attempt = 1; attempt <= start_attempts; ++attempt) {
        // Until the first start succeeds, a port that is taken is given up for another one.
        if (first) port_ = fresh_port();
        if (co_await start_once(why)) co_return;
        asio::steady_timer pause(executor_, retry_delay);
        co_await pause.async_wait(asio::use_awaitable);
    }
    throw Error(fmt::format("{} did not start on port {} in {} attempts: {}", name_, port_, start_attempts, why));
}

asio::awaitable<void> ServerProcess::kill() {
    if (!process_) co_return;
    process_->signal(SIGKILL);
    const auto status = co_await process_->wait();
    // Anything but our SIGKILL means it had ended by itself before.
    if (status.exited || status.code != SIGKILL) unexpected_.push_back(fmt::format("{}: {}", name_, status.to_string()));
    process_.reset();
}

asio::awaitable<void> ServerProcess::kill_and_restart() {
    co_await kill();
    co_await start();
    ++restarts_;
}

asio::awaitable<void> ServerProcess::stop() { co_await kill(); }

}  // namespace mas::soak
