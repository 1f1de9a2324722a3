#pragma once
// The daemon's TLS identity for its HTTPS API: a configured certificate and key, or, for the
// embedded default, a self-signed one created in the state directory on first start (ECDSA P-256,
// SHA-256, for localhost, 127.0.0.1 and ::1) and reused afterwards. Clients pin it by its
// SHA-256 fingerprint, which the daemon prints.

#include <filesystem>
#include <string>

#include "core/status.h"

namespace alignwatch::daemon {

struct TlsIdentity {
  std::filesystem::path certificate_pem;
  std::filesystem::path private_key_pem;
  // SHA-256 of the certificate's DER bytes, as colon-separated uppercase hex (as openssl x509
  // -fingerprint -sha256 prints it).
  std::string fingerprint_sha256;
  bool created = false;  // made just now
};

// Loads `certificate` and `key`, checking that they match. kNotFound when a file is missing,
// kInvalidArgument when one is not PEM or they do not belong together.
Result<TlsIdentity> load_tls_identity(const std::filesystem::path& certificate,
                                      const std::filesystem::path& key);

// Loads <dir>/api-cert.pem and <dir>/api-key.pem, creating both first when neither exists (the
// key with mode 0600). One without the other is an error rather than silently replaced.
Result<TlsIdentity> load_or_create_self_signed(const std::filesystem::path& dir);

}  // namespace alignwatch::daemon
