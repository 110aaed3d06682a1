#pragma once
/// \file
/// The exception types of libmas. Every library exception derives from mas::Error.

#include <stdexcept>
#include <string>
#include <system_error>

namespace mas {

/// Base of all libmas exceptions.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The peer broke the wire protocol: a bad frame, an over-long length header, invalid JSON,
/// a message that is not `[type, id, content]`, an unknown message type or reply id.
class ProtocolError : public Error {
public:
    using Error::Error;
};

/// A connection could not be opened, or was closed, reset or lost. `code()` tells why.
class ConnectionError : public Error {
public:
    ConnectionError(const std::string& what, std::error_code code)
        : Error(what), code_(code) {}
    /// The underlying error (e.g. `asio::error::eof`, `connection_refused`, `operation_aborted`
    /// for a local close, or `mas::errc::protocol_error` when the peer broke the protocol).
    [[nodiscard]] std::error_code code() const noexcept { return code_; }

private:
    std::error_code code_;
};

/// An operation did not finish within its deadline.
class Timeout : public Error {
public:
    using Error::Error;
};

/// Invalid configuration or options given by the user.
class ConfigError : public Error {
public:
    using Error::Error;
};

/// A value could not be encoded or decoded (no serializer for a custom type, an integer that
/// does not fit in 64 bits, a message larger than the maximum message size).
class CodecError : public Error {
public:
    using Error::Error;
};

/// A Json value does not have the type or range a conversion asked for.
/// The message names the expected and the actual type.
class TypeError : public Error {
public:
    using Error::Error;
};

/// The peer answered a request with a failure reply (message type 2).
/// `origin()` is the peer's address, `remote_traceback()` the text the peer sent
/// (for a Python peer: the formatted traceback, ending in `ExcType: message`).
class RemoteError : public Error {
public:
    RemoteError(std::string origin, std::string remote_traceback);
    [[nodiscard]] const std::string& origin() const noexcept { return origin_; }
    [[nodiscard]] const std::string& remote_traceback() const noexcept { return traceback_; }
    /// The last non-empty line of the traceback, e.g. `ValueError: nope`.
    [[nodiscard]] std::string summary() const;

private:
    std::string origin_;
    std::string traceback_;
};

/// libmas' own error codes for `ConnectionError::code()`.
enum class errc {
    protocol_error = 1,  ///< the peer sent something that breaks the wire protocol
    message_too_large,   ///< a frame's length header exceeds the maximum message size
    closed,              ///< the channel was closed locally
    not_found,           ///< the peer has no such object (e.g. no agent with that id)
};

/// The error category of mas::errc.
const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

}  // namespace mas

template <>
struct std::is_error_code_enum<mas::errc> : std::true_type {};
