#include "support/test_pki.hpp"

#include <stdlib.h>  // mkdtemp (POSIX)

#include <cerrno>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace fs = std::filesystem;

namespace mas::test {
namespace {

template <auto Free>
struct Deleter {
    template <class T>
    void operator()(T* p) const noexcept { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<&EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<&X509_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<&X509_EXTENSION_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<&BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<&BN_free>>;

// Drains the whole OpenSSL error queue into the message: the root cause is often not the
// last entry, and a stale queue would confuse the next TLS operation on this thread.
[[noreturn]] void fail(std::string_view what) {
    std::string text = "test PKI: " + std::string(what);
    while (unsigned long code = ERR_get_error()) {
        char reason[256] = {};
        ERR_error_string_n(code, reason, sizeof reason);
        text += "; ";
        text += reason;
    }
    throw std::runtime_error(text);
}

void check(int result, std::string_view what) {
    if (result != 1) fail(what);
}

enum class Role { ca, server, client };

struct Profile {
    std::string common_name;
    Role role;
    std::string alt_names;  // subjectAltName value in OpenSSL config syntax, may be empty
};

KeyPtr make_key() {
    KeyPtr key(EVP_EC_gen("P-256"));
    if (!key) fail("EC P-256 key generation");
    return key;
}

// Serials must be unique per issuer; random ones need no counter shared between calls.
void set_random_serial(X509* cert) {
    BignumPtr serial(BN_new());
    if (!serial) fail("BN_new");
    check(BN_rand(serial.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "random serial");
    if (BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) == nullptr) fail("serial");
}

void set_subject(X509* cert, const std::string& common_name) {
    X509_NAME* name = X509_get_subject_name(cert);
    auto add = [&](const char* field, std::string_view value) {
        check(X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                                         reinterpret_cast<const unsigned char*>(value.data()),
                                         static_cast<int>(value.size()), -1, 0),
              "subject name");
    };
    add("O", "libmas tests");
    add("CN", common_name);
}

void add_extension(X509* cert, X509V3_CTX& ctx, int nid, const std::string& value) {
    ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    if (!ext) fail(std::string("extension ") + OBJ_nid2sn(nid) + "=" + value);
    check(X509_add_ext(cert, ext.get(), -1), "X509_add_ext");
}

// The extensions satisfy strict verifiers (X509_V_FLAG_X509_STRICT, which newer Python
// enables by default), so the same files can also serve tests against a Python peer.
void add_extensions(X509* cert, X509* issuer, const Profile& profile) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    const bool is_ca = profile.role == Role::ca;
    add_extension(cert, ctx, NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_extension(cert, ctx, NID_key_usage,
                  is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    // The subject key identifier must exist before an authority key identifier can refer to it.
    add_extension(cert, ctx, NID_subject_key_identifier, "hash");
    if (!is_ca) {
        add_extension(cert, ctx, NID_authority_key_identifier, "keyid:always");
        add_extension(cert, ctx, NID_ext_key_usage,
                      profile.role == Role::server ? "serverAuth" : "clientAuth");
    }
    if (!profile.alt_names.empty()) {
        add_extension(cert, ctx, NID_subject_alt_name, profile.alt_names);
    }
}

// `issuer` == nullptr makes the certificate self-signed with `key`.
CertPtr make_certificate(const Profile& profile, EVP_PKEY* key, X509* issuer,
                         EVP_PKEY* issuer_key) {
    CertPtr cert(X509_new());
    if (!cert) fail("X509_new");
    check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");
    set_random_serial(cert.get());
    if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60L * 60) == nullptr ||
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24L * 60 * 60) == nullptr) {
        fail("validity period");
    }
    set_subject(cert.get(), profile.common_name);
    X509* signer = issuer != nullptr ? issuer : cert.get();
    check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)), "issuer name");
    check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey");
    add_extensions(cert.get(), signer, profile);
    // X509_sign returns the signature size, not 1.
    if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) fail("X509_sign");
    return cert;
}

BioPtr open_for_writing(const fs::path& file) {
    BioPtr bio(BIO_new_file(file.c_str(), "w"));
    if (!bio) fail("cannot create " + file.string());
    return bio;
}

void finish_writing(BioPtr bio, const fs::path& file) {
    if (BIO_flush(bio.get()) != 1) fail("cannot write " + file.string());
}

void write_certificate(const fs::path& file, X509* cert) {
    auto bio = open_for_writing(file);
    check(PEM_write_bio_X509(bio.get(), cert), "PEM_write_bio_X509");
    finish_writing(std::move(bio), file);
}

void write_private_key(const fs::path& file, EVP_PKEY* key) {
    auto bio = open_for_writing(file);
    // Restrict the file while it is still empty, so the key is never readable by others.
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
          "PEM_write_bio_PrivateKey");
    finish_writing(std::move(bio), file);
}

struct Authority {
    KeyPtr key;
    CertPtr cert;
};

Authority make_authority(const fs::path& file, const std::string& common_name) {
    Authority ca{make_key(), nullptr};
    ca.cert = make_certificate({common_name, Role::ca, {}}, ca.key.get(), nullptr, ca.key.get());
    write_certificate(file, ca.cert.get());
    return ca;
}

// Writes `<stem>.pem` and `<stem>.key`; the CA file is the real CA whatever the issuer.
TlsFiles issue(const fs::path& dir, const std::string& stem, const Profile& profile,
               const Authority& issuer, const fs::path& ca_file) {
    auto key = make_key();
    auto cert = make_certificate(profile, key.get(), issuer.cert.get(), issuer.key.get());
    TlsFiles files{ca_file, dir / (stem + ".pem"), dir / (stem + ".key")};
    write_certificate(files.cert_file, cert.get());
    write_private_key(files.key_file, key.get());
    return files;
}

}  // namespace

TestPki make_test_pki(const fs::path& dir) {
    fs::create_directories(dir);
    TestPki pki;
    pki.dir = dir;
    const auto ca_file = dir / "ca.pem";
    const auto ca = make_authority(ca_file, "libmas test CA");
    const auto foreign_ca = make_authority(dir / "foreign-ca.pem", "libmas foreign test CA");

    pki.server = issue(dir, "server",
                       {"localhost", Role::server, "DNS:localhost,IP:127.0.0.1,IP:::1"}, ca,
                       ca_file);
    pki.client = issue(dir, "client", {"libmas test client", Role::client, {}}, ca, ca_file);
    pki.foreign_client = issue(dir, "foreign-client",
                               {"libmas foreign client", Role::client, {}}, foreign_ca, ca_file);
    pki.wrong_host_server = issue(dir, "wrong-host-server",
                                  {"wrong.example", Role::server, "DNS:wrong.example"}, ca,
                                  ca_file);
    return pki;
}

TempDir::TempDir() {
    std::string pattern = (fs::temp_directory_path() / "libmas-test-XXXXXX").string();
    // mkdtemp picks the name and creates the directory (mode 0700) in one step, so no
    // concurrently running test can claim the same directory.
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    }
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
    if (ec) std::cerr << "cannot remove temporary directory " << path_ << ": " << ec.message() << '\n';
}

}  // namespace mas::test
