#include "daemon/http/https_server.h"

// Asio's awaitable.hpp uses std::exchange without including <utility> in Boost 1.74.
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <limits>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "core/logging.h"
#include "daemon/daemon_metrics.h"
#include "daemon/http/api_service.h"
#include "daemon/http/tls_identity.h"

namespace alignwatch::daemon::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kBodyChunk = 256 * 1024;

auto redirect(boost::system::error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

}  // namespace

Status check_api_config(const config::ApiConfig& config) {
  if (!config.enabled) return Status::ok();
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(config.address, ec);
  if (ec) {
    return Status(StatusCode::kInvalidArgument,
                  "api.address: expected an IPv4 or IPv6 literal, got '" + config.address + "'");
  }
  if (!config.tls && !address.is_loopback()) {
    return Status(StatusCode::kInvalidArgument,
                  "api.tls: plain HTTP is allowed only on a loopback address, got api.address " + config.address +
                      " [hint: set api.tls: true, or bind 127.0.0.1]");
  }
  if (config.tls_certificate_file.empty() != config.tls_key_file.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "api.tls_certificate_file and api.tls_key_file: expected both or neither");
  }
  if (config.tls && !config.tls_certificate_file.empty()) {
    auto identity = load_tls_identity(config.tls_certificate_file, config.tls_key_file);
    if (!identity) return Status(identity.error().code(), "api: " + identity.error().message());
  }
  if (config.tls_require_client_certificate && config.tls_client_ca_file.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "api.tls_require_client_certificate: needs api.tls_client_ca_file to check certificates against");
  }
  if (!config.tls_client_ca_file.empty()) {
    std::ifstream ca(config.tls_client_ca_file);
    if (!ca) {
      return Status(StatusCode::kNotFound, "api.tls_client_ca_file: cannot read " + config.tls_client_ca_file);
    }
  }
  return Status::ok();
}

struct HttpsServer::Impl {
  config::ApiConfig config;
  ApiService& service;
  DaemonMetrics& metrics;
  TlsIdentity identity;
  asio::io_context io;
  asio::ssl::context tls{asio::ssl::context::tls_server};
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::atomic<int64_t> open{0};
  std::atomic<bool> stopping{false};
  uint16_t port = 0;

  Impl(const config::ApiConfig& c, ApiService& s, DaemonMetrics& m)
      : config(c), service(s), metrics(m), io(static_cast<int>(c.threads)) {}

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> session(tcp::socket socket);
  template <typename Stream>
  asio::awaitable<void> serve(Stream& stream);
};

