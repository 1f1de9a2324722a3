#pragma once
// A minimal HTTP/1.1 receiver on loopback for webhook tests: it records each request and answers
// with the next status of a list (the last one repeats), optionally holding each answer until
// released.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace alignwatch::testing {

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
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return requests_.size() >= n; });
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

}  // namespace alignwatch::testing
