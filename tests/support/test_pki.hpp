#pragma once
/// \file
/// A throw-away public key infrastructure for TLS tests, generated at test time so that no
/// private key ever lives in the repository.

#include <filesystem>

#include "mas/channel/tls_context.hpp"

namespace mas::test {

/// The PEM files of one generated PKI. Every `TlsFiles::ca_file` is the real CA, so each end
/// trusts the real server and the real clients; only the certificates differ.
struct TestPki {
    std::filesystem::path dir;
    TlsFiles server;             ///< signed by the real CA; SAN localhost, 127.0.0.1, ::1
    TlsFiles client;             ///< signed by the real CA; clientAuth
    TlsFiles foreign_client;     ///< signed by an unrelated CA the server does not trust
    TlsFiles wrong_host_server;  ///< signed by the real CA; SAN wrong.example only
};

/// Generates fresh EC P-256 keys and SHA-256 certificates (valid from an hour ago for a day)
/// into `dir`, creating it if missing; private keys are readable by the owner only.
/// Nothing is cached: every call writes new files. Throws std::runtime_error on failure.
TestPki make_test_pki(const std::filesystem::path& dir);

/// A fresh, uniquely named directory under the system temporary directory, removed with its
/// contents by the destructor (which never throws; a failed removal is reported on stderr).
class TempDir {
public:
    /// Throws std::system_error if the directory cannot be created.
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace mas::test