asio::awaitable<void> HttpsServer::Impl::accept_loop() {
  auto log = get_logger("aw.api");
  while (!stopping) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor->async_accept(redirect(ec));
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) break;
      log->warn("accept_failed error=\"{}\"", ec.message());
      // Out of descriptors, say: wait a little instead of spinning.
      asio::steady_timer pause(io, std::chrono::milliseconds(50));
      co_await pause.async_wait(redirect(ec));
      continue;
    }
    if (open.load() >= static_cast<int64_t>(config.max_connections)) {
      metrics.api_connection_refused();
      socket.close(ec);
      continue;
    }
    asio::co_spawn(io, session(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> HttpsServer::Impl::session(tcp::socket socket) {
  ++open;
  metrics.api_connection_opened();
  struct Closed {
    Impl& impl;
    ~Closed() {
      --impl.open;
      impl.metrics.api_connection_closed();
    }
  } closed{*this};
  try {
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    if (config.tls) {
      beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), tls);
      beast::get_lowest_layer(stream).expires_after(std::chrono::milliseconds(config.header_timeout_ms));
      co_await stream.async_handshake(asio::ssl::stream_base::server, redirect(ec));
      if (ec) co_return;  // no certificate when one is required, a scanner, a timeout
      co_await serve(stream);
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
      co_await stream.async_shutdown(redirect(ec));
    } else {
      beast::tcp_stream stream(std::move(socket));
      co_await serve(stream);
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  } catch (const std::exception& error) {
    // Boost and the standard library are the only throwers here; one connection ends, the
    // server goes on.
    get_logger("aw.api")->error("connection_failed error=\"{}\"", error.what());
  }
}

template <typename Stream>
asio::awaitable<void> HttpsServer::Impl::serve(Stream& stream) {
  beast::flat_buffer buffer;
  std::vector<char> chunk(kBodyChunk);
  bool first = true;
  while (!stopping) {
    boost::system::error_code ec;
    bhttp::request_parser<bhttp::buffer_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(config.max_header_bytes));
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // ApiService and StagedUpload bound it
    const auto header_wait = std::chrono::milliseconds(first ? config.header_timeout_ms
                                                             : std::max(config.header_timeout_ms, config.idle_timeout_ms));
    first = false;
    beast::get_lowest_layer(stream).expires_after(header_wait);
    co_await bhttp::async_read_header(stream, buffer, parser, redirect(ec));
    const auto request_deadline = Clock::now() + std::chrono::milliseconds(config.request_timeout_ms);
    std::optional<ApiResponse> answer;
    bool keep_alive = false;
    unsigned version = 11;
    if (ec == bhttp::error::header_limit) {
      answer = error_response(431, "headers_too_large",
                              fmt::format("request line and headers over {} bytes", config.max_header_bytes));
    } else if (ec) {
      if (ec != bhttp::error::end_of_stream && ec != beast::error::timeout && ec != asio::error::eof &&
          ec != asio::ssl::error::stream_truncated && ec != asio::error::connection_reset) {
        // Not HTTP: answer once, then close.
        answer = error_response(400, "invalid_argument", "malformed request: " + ec.message());
      } else {
        co_return;
      }
    } else {
      auto& request = parser.get();
      version = request.version();
      keep_alive = request.keep_alive();
      RequestHead head;
      head.method = std::string(request.method_string());
      head.target = std::string(request.target());
      head.authorization = std::string(request[bhttp::field::authorization]);
      head.content_type = std::string(request[bhttp::field::content_type]);
      if (auto length = parser.content_length()) head.content_length = *length;
      const bool expects_continue = beast::iequals(request[bhttp::field::expect], "100-continue");
      ApiService::Prepared prepared = service.prepare(head);

      auto read_some = [&](size_t& got) -> asio::awaitable<boost::system::error_code> {
        boost::system::error_code read_ec;
        const auto left = request_deadline - Clock::now();
        if (left <= Clock::duration::zero()) co_return beast::error::timeout;
        beast::get_lowest_layer(stream).expires_after(
            std::min<Clock::duration>(left, std::chrono::milliseconds(config.idle_timeout_ms)));
        request.body().data = chunk.data();
        request.body().size = chunk.size();
        co_await bhttp::async_read(stream, buffer, parser, redirect(read_ec));
        if (read_ec == bhttp::error::need_buffer) read_ec = {};
        got = chunk.size() - request.body().size;
        co_return read_ec;
      };

      if (prepared.response) {
        answer = std::move(*prepared.response);
        // The body (if any) is not read: the connection ends after the answer.
        if (!parser.is_done()) keep_alive = false;
      } else {
        if (expects_continue && !parser.is_done()) {
          bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, version};
          beast::get_lowest_layer(stream).expires_after(std::chrono::milliseconds(config.idle_timeout_ms));
          co_await bhttp::async_write(stream, go_on, redirect(ec));
          if (ec) co_return;
        }
        std::string body;
        Status failed;
        while (!parser.is_done() && failed.is_ok()) {
          size_t got = 0;
          ec = co_await read_some(got);
          if (ec) break;
          const std::string_view bytes(chunk.data(), got);
          if (prepared.upload) {
            failed = prepared.upload->feed(bytes);
          } else if (body.size() + bytes.size() > prepared.body_limit) {
            failed = Status(StatusCode::kResourceExhausted,
                            fmt::format("request body over {} bytes", prepared.body_limit));
          } else {
            body.append(bytes);
          }
        }
        if (ec == beast::error::timeout) {
          // Too slow: the stream closed itself; whatever was staged goes with the upload session.
          metrics.api_request(408);
          co_return;
        }
        if (ec) {
          if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
              ec == asio::ssl::error::stream_truncated) {
            co_return;  // the client went away mid-body
          }
          answer = error_response(400, "invalid_argument", "malformed request body: " + ec.message(), "body");
          keep_alive = false;
        } else if (!failed.is_ok()) {
          answer = error_response(failed, "body");
          keep_alive = false;
        } else if (prepared.upload) {
          answer = prepared.upload->finish();
        } else {
          answer = service.handle(head, prepared.principal, body);
        }
      }
    }

    bhttp::response<bhttp::string_body> response{static_cast<bhttp::status>(answer->status), version};
    response.set(bhttp::field::server, "alignwatchd");
    response.set(bhttp::field::content_type, answer->content_type);
    response.set(bhttp::field::cache_control, "no-store");
    for (const auto& [name, value] : answer->headers) response.set(name, value);
    response.body() = std::move(answer->body);
    response.keep_alive(keep_alive);
    response.prepare_payload();
    metrics.api_request(answer->status);
    beast::get_lowest_layer(stream).expires_after(std::chrono::milliseconds(config.idle_timeout_ms));
    co_await bhttp::async_write(stream, response, redirect(ec));
    if (ec || !keep_alive) co_return;
  }
}

