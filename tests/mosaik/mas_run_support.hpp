#pragma once
// mas-run as a test runs it: a real process, its output, and checks that nothing is left behind.

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "integration/child_process.hpp"

namespace mas::test {

inline constexpr auto guard = std::chrono::seconds(120);

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

struct RunResult {
    ExitStatus status;
    std::string out;
    std::string err;
};

inline RunResult mas_run(const std::vector<std::string>& args) {
    ChildProcess child(MAS_RUN_EXE, args);
    RunResult result;
    result.status = child.wait(guard);
    result.out = child.output(Stream::out);
    result.err = child.output(Stream::err);
    return result;
}

/// No child process of this test process is left, running or unreaped.
inline bool no_children() { return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD; }

/// Reads `child`'s stderr up to the first line that contains `text`.
inline void wait_for_line(ChildProcess& child, const std::string& text) {
    for (;;) {
        const auto line = child.read_line(Stream::err, guard);
        INFO("stderr so far: " << child.output(Stream::err));
        REQUIRE(line);
        if (line->find(text) != std::string::npos) return;
    }
}

/// Whether the process whose id `pid_file` holds is gone (it wrote the file, so it had started).
inline bool gone(const std::filesystem::path& pid_file) {
    pid_t pid = 0;
    std::ifstream(pid_file) >> pid;
    return pid > 0 && ::kill(pid, 0) == -1 && errno == ESRCH;
}

}  // namespace mas::test
