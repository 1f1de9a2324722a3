#include "daemon/http/tls_identity.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <memory>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace alignwatch::daemon {

namespace {

namespace fs = std::filesystem;

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using CertPtr = std::unique_ptr<X509, CertFree>;

Result<std::string> fingerprint(X509* certificate) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(certificate, EVP_sha256(), digest, &length) != 1) {
    return make_error(StatusCode::kInternal, "tls: cannot compute the certificate fingerprint");
  }
  std::string out;
  for (unsigned int i = 0; i < length; ++i) out += fmt::format("{}{:02X}", i ? ":" : "", digest[i]);
  return out;
}

Status add_extension(X509* certificate, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (!extension) return Status(StatusCode::kInternal, "tls: cannot make a certificate extension");
  const int added = X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
  return added == 1 ? Status::ok() : Status(StatusCode::kInternal, "tls: cannot add an extension");
}

// Writes with O_EXCL and `mode`, so an existing file (or a link planted there) is never written
// through.
Status write_pem(const fs::path& path, mode_t mode, const std::function<int(FILE*)>& write) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return Status(StatusCode::kUnavailable, "tls: cannot create " + path.string());
  FilePtr file(::fdopen(fd, "w"));
  if (!file) {
    ::close(fd);
    return Status(StatusCode::kUnavailable, "tls: cannot open " + path.string());
  }
  if (write(file.get()) != 1 || std::fflush(file.get()) != 0 || ::fsync(fd) != 0) {
    return Status(StatusCode::kUnavailable, "tls: cannot write " + path.string());
  }
  return Status::ok();
}

}  // namespace

Result<TlsIdentity> load_tls_identity(const fs::path& certificate, const fs::path& key) {
  FilePtr cert_file(std::fopen(certificate.c_str(), "r"));
  if (!cert_file) {
    return make_error(StatusCode::kNotFound, "tls certificate: cannot read '" + certificate.string() + "'");
  }
  CertPtr cert(PEM_read_X509(cert_file.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    return make_error(StatusCode::kInvalidArgument,
                      "tls certificate '" + certificate.string() + "': expected a PEM certificate");
  }
  FilePtr key_file(std::fopen(key.c_str(), "r"));
  if (!key_file) return make_error(StatusCode::kNotFound, "tls key: cannot read '" + key.string() + "'");
  KeyPtr private_key(PEM_read_PrivateKey(key_file.get(), nullptr, nullptr, nullptr));
  if (!private_key) {
    return make_error(StatusCode::kInvalidArgument,
                      "tls key '" + key.string() + "': expected an unencrypted PEM private key");
  }
  if (X509_check_private_key(cert.get(), private_key.get()) != 1) {
    return make_error(StatusCode::kInvalidArgument,
                      "tls: the key '" + key.string() + "' does not belong to the certificate '" +
                          certificate.string() + "'");
  }
  TlsIdentity identity{certificate, key, "", false};
  AW_ASSIGN_OR_RETURN(identity.fingerprint_sha256, fingerprint(cert.get()));
  return identity;
}

Result<TlsIdentity> load_or_create_self_signed(const fs::path& dir) {
  const fs::path cert_path = dir / "api-cert.pem";
  const fs::path key_path = dir / "api-key.pem";
  std::error_code error;
  const bool have_cert = fs::exists(fs::symlink_status(cert_path, error));
  const bool have_key = fs::exists(fs::symlink_status(key_path, error));
  if (have_cert || have_key) {
    if (!(have_cert && have_key)) {
      return make_error(StatusCode::kInvalidArgument,
                        "tls: found only one of " + cert_path.string() + " and " + key_path.string() +
                            " [hint: remove it to have a new pair made]");
    }
    return load_tls_identity(cert_path, key_path);
  }
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return make_error(StatusCode::kInternal, "tls: cannot generate an ECDSA P-256 key");
  CertPtr cert(X509_new());
  if (!cert) return make_error(StatusCode::kInternal, "tls: cannot allocate a certificate");
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof(serial)) != 1) return make_error(StatusCode::kInternal, "tls: RAND_bytes failed");
  serial[0] &= 0x7f;  // a positive serial number
  BIGNUM* serial_number = BN_bin2bn(serial, sizeof(serial), nullptr);
  ASN1_INTEGER* asn1_serial = BN_to_ASN1_INTEGER(serial_number, nullptr);
  BN_free(serial_number);
  X509_set_serialNumber(cert.get(), asn1_serial);
  ASN1_INTEGER_free(asn1_serial);
  X509_set_version(cert.get(), 2);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 825L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("alignwatchd"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  AW_RETURN_IF_ERROR(add_extension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1"));
  AW_RETURN_IF_ERROR(add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  AW_RETURN_IF_ERROR(add_extension(cert.get(), NID_ext_key_usage, "serverAuth"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return make_error(StatusCode::kInternal, "tls: cannot sign the certificate");
  }
  fs::create_directories(dir, error);
  AW_RETURN_IF_ERROR(write_pem(key_path, 0600, [&](FILE* f) {
    return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  }));
  AW_RETURN_IF_ERROR(write_pem(cert_path, 0644, [&](FILE* f) { return PEM_write_X509(f, cert.get()); }));
  TlsIdentity identity{cert_path, key_path, "", true};
  AW_ASSIGN_OR_RETURN(identity.fingerprint_sha256, fingerprint(cert.get()));
  return identity;
}

}  // namespace alignwatch::daemon
