#pragma once
// The in-process LocalQueue transport: connections between channels of one process without
// sockets. On one io_context every step is a post in FIFO order, so a run is reproducible.
// Ends may also live on different io_contexts (threads); then each pipe's mutex guards it.

#include <deque>
#include <memory>
#include <string>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "channel/transport.hpp"
#include "core/completion.hpp"

namespace mas::detail {

/// Connects to the LocalListener registered under `name`. Throws mas::ConnectionError
/// (connection_refused) if there is none.
asio::awaitable<TransportPtr> local_connect(const std::string& name);

/// A listening local endpoint, registered under its name for as long as it is open.
class LocalListener {
public:
    /// Throws mas::ConfigError if `name` is already taken in this process.
    LocalListener(asio::any_io_executor executor, std::string name);
    ~LocalListener();
    LocalListener(const LocalListener&) = delete;
    LocalListener& operator=(const LocalListener&) = delete;

    /// Waits for the next connection; sets `ec` to operation_aborted once closed.
    asio::awaitable<TransportPtr> accept(std::error_code& ec);
    /// Unregisters the name and ends a pending accept. Never throws.
    void close() noexcept;

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace mas::detail