HttpsServer::HttpsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpsServer::~HttpsServer() { stop(); }

Result<std::unique_ptr<HttpsServer>> HttpsServer::create(const config::ApiConfig& config, ApiService& service,
                                                         DaemonMetrics& metrics,
                                                         const std::filesystem::path& state_dir) {
  AW_RETURN_IF_ERROR(check_api_config(config));
  auto impl = std::make_unique<Impl>(config, service, metrics);
  if (config.tls) {
    if (config.tls_certificate_file.empty()) {
      AW_ASSIGN_OR_RETURN(impl->identity, load_or_create_self_signed(state_dir));
    } else {
      AW_ASSIGN_OR_RETURN(impl->identity, load_tls_identity(config.tls_certificate_file, config.tls_key_file));
    }
    boost::system::error_code ec;
    auto& tls = impl->tls;
    tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                    ec);
    tls.use_certificate_chain_file(impl->identity.certificate_pem.string(), ec);
    if (!ec) tls.use_private_key_file(impl->identity.private_key_pem.string(), asio::ssl::context::pem, ec);
    if (ec) return make_error(StatusCode::kInvalidArgument, "api: the TLS identity: " + ec.message());
    if (!config.tls_client_ca_file.empty()) {
      tls.load_verify_file(config.tls_client_ca_file, ec);
      if (ec) {
        return make_error(StatusCode::kInvalidArgument,
                          "api.tls_client_ca_file: " + config.tls_client_ca_file + ": " + ec.message());
      }
      auto mode = asio::ssl::verify_peer;
      if (config.tls_require_client_certificate) mode |= asio::ssl::verify_fail_if_no_peer_cert;
      tls.set_verify_mode(mode, ec);
    }
  }
  return std::unique_ptr<HttpsServer>(new HttpsServer(std::move(impl)));
}

Status HttpsServer::start() {
  Impl& impl = *impl_;
  boost::system::error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address(impl.config.address), static_cast<uint16_t>(impl.config.port));
  impl.acceptor.emplace(impl.io);
  impl.acceptor->open(endpoint.protocol(), ec);
  if (!ec) impl.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl.acceptor->bind(endpoint, ec);
  if (!ec) impl.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(StatusCode::kUnavailable,
                  fmt::format("api: cannot listen on {}:{}: {}", impl.config.address, impl.config.port, ec.message()));
  }
  impl.port = impl.acceptor->local_endpoint().port();
  asio::co_spawn(impl.io, impl.accept_loop(), asio::detached);
  for (uint64_t i = 0; i < impl.config.threads; ++i) {
    impl.threads.emplace_back([&impl] {
      try {
        impl.io.run();
      } catch (const std::exception& error) {
        get_logger("aw.api")->critical("io_thread_failed error=\"{}\"", error.what());
      }
    });
  }
  return Status::ok();
}

void HttpsServer::stop() {
  if (!impl_) return;
  Impl& impl = *impl_;
  impl.stopping = true;
  impl.io.stop();
  for (auto& thread : impl.threads) {
    if (thread.joinable()) thread.join();
  }
  impl.threads.clear();
}

uint16_t HttpsServer::port() const { return impl_->port; }

std::string HttpsServer::url() const {
  const std::string& address = impl_->config.address;
  const std::string host = address.find(':') != std::string::npos ? "[" + address + "]" : address;
  return fmt::format("{}://{}:{}", impl_->config.tls ? "https" : "http", host, impl_->port);
}

const std::string& HttpsServer::fingerprint_sha256() const { return impl_->identity.fingerprint_sha256; }

bool HttpsServer::certificate_created() const { return impl_->identity.created; }

}  // namespace alignwatch::daemon::http
