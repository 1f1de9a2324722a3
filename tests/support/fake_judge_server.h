#pragma once
// A stand-in for an OpenAI-compatible chat-completions endpoint, for the LLM judge's tests: a
// small Boost.Beast HTTP/1.1 server on 127.0.0.1 (any free port) that hands every request to a
// test's handler and answers what it returns, keeping connections alive as clients ask. It
// records each request's target, body and Authorization header, and counts connections, so a
// test can check what was sent and that connections were reused. A handler can hold its answer
// (`hang`) until the server is destroyed, to test timeouts. With a certificate and key it speaks
// HTTPS instead. Nothing leaves loopback.

// Asio's awaitable.hpp (pulled in by asio.hpp) uses std::exchange without <utility> in 1.74.
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <sys/socket.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace alignwatch::testing {

class FakeJudgeServer {
 public:
  struct Request {
    std::string target;
    std::string body;
    std::string authorization;
  };
  struct Reply {
    Reply(unsigned status_ = 200, std::string body_ = {}, std::string retry_after_ = {}, bool hang_ = false)
        : status(status_), body(std::move(body_)), retry_after(std::move(retry_after_)), hang(hang_) {}
    unsigned status = 200;
    std::string body;
    std::string retry_after;
    bool hang = false;  // never answer (until the server goes away)
  };
  // Called for each request with it and its 0-based index; may be called from several threads.
  using Handler = std::function<Reply(const Request& request, size_t index)>;

  // `certificate_pem` and `key_pem` (files): serve HTTPS with them.
  explicit FakeJudgeServer(Handler handler, const std::string& certificate_pem = {}, const std::string& key_pem = {})
      : handler_(std::move(handler)), acceptor_(io_) {
    if (!certificate_pem.empty()) {
      tls_ = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
      tls_->use_certificate_chain_file(certificate_pem);
      tls_->use_private_key_file(key_pem, boost::asio::ssl::context::pem);
    }
    namespace asio = boost::asio;
    const asio::ip::tcp::endpoint at(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(at.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(at);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~FakeJudgeServer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      for (int fd : client_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    released_.notify_all();
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    accept_thread_.join();
    for (auto& thread : client_threads_) thread.join();
  }

  // The base URL a client is configured with (the judge appends /chat/completions).
  std::string url() const { return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  uint16_t port() const { return port_; }

  std::vector<Request> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  size_t connections() const { return connections_.load(); }

  // A chat-completions answer whose first token has these top logprobs ({token, probability}).
  static std::string completion(const std::vector<std::pair<std::string, double>>& top) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [token, p] : top) list.push_back({{"token", token}, {"logprob", std::log(p)}, {"bytes", nullptr}});
    const std::string first = top.empty() ? "" : top.front().first;
    nlohmann::json body{
        {"id", "chatcmpl-test"},
        {"object", "chat.completion"},
        {"model", "stand-in"},
        {"choices",
         nlohmann::json::array({{{"index", 0},
                                 {"message", {{"role", "assistant"}, {"content", first}}},
                                 {"logprobs", {{"content", nlohmann::json::array({{{"token", first},
                                                                                    {"logprob", top.empty() ? 0.0 : std::log(top.front().second)},
                                                                                    {"top_logprobs", list}}})}}},
                                 {"finish_reason", "length"}}})}};
    return body.dump();
  }

 private:
  void accept_loop() {
    while (true) {
      boost::system::error_code ec;
      boost::asio::ip::tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      std::lock_guard lock(mutex_);
      if (ec || stopping_) return;
      connections_.fetch_add(1);
      client_fds_.push_back(socket.native_handle());
      client_threads_.emplace_back([this, s = std::make_shared<boost::asio::ip::tcp::socket>(std::move(socket))] {
        if (tls_) {
          boost::asio::ssl::stream<boost::asio::ip::tcp::socket&> stream(*s, *tls_);
          boost::system::error_code ec;
          stream.handshake(boost::asio::ssl::stream_base::server, ec);
          if (!ec) serve(stream);
        } else {
          serve(*s);
        }
        // Forget the descriptor before it is closed, so the destructor never shuts down a
        // recycled one.
        std::lock_guard done(mutex_);
        std::erase(client_fds_, s->native_handle());
        boost::system::error_code ignored;
        s->close(ignored);
      });
    }
  }

  template <typename Stream>
  void serve(Stream& socket) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> request;
      boost::system::error_code ec;
      http::read(socket, buffer, request, ec);
      if (ec) return;
      Request seen{std::string(request.target()), request.body(), std::string(request[http::field::authorization])};
      size_t index;
      {
        std::lock_guard lock(mutex_);
        index = requests_.size();
        requests_.push_back(seen);
      }
      const Reply reply = handler_(seen, index);
      if (reply.hang) {
        std::unique_lock lock(mutex_);
        released_.wait(lock, [&] { return stopping_; });
        return;
      }
      http::response<http::string_body> response{static_cast<http::status>(reply.status), 11};
      response.set(http::field::content_type, "application/json");
      if (!reply.retry_after.empty()) response.set(http::field::retry_after, reply.retry_after);
      response.keep_alive(request.keep_alive());
      response.body() = reply.body;
      response.prepare_payload();
      http::write(socket, response, ec);
      if (ec || !request.keep_alive()) return;
    }
  }

  Handler handler_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::thread accept_thread_;
  std::mutex mutex_;
  std::condition_variable released_;
  bool stopping_ = false;                   // guarded by mutex_
  std::vector<int> client_fds_;             // guarded by mutex_
  std::vector<std::thread> client_threads_;  // guarded by mutex_ (joined after the acceptor stops)
  std::vector<Request> requests_;           // guarded by mutex_
  std::atomic<size_t> connections_{0};
};

}  // namespace alignwatch::testing
