#include "daemon/webhook_sender.h"

#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/fake_webhook.h"

namespace alignwatch::daemon {
namespace {

using namespace std::chrono_literals;
using alignwatch::testing::FakeWebhook;

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
