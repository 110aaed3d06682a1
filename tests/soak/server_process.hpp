#pragma once
// ServerProcess: one of the soak's servers, a child process that is killed with SIGKILL and
// started again on the same port, as a crashed service would be by its supervisor.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "mas/core/process.hpp"

namespace mas::soak {

class ServerProcess {
public:
    /// `argv` is the command without the port; `--port <port>` is added to it.
    ServerProcess(asio::any_io_executor executor, std::string name, std::vector<std::string> argv);

    /// Starts the server and waits for its "ready <port>" line. The first start takes a free
    /// port below the kernel's ephemeral range; later ones take the same again. Throws
    /// mas::Error if it does not get ready.
    asio::awaitable<void> start();
    /// SIGKILL, reap, start again. Notes whether the process had died before on its own.
    asio::awaitable<void> kill_and_restart();
    /// Kills it for good (at the end of the soak); notes an earlier death as kill_and_restart does.
    asio::awaitable<void> stop();

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    [[nodiscard]] pid_t pid() const noexcept { return process_ ? process_->pid() : 0; }
    [[nodiscard]] unsigned restarts() const noexcept { return restarts_; }
    /// Exits that were not our SIGKILL: a crash, or an error exit.
    [[nodiscard]] const std::vector<std::string>& unexpected_exits() const noexcept { return unexpected_; }

private:
    asio::awaitable<bool> start_once(std::string& why);
    std::uint16_t fresh_port();
    asio::awaitable<void> kill();

    asio::any_io_executor executor_;
    std::string name_;
    std::vector<std::string> argv_;
    std::uint16_t port_ = 0;
    std::mt19937 random_{std::random_device()()};
    std::unique_ptr<Process> process_;
    unsigned restarts_ = 0;
    std::vector<std::string> unexpected_;
};

}  // namespace mas::soak
