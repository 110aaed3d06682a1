#include "agent/child_process.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "mas/core/error.hpp"

namespace mas::agent::detail {
namespace {

using asio::experimental::as_tuple;

constexpr std::size_t max_line = 64 * 1024;

/// A file descriptor closed on every path out unless released.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) noexcept : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    [[nodiscard]] int get() const noexcept { return fd_; }
    int release() noexcept { return std::exchange(fd_, -1); }
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

/// A pipe whose both ends are close-on-exec: only the ends dup2'ed into a child survive exec.
struct Pipe {
    Pipe() {
        std::array<int, 2> fds{-1, -1};
        if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
            throw ConnectionError("cannot create a pipe for a subprocess container",
                                  std::error_code(errno, std::generic_category()));
        }
        read.reset(fds[0]);
        write.reset(fds[1]);
    }
    Fd read;
    Fd write;
};

}  // namespace

ChildProcess::ChildProcess(const asio::any_io_executor& executor, const std::string& executable,
                           const std::vector<std::string>& args)
    : out_(executor) {
    Pipe out;
    Pipe in;
    ProcessOptions options;
    options.executable = executable;
    options.argv.push_back(executable);
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.stdin_fd = in.read.get();
    options.stdout_fd = out.write.get();
    try {
        process_.emplace(executor, options);
    } catch (const ProcessError& e) {
        // e.what() names the program and the reason.
        throw ConnectionError(fmt::format("subprocess container: {}", e.what()), e.code());
    }
    in.read.reset();
    out.write.reset();
    lifeline_ = in.write.release();
    std::error_code error;
    out_.assign(out.read.get(), error);
    if (error) {
        kill_and_reap();
        close();
        throw ConnectionError(fmt::format("cannot watch the stdout of subprocess container \"{}\": {}", executable,
                                          error.message()),
                              error);
    }
    (void)out.read.release();
}

ChildProcess::~ChildProcess() {
    kill_and_reap();
    close();
}

asio::awaitable<std::optional<std::string>> ChildProcess::read_line() {
    std::array<char, 4096> chunk{};
    for (;;) {
        if (const auto newline = buffer_.find('\n'); newline != std::string::npos) {
            std::string line = buffer_.substr(0, newline);
            buffer_.erase(0, newline + 1);
            co_return line;
        }
        if (buffer_.size() >= max_line || (!out_.is_open() && !buffer_.empty())) {
            co_return std::exchange(buffer_, std::string());
        }
        if (!out_.is_open()) co_return std::nullopt;
        auto [ec, n] = co_await out_.async_read_some(asio::buffer(chunk), as_tuple(asio::use_awaitable));
        buffer_.append(chunk.data(), n);
        if (ec == asio::error::operation_aborted) throw asio::system_error(ec);
        if (ec) {
            std::error_code ignored;
            out_.close(ignored);  // end of file, or an error that ends the stream as well
        }
    }
}

asio::awaitable<ExitStatus> ChildProcess::wait() { co_return co_await process_->wait(); }

void ChildProcess::signal(int signal) noexcept { process_->signal(signal); }

void ChildProcess::kill_and_reap() noexcept { process_->kill_and_reap(); }

void ChildProcess::close() noexcept {
    std::error_code ignored;
    out_.close(ignored);
    process_->close();
    if (lifeline_ >= 0) ::close(lifeline_);
    lifeline_ = -1;
}

}  // namespace mas::agent::detail
