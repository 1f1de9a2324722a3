#pragma once
// Delivers alerts to a webhook: an HTTP(S) POST of the alert's JSON with an
// `X-Alignwatch-Signature: sha256=<hex HMAC-SHA256 of the body>` header when a secret is set.
// Alerts wait in a bounded queue served by one thread; when it is full new alerts are dropped,
// counted and logged (the store and the JSONL file still have them). Failed deliveries are
// retried with exponential backoff up to max_attempts. Boost.Beast stays inside the .cpp.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "config/config.h"
#include "core/status.h"

namespace alignwatch::daemon {

struct WebhookTarget {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;  // path and query
};

// Parses http://host[:port]/path or https://...; kInvalidArgument naming what is wrong.
Result<WebhookTarget> parse_webhook_url(std::string_view url);

class WebhookSender {
 public:
  // `secret` may be empty (unsigned deliveries).
  WebhookSender(WebhookTarget target, config::WebhookConfig config, std::string secret);
  ~WebhookSender();  // stops after the delivery in progress; queued alerts are dropped
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // Queues one alert; false (and counted) when the queue is full.
  bool enqueue(std::string alert_json);

  uint64_t delivered() const { return delivered_.load(); }
  uint64_t dropped() const { return dropped_.load(); }  // queue full or attempts exhausted
  uint64_t failed_attempts() const { return failed_attempts_.load(); }

 private:
  void run();
  Status deliver(const std::string& body);

  WebhookTarget target_;
  config::WebhookConfig config_;
  std::string secret_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;  // guarded by mutex_
  bool stopping_ = false;          // guarded by mutex_
  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> failed_attempts_{0};
  std::thread thread_;
};

// The signature header's value for `body`: "sha256=" + hex HMAC-SHA256(secret, body).
std::string webhook_signature(std::string_view secret, std::string_view body);

}  // namespace alignwatch::daemon
