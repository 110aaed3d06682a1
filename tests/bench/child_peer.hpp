#pragma once
// A child process of the benchmark (this very program re-executed with a hidden flag) that
// connects back over loopback TCP, the way mosaik's `cmd` starter starts a simulator and waits
// for it to connect, and the driver's end of that connection: a blocking socket with
// TCP_NODELAY, read through a RawFrameReader. The mosaik part drives example-sim and its raw
// baseline through the same class, so both are measured over the same kind of connection; the
// orchestrator part's raw baseline drives its two raw step servers through it.

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "raw_socket.hpp"

namespace mas::bench {

class ChildPeer {
public:
    /// Listens on 127.0.0.1:0, starts `self flag 127.0.0.1:<port> extra_args...` and waits up to
    /// 30 s for it to connect. `name` names the child in errors. Throws std::system_error or
    /// std::runtime_error on failure.
    ChildPeer(std::string name, const std::string& self, std::string_view flag,
              const std::vector<std::string>& extra_args);
    /// Ends the child if it is still running. Never throws.
    ~ChildPeer();
    ChildPeer(const ChildPeer&) = delete;
    ChildPeer& operator=(const ChildPeer&) = delete;

    /// Sends whole frames.
    void send(const std::string& frames);
    /// Sends one request frame and returns the reply's payload (valid until the next call).
    /// Throws std::runtime_error if the reply is not a success (`[1, ...`) or the child closed.
    std::string_view exchange(const std::string& request);
    /// Sends `last_frame` (or, if it is empty, ends our direction of the connection), waits for
    /// the child to close the connection and to exit with status 0. Throws std::runtime_error
    /// otherwise.
    void finish(const std::string& last_frame);
    /// Whether the child has been started and not yet waited for.
    [[nodiscard]] bool running() const noexcept { return child_ > 0; }

private:
    void shut_down() noexcept;

    std::string name_;
    int listener_ = -1;
    int socket_ = -1;
    pid_t child_ = -1;
    RawFrameReader reader_;
};

/// `text`, cut to a few hundred bytes for an error message.
std::string excerpt(std::string_view text);

}  // namespace mas::bench
