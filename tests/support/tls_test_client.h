#pragma once
// A raw TLS client for the API's end-to-end tests: it sends exactly the bytes a test writes
// (slowly, malformed, oversized) and reads what comes back, with no HTTP library in between.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace alignwatch::testing {

class TlsTestConnection {
 public:
  // Connects to 127.0.0.1:`port` and completes a TLS handshake (the server's certificate is not
  // checked: these tests are about the server). Null when the connection or handshake fails.
  static std::unique_ptr<TlsTestConnection> open(int port, const std::string& certificate = "",
                                                 const std::string& key = "") {
    // A server that cuts a connection off makes the next write fail with EPIPE, not kill the test.
    ::signal(SIGPIPE, SIG_IGN);
    auto connection = std::unique_ptr<TlsTestConnection>(new TlsTestConnection());
    connection->fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(connection->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return nullptr;
    connection->ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(connection->ctx_, SSL_VERIFY_NONE, nullptr);
    if (!certificate.empty()) {
      if (SSL_CTX_use_certificate_chain_file(connection->ctx_, certificate.c_str()) != 1 ||
          SSL_CTX_use_PrivateKey_file(connection->ctx_, key.c_str(), SSL_FILETYPE_PEM) != 1) {
        return nullptr;
      }
    }
    connection->ssl_ = SSL_new(connection->ctx_);
    SSL_set_fd(connection->ssl_, connection->fd_);
    if (SSL_connect(connection->ssl_) != 1) return nullptr;
    return connection;
  }

  ~TlsTestConnection() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }

  bool send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      int n = SSL_write(ssl_, bytes.data() + sent, static_cast<int>(bytes.size() - sent));
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // Reads until the peer closes, a whole response (headers and Content-Length body) is in, or
  // `timeout_ms` passes. `closed` tells whether the peer closed.
  std::string read_response(int timeout_ms = 10000, bool* closed = nullptr) {
    std::string in;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    if (closed) *closed = false;
    while (std::chrono::steady_clock::now() < deadline) {
      if (complete(in)) return in;
      if (SSL_pending(ssl_) == 0) {
        pollfd p{fd_, POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(1, left.count()))) <= 0) continue;
      }
      char buf[16384];
      int n = SSL_read(ssl_, buf, sizeof buf);
      if (n <= 0) {
        const int error = SSL_get_error(ssl_, n);
        if (error == SSL_ERROR_WANT_READ) continue;
        if (closed) *closed = true;
        return in;
      }
      in.append(buf, static_cast<size_t>(n));
    }
    return in;
  }

 private:
  TlsTestConnection() = default;
  static bool complete(const std::string& in) {
    const size_t end = in.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    const size_t length = in.find("Content-Length: ");
    if (length == std::string::npos || length > end) return true;
    return in.size() >= end + 4 + std::strtoull(in.c_str() + length + 16, nullptr, 10);
  }
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

// The status code of a response ("HTTP/1.1 404 Not Found" -> 404), 0 when there is none.
inline int response_status(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0) return 0;
  return std::atoi(response.c_str() + 9);
}

inline std::string response_body(const std::string& response) {
  const size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : response.substr(end + 4);
}

}  // namespace alignwatch::testing
