#pragma once
// The HTTPS API's behaviour, apart from the network: authentication (bearer tokens, roles),
// rate limits, routing, the endpoints, uploads streamed into the intake, and errors as JSON
// {code, message, location}. https_server.h moves bytes between sockets and this class, so
// everything here is tested without a socket.
//
// Endpoints (all JSON unless said):
//   GET  /healthz                                   no token
//   GET  /metrics                                   reviewer, admin   Prometheus text
//   POST /v1/datasets, /v1/adapters                 pipeline, admin   202 {scan_id, ...}
//   GET  /v1/scans?state=&after=&limit=             all roles (pipeline: its own scans)
//   GET  /v1/scans/{id}[?report=false]              all roles (pipeline: its own scans)
//   GET  /v1/scans/{id}/report?format=json|sarif    all roles (pipeline: its own scans)
//   GET  /v1/alerts?status=&priority=&since=&after=&limit=   reviewer, admin
//   GET  /v1/alerts/{id}                            reviewer, admin
//   POST /v1/alerts/{id}/ack  {"reason": "..."}     reviewer, admin
//   GET  /v1/evidence/{seq}                         reviewer, admin   a record with its chain link
//   GET  /v1/tokens, POST /v1/tokens {name, role}, DELETE /v1/tokens/{name}   admin
//   GET  /v1/config                                 admin             the options in force

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "core/status.h"
#include "daemon/http/rate_limiter.h"

namespace alignwatch::store {
class EvidenceStore;
}

namespace alignwatch::daemon {
class Intake;
class DaemonMetrics;
}

namespace alignwatch::daemon::http {

struct RequestHead {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, as sent
  std::string authorization;
  std::string content_type;
  std::optional<uint64_t> content_length;  // absent for chunked bodies
};

struct ApiResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// {code, message, location} with the status; `code` is a short word ("not_found", ...).
ApiResponse error_response(unsigned status, std::string_view code, std::string_view message,
                           std::string_view location = {});
// The HTTP status and code word that answer a Status.
ApiResponse error_response(const Status& status, std::string_view location = {});

struct Principal {
  std::string token_name;
  std::string role;  // pipeline, reviewer, admin
};

// An upload in progress: the body's bytes go to feed() as they arrive, then finish() once.
class UploadSession {
 public:
  virtual ~UploadSession() = default;
  // An error ends the upload; answer it with error_response(status).
  virtual Status feed(std::string_view bytes) = 0;
  virtual ApiResponse finish() = 0;
};

// What the daemon lends the API.
struct ApiBackend {
  store::EvidenceStore* store = nullptr;
  Intake* intake = nullptr;
  DaemonMetrics* metrics = nullptr;
  std::function<void()> on_queued;              // a new scan job exists: wake the workers
  std::function<uint64_t()> webhook_dropped;    // from the alert dispatcher in use
  std::function<config::Config()> config;       // the config in force (for /v1/config)
};

class ApiService {
 public:
  ApiService(ApiBackend backend, const config::ApiConfig& config, uint64_t job_max_bytes);

  // What to do once a request's headers are in.
  struct Prepared {
    std::optional<ApiResponse> response;    // answer this now (an error, or the whole answer)
    std::unique_ptr<UploadSession> upload;  // else stream the body into this...
    uint64_t body_limit = 0;                // ...or read at most this many bytes and call handle()
    Principal principal;
  };
  Prepared prepare(const RequestHead& head);
  // A request that is not an upload, with its whole body.
  ApiResponse handle(const RequestHead& head, const Principal& principal, std::string_view body);

 private:
  Result<Principal> authenticate(const RequestHead& head) const;

  ApiBackend backend_;
  config::ApiConfig config_;
  uint64_t max_upload_bytes_;
  RateLimiter limiter_;
};

}  // namespace alignwatch::daemon::http
