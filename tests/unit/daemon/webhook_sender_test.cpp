#include "daemon/webhook_sender.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace alignwatch::daemon {
namespace {

using namespace std::chrono_literals;

// A minimal HTTP/1.1 server on loopback: answers each request with the next status of `statuses`
// (the last one repeats), optionally holding the answer until released.
class FakeWebhook {
 public:
  explicit FakeWebhook(std::vector<int> statuses, bool hold = false)
      : statuses_(std::move(statuses)), hold_(hold) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeWebhook() {
    stop_ = true;
    release();
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  bool wait_for_requests(size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return requests_.size() >= n; });
  }
  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    while (!stop_) {
      int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      std::string request;
      char buf[4096];
      size_t body_start = std::string::npos, length = 0;
      while (true) {
        ssize_t n = ::recv(client, buf, sizeof(buf), 0);
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
        if (body_start == std::string::npos && (body_start = request.find("\r\n\r\n")) != std::string::npos) {
          body_start += 4;
          auto at = request.find("Content-Length: ");
          if (at != std::string::npos) length = std::stoul(request.substr(at + 16));
        }
        if (body_start != std::string::npos && request.size() >= body_start + length) break;
      }
      int status;
      {
        std::unique_lock lock(mutex_);
        requests_.push_back(request);
        status = statuses_[std::min(requests_.size() - 1, statuses_.size() - 1)];
        changed_.notify_all();
        if (hold_) changed_.wait(lock, [&] { return released_; });
      }
      std::string response = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      (void)!::send(client, response.data(), response.size(), MSG_NOSIGNAL);
      ::close(client);
    }
  }

  std::vector<int> statuses_;
  bool hold_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> requests_;
  bool released_ = false;
  std::thread thread_;
};

config::WebhookConfig fast_config() {
  config::WebhookConfig config;
  config.retry_backoff_ms = 10;
  config.timeout_ms = 2000;
  config.max_attempts = 3;
  return config;
}

TEST(WebhookUrl, OnlyHttpAndHttpsWithAHost) {
  auto plain = parse_webhook_url("http://127.0.0.1:8080/a?b=c");
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->port, "8080");
  EXPECT_EQ(plain->target, "/a?b=c");
  auto tls = parse_webhook_url("https://hooks.example.com");
  ASSERT_TRUE(tls.has_value());
  EXPECT_TRUE(tls->tls);
  EXPECT_EQ(tls->port, "443");
  EXPECT_EQ(tls->target, "/");
  EXPECT_FALSE(parse_webhook_url("ftp://x/"));
  EXPECT_FALSE(parse_webhook_url("http://user:pw@x/"));
  EXPECT_FALSE(parse_webhook_url("http://:80/"));
  EXPECT_FALSE(parse_webhook_url("http://x:port/"));
}

TEST(WebhookSender, DeliversTheAlertSignedWithHmac) {
  FakeWebhook server({200});
  WebhookSender sender(*parse_webhook_url(server.url()), fast_config(), "hook-secret");
  const std::string alert = R"({"rule":"poisoning.trigger-candidate","priority":"critical"})";
  ASSERT_TRUE(sender.enqueue(alert));
  ASSERT_TRUE(server.wait_for_requests(1));
  const std::string request = server.requests()[0];
  EXPECT_EQ(request.rfind("POST /hook HTTP/1.1", 0), 0u) << request;
  EXPECT_NE(request.find("X-Alignwatch-Signature: " + webhook_signature("hook-secret", alert)),
            std::string::npos)
      << request;
  EXPECT_NE(request.find(alert), std::string::npos);
  EXPECT_EQ(webhook_signature("hook-secret", alert).size(), 7u + 64u);
  for (int i = 0; i < 100 && sender.delivered() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(sender.delivered(), 1u);
}

TEST(WebhookSender, RetriesUntilTheReceiverAccepts) {
  FakeWebhook server({503, 500, 200});
  WebhookSender sender(*parse_webhook_url(server.url()), fast_config(), "");
  ASSERT_TRUE(sender.enqueue("{}"));
  ASSERT_TRUE(server.wait_for_requests(3));
  for (int i = 0; i < 100 && sender.delivered() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(sender.delivered(), 1u);
  EXPECT_EQ(sender.failed_attempts(), 2u);
  EXPECT_EQ(sender.dropped(), 0u);
}

TEST(WebhookSender, GivesUpAfterMaxAttemptsAndCountsTheDrop) {
  FakeWebhook server({500});
  WebhookSender sender(*parse_webhook_url(server.url()), fast_config(), "");
  ASSERT_TRUE(sender.enqueue("{}"));
  ASSERT_TRUE(server.wait_for_requests(3));
  for (int i = 0; i < 100 && sender.dropped() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(sender.dropped(), 1u);
  EXPECT_EQ(sender.delivered(), 0u);
}

TEST(WebhookSender, AFullQueueDropsAndCounts) {
  FakeWebhook server({200}, /*hold=*/true);
  config::WebhookConfig config = fast_config();
  config.queue_capacity = 1;
  WebhookSender sender(*parse_webhook_url(server.url()), config, "");
  ASSERT_TRUE(sender.enqueue("{\"n\":1}"));
  ASSERT_TRUE(server.wait_for_requests(1));  // the first is being delivered, the queue is empty
  EXPECT_TRUE(sender.enqueue("{\"n\":2}"));
  EXPECT_FALSE(sender.enqueue("{\"n\":3}"));
  EXPECT_EQ(sender.dropped(), 1u);
  server.release();
  ASSERT_TRUE(server.wait_for_requests(2));
}

}  // namespace
}  // namespace alignwatch::daemon
