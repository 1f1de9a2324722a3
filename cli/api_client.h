#pragma once
// The CLI's client of the daemon's HTTPS API: one TLS connection per request, the server's
// certificate checked against a CA file, pinned by its SHA-256 fingerprint, or checked against
// the system's CAs; optionally a client certificate for mutual TLS. Uploads stream from disk
// (a file as the body, a directory as multipart/form-data with one part per file).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"

namespace alignwatch::cli {

struct ApiClientOptions {
  std::string server;       // https://host:port (or http://127.0.0.1:port)
  std::string token;        // bearer token
  std::string ca_file;      // PEM CA (or the server's own self-signed certificate)
  std::string fingerprint;  // SHA-256 of the server certificate, hex with or without colons
  std::string client_certificate;
  std::string client_key;
  uint64_t timeout_ms = 60000;  // per socket read or write
};

struct ApiReply {
  unsigned status = 0;
  std::string content_type;
  std::string retry_after;
  std::string body;
};

// Called as bytes go out: sent so far and the whole body's size.
using UploadProgress = std::function<void(uint64_t sent, uint64_t total)>;

class ApiClient {
 public:
  // kInvalidArgument for a malformed URL or unreadable TLS files.
  static Result<std::unique_ptr<ApiClient>> create(ApiClientOptions options);
  ~ApiClient();

  // kUnavailable when the server cannot be reached or the TLS check fails.
  Result<ApiReply> request(const std::string& method, const std::string& target, const std::string& body = {},
                           const std::string& content_type = "application/json");
  // POSTs `path` to `target`: a regular file as the body, a directory's regular files as
  // multipart parts.
  Result<ApiReply> upload(const std::string& target, const std::filesystem::path& path,
                          const UploadProgress& progress = {});

 private:
  struct Impl;
  explicit ApiClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "Error: message (HTTP 403)" from an error reply's {code, message, location}.
std::string describe_error_reply(const ApiReply& reply);

}  // namespace alignwatch::cli
