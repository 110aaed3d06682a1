#pragma once
// ChildProcess: runs an executable as a real process with its stdout and stderr captured, for
// tests about programs. Every wait has a hang guard; it fails a hung test, it never synchronises.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace mas::test {

/// How a child process ended.
struct ExitStatus {
    bool exited = false;  ///< true: exit() with `code`; false: killed by signal `code`
    int code = -1;
    [[nodiscard]] bool success() const noexcept { return exited && code == 0; }
};

/// The output streams of a child.
enum class Stream { out, err };

/// A started child process. Waits watch the pipes and the process itself (through a pidfd), so
/// they return as soon as the awaited line or the exit happens. A wait that outlasts its guard
/// throws mas::Timeout. The destructor kills (SIGKILL) and reaps a child that is still running.
class ChildProcess {
public:
    using Duration = std::chrono::steady_clock::duration;

    /// Starts `path` with `args` (not including argv[0]), stdin from /dev/null, default signal
    /// handling and an empty signal mask. Throws std::system_error if it cannot be started.
    ChildProcess(const std::string& path, const std::vector<std::string>& args);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    /// The next line of `stream` without its '\n', or nullopt once the stream has ended.
    std::optional<std::string> read_line(Stream stream, Duration guard);
    /// Sends `signal` to the child (if it has not been reaped yet).
    void signal(int signal);
    /// Waits until the child has exited and both streams have ended.
    ExitStatus wait(Duration guard);

    /// Everything read from a stream so far, including lines already returned by read_line.
    [[nodiscard]] const std::string& output(Stream stream) const noexcept;

private:
    struct Pipe {
        int fd = -1;
        std::string data;
        std::size_t consumed = 0;  // bytes handed out by read_line
    };

    /// Reads whatever is ready until `done()` holds; throws mas::Timeout at the deadline.
    template <class Done>
    void pump(Duration guard, Done done);
    void read_from(Pipe& pipe);
    void reap();

    pid_t pid_ = -1;
    int pidfd_ = -1;
    std::optional<ExitStatus> status_;
    Pipe out_;
    Pipe err_;
};

/// A finished program run.
struct ProgramRun {
    ExitStatus status;
    std::string out;
    std::string err;
};

/// Runs `path` with `args` to completion.
ProgramRun run_program(const std::string& path, const std::vector<std::string>& args, ChildProcess::Duration guard);

/// `text` split at '\n'; a final line without '\n' counts too.
std::vector<std::string> split_lines(const std::string& text);

}  // namespace mas::test
