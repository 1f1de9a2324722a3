#pragma once
// The API's network side: Boost.Beast over Asio, TLS from OpenSSL (optionally with client
// certificates), served by api.threads I/O threads running one coroutine per connection. A slow
// or silent client holds a coroutine, never a thread: the TLS handshake and each request's
// headers must arrive within api.header_timeout_ms, no read may wait longer than
// api.idle_timeout_ms, and a whole request gets api.request_timeout_ms. Connections beyond
// api.max_connections are closed as they arrive. Beast stays inside https_server.cpp.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "config/config.h"
#include "core/status.h"

namespace alignwatch::daemon {
class DaemonMetrics;
}

namespace alignwatch::daemon::http {

class ApiService;

// Checks what the api section needs beyond its syntax: an IP literal to bind, plain HTTP only
// on loopback, certificate and key given together and readable, a client CA when client
// certificates are required.
Status check_api_config(const config::ApiConfig& config);

class HttpsServer {
 public:
  // `state_dir` holds the self-signed identity when no certificate is configured.
  static Result<std::unique_ptr<HttpsServer>> create(const config::ApiConfig& config, ApiService& service,
                                                     DaemonMetrics& metrics,
                                                     const std::filesystem::path& state_dir);
  ~HttpsServer();  // stops
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  // Binds, listens and starts the I/O threads. kUnavailable when the address is taken.
  Status start();
  // Stops accepting, closes every connection and joins the threads.
  void stop();

  uint16_t port() const;                  // the bound port (after start)
  std::string url() const;                // https://127.0.0.1:8443 (after start)
  const std::string& fingerprint_sha256() const;  // of the certificate; empty for plain HTTP
  bool certificate_created() const;       // the self-signed identity was made at this start

 private:
  struct Impl;
  explicit HttpsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace alignwatch::daemon::http
