#include "daemon/webhook_sender.h"

#include <chrono>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>

#include "core/logging.h"
#include "store/digest.h"

namespace alignwatch::daemon {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Result<WebhookTarget> parse_webhook_url(std::string_view url) {
  WebhookTarget target;
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    target.tls = true;
    rest = url.substr(8);
  } else {
    return make_error(StatusCode::kInvalidArgument,
                      "alerts.webhook.url: expected http:// or https://, got '" +
                          std::string(url.substr(0, 40)) + "'");
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  target.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.find('@') != std::string_view::npos) {
    return make_error(StatusCode::kInvalidArgument,
                      "alerts.webhook.url: credentials in the URL are not supported (use "
                      "alerts.webhook.secret_file)");
  }
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    target.host = std::string(authority.substr(0, colon));
    target.port = std::string(authority.substr(colon + 1));
  } else {
    target.host = std::string(authority);
    target.port = target.tls ? "443" : "80";
  }
  if (target.host.empty() || target.port.empty() ||
      target.port.find_first_not_of("0123456789") != std::string::npos) {
    return make_error(StatusCode::kInvalidArgument,
                      "alerts.webhook.url: expected host[:port], got '" + std::string(authority) + "'");
  }
  return target;
}

std::string webhook_signature(std::string_view secret, std::string_view body) {
  auto digest = store::hmac_sha256(secret, body);
  return digest ? "sha256=" + store::to_hex(*digest) : std::string();
}

WebhookSender::WebhookSender(WebhookTarget target, config::WebhookConfig config, std::string secret)
    : target_(std::move(target)), config_(std::move(config)), secret_(std::move(secret)) {
  thread_ = std::thread([this] { run(); });
}

WebhookSender::~WebhookSender() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool WebhookSender::enqueue(std::string alert_json) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= config_.queue_capacity) {
      dropped_.fetch_add(1);
      get_logger("aw.webhook")->warn("webhook_dropped reason=queue_full capacity={} dropped_total={}",
                                     config_.queue_capacity, dropped_.load());
      return false;
    }
    queue_.push_back(std::move(alert_json));
  }
  wake_.notify_one();
  return true;
}

void WebhookSender::run() {
  auto log = get_logger("aw.webhook");
  while (true) {
    std::string body;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      body = std::move(queue_.front());
      queue_.pop_front();
    }
    uint64_t backoff_ms = config_.retry_backoff_ms;
    for (uint64_t attempt = 1;; ++attempt) {
      Status sent = deliver(body);
      if (sent.is_ok()) {
        delivered_.fetch_add(1);
        break;
      }
      failed_attempts_.fetch_add(1);
      if (attempt >= config_.max_attempts) {
        dropped_.fetch_add(1);
        log->warn("webhook_dropped reason=attempts_exhausted attempts={} error=\"{}\" dropped_total={}",
                  attempt, sent.to_string(), dropped_.load());
        break;
      }
      log->info("webhook_retry attempt={} in_ms={} error=\"{}\"", attempt, backoff_ms, sent.to_string());
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, std::chrono::milliseconds(backoff_ms), [&] { return stopping_; })) return;
      backoff_ms = std::min<uint64_t>(backoff_ms * 2, 60000);
    }
  }
}

Status WebhookSender::deliver(const std::string& body) {
  // Boost throws from its I/O calls: this function is its adapter boundary.
  try {
    asio::io_context io;
    const auto timeout = std::chrono::milliseconds(config_.timeout_ms);
    http::request<http::string_body> request{http::verb::post, target_.target, 11};
    request.set(http::field::host, target_.host);
    request.set(http::field::user_agent, "alignwatch");
    request.set(http::field::content_type, "application/json");
    if (!secret_.empty()) request.set("X-Alignwatch-Signature", webhook_signature(secret_, body));
    request.body() = body;
    request.prepare_payload();
    http::response<http::string_body> response;
    beast::flat_buffer buffer;
    tcp::resolver resolver(io);
    auto endpoints = resolver.resolve(target_.host, target_.port);
    if (target_.tls) {
      asio::ssl::context tls(asio::ssl::context::tls_client);
      tls.set_default_verify_paths();
      tls.set_verify_mode(asio::ssl::verify_peer);
      beast::ssl_stream<beast::tcp_stream> stream(io, tls);
      if (!SSL_set_tlsext_host_name(stream.native_handle(), target_.host.c_str())) {
        return Status(StatusCode::kUnavailable, "webhook: cannot set TLS server name");
      }
      stream.set_verify_callback(asio::ssl::host_name_verification(target_.host));
      beast::get_lowest_layer(stream).expires_after(timeout);
      beast::get_lowest_layer(stream).connect(endpoints);
      stream.handshake(asio::ssl::stream_base::client);
      http::write(stream, request);
      http::read(stream, buffer, response);
    } else {
      beast::tcp_stream stream(io);
      stream.expires_after(timeout);
      stream.connect(endpoints);
      http::write(stream, request);
      http::read(stream, buffer, response);
    }
    const unsigned code = response.result_int();
    if (code < 200 || code >= 300) {
      return Status(StatusCode::kUnavailable, fmt::format("webhook: HTTP {}", code));
    }
    return Status::ok();
  } catch (const std::exception& e) {
    return Status(StatusCode::kUnavailable, std::string("webhook: ") + e.what());
  }
}

}  // namespace alignwatch::daemon
