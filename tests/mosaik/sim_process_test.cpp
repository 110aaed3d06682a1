// SimProcess: a simulator's child process is started as configured and always reaped.
#include "mas/mosaik/orchestrator/sim_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "mas/core/error.hpp"
#include "support/run.hpp"

using namespace mas;
using namespace std::chrono_literals;
using mosaik::ProcessSpec;
using mosaik::SimProcess;

namespace {

// True if `pid` is no child of ours any more: it has been reaped (no zombie left).
bool reaped(pid_t pid) { return ::waitpid(pid, nullptr, WNOHANG) == -1 && errno == ECHILD; }

const int guard_ms = static_cast<int>(std::chrono::milliseconds(test::hang_guard).count());

ProcessSpec shell(const std::string& script, std::vector<std::string> args = {}) {
    ProcessSpec spec;
    spec.argv = {"sh", "-c", script};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    return spec;
}

/// A FIFO in a fresh temporary directory, its read end open without blocking.
struct Fifo {
    Fifo() {
        auto dir = std::filesystem::temp_directory_path() / ("mas-sim-process-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        path = (dir / "pid").string();
        std::filesystem::remove(path);
        REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
        fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
        REQUIRE(fd >= 0);
    }
    ~Fifo() {
        ::close(fd);
        std::error_code ignored;
        std::filesystem::remove_all(std::filesystem::path(path).parent_path(), ignored);
    }
    /// The first line a writer sends (waits for it with the hang guard).
    std::string read_line() const {
        pollfd ready{fd, POLLIN, 0};
        REQUIRE(::poll(&ready, 1, guard_ms) == 1);
        std::string out(64, '\0');
        const auto n = ::read(fd, out.data(), out.size());
        REQUIRE(n > 0);
        out.resize(static_cast<std::size_t>(n));
        return out.substr(0, out.find('\n'));
    }
    std::string path;
    int fd = -1;
};

}  // namespace

TEST_CASE("A simulator process runs in its cwd with the merged environment and is reaped by wait", "[mosaik]") {
    asio::io_context io;
    auto spec = shell(R"sh(test "$(pwd -P)" = "$(cd "$0" && pwd -P)" && test "$MAS_SIM_X" = "x y" && test -n "$PATH" &&
                         read line; test -z "$line" && exit 7)sh",
                      {std::filesystem::temp_directory_path().string()});
    spec.cwd = std::filesystem::temp_directory_path().string();
    spec.env["MAS_SIM_X"] = "x y";
    SimProcess process(io.get_executor(), spec);
    const auto pid = process.pid();
    CHECK(pid > 0);
    const auto status = test::run(io, process.wait());
    CHECK(status == agent::ExitStatus(true, 7));  // stdin is /dev/null: `read` found nothing
    CHECK(process.exit_status() == status);
    CHECK(reaped(pid));
}

TEST_CASE("stop kills a simulator process that does not exit, with everything it started", "[mosaik]") {
    asio::io_context io;
    Fifo fifo;
    SimProcess process(io.get_executor(), shell(R"(sleep 30 & echo $! > "$0"; wait)", {fifo.path}));
    const auto pid = process.pid();
    const auto grandchild = std::stoi(fifo.read_line());
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, grandchild, 0));
    REQUIRE(pidfd >= 0);
    const auto status = test::run(io, process.stop(50ms));
    CHECK(status == agent::ExitStatus(false, SIGKILL));
    CHECK(reaped(pid));
    pollfd exited{pidfd, POLLIN, 0};
    CHECK(::poll(&exited, 1, guard_ms) == 1);  // the grandchild was killed with the group
    ::close(pidfd);
}

TEST_CASE("A simulator process still running when its SimProcess goes away is killed and reaped", "[mosaik]") {
    asio::io_context io;
    pid_t pid = -1;
    {
        SimProcess process(io.get_executor(), shell("exec sleep 30"));
        pid = process.pid();
    }
    CHECK(reaped(pid));
}

TEST_CASE("A simulator program that cannot be started is an error naming it", "[mosaik]") {
    asio::io_context io;
    ProcessSpec missing;
    missing.argv = {"mas-no-such-simulator", "x"};
    CHECK_THROWS_WITH(SimProcess(io.get_executor(), missing), Catch::Contains("\"mas-no-such-simulator\": command not found"));
    auto bad_cwd = shell("exit 0");
    bad_cwd.cwd = "/nonexistent/mas";
    CHECK_THROWS_WITH(SimProcess(io.get_executor(), bad_cwd), Catch::Contains("/nonexistent/mas"));
    CHECK_THROWS_AS(SimProcess(io.get_executor(), ProcessSpec()), ConfigError);
}
