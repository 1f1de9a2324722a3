#include "cli/api_client.h"

// Asio's awaitable.hpp (pulled in by asio.hpp) uses std::exchange without <utility> in 1.74.
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <random>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/http_url.h"

namespace alignwatch::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
namespace fs = std::filesystem;

namespace {

constexpr size_t kChunk = 1 << 20;

std::string normalise_fingerprint(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c))) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string certificate_fingerprint(X509* certificate) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(certificate, EVP_sha256(), digest, &length) != 1) return {};
  std::string out;
  for (unsigned i = 0; i < length; ++i) out += fmt::format("{:02X}", digest[i]);
  return out;
}

std::string random_boundary() {
  std::random_device random;
  return fmt::format("alignwatch-{:08x}{:08x}{:08x}", random(), random(), random());
}

std::string quoted(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

struct ApiClient::Impl {
  ApiClientOptions options;
  HttpUrl url;
  asio::io_context io;
  asio::ssl::context tls{asio::ssl::context::tls_client};

  // A connected stream: plain TCP or TLS, behind one interface of write/read functions.
  struct Connection {
    tcp::socket socket;
    std::unique_ptr<asio::ssl::stream<tcp::socket&>> ssl;
    explicit Connection(asio::io_context& io) : socket(io) {}
    template <typename Buffers>
    void write(const Buffers& buffers, boost::system::error_code& ec) {
      if (ssl) asio::write(*ssl, buffers, ec);
      else asio::write(socket, buffers, ec);
    }
    template <typename Response>
    void read(beast::flat_buffer& buffer, bhttp::response_parser<Response>& parser, boost::system::error_code& ec) {
      if (ssl) bhttp::read(*ssl, buffer, parser, ec);
      else bhttp::read(socket, buffer, parser, ec);
    }
  };

  Result<std::unique_ptr<Connection>> connect() {
    auto connection = std::make_unique<Connection>(io);
    boost::system::error_code ec;
    tcp::resolver resolver(io);
    auto endpoints = resolver.resolve(url.host, url.port, ec);
    if (!ec) asio::connect(connection->socket, endpoints, ec);
    if (ec) {
      return make_error(StatusCode::kUnavailable,
                        fmt::format("cannot connect to {}:{}: {}", url.host, url.port, ec.message()));
    }
    timeval timeout{static_cast<time_t>(options.timeout_ms / 1000), static_cast<suseconds_t>((options.timeout_ms % 1000) * 1000)};
    ::setsockopt(connection->socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(connection->socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    connection->socket.set_option(tcp::no_delay(true), ec);
    if (!url.tls) return connection;
    connection->ssl = std::make_unique<asio::ssl::stream<tcp::socket&>>(connection->socket, tls);
    boost::system::error_code not_an_address;
    asio::ip::make_address(url.host, not_an_address);
    if (not_an_address) SSL_set_tlsext_host_name(connection->ssl->native_handle(), url.host.c_str());
    if (options.fingerprint.empty()) {
      connection->ssl->set_verify_callback(asio::ssl::host_name_verification(url.host), ec);
    }
    connection->ssl->handshake(asio::ssl::stream_base::client, ec);
    if (ec) return make_error(StatusCode::kUnavailable, "TLS handshake with " + options.server + ": " + ec.message());
    if (!options.fingerprint.empty()) {
      X509* peer = SSL_get1_peer_certificate(connection->ssl->native_handle());
      const std::string got = peer ? certificate_fingerprint(peer) : std::string();
      if (peer) X509_free(peer);
      if (got != normalise_fingerprint(options.fingerprint)) {
        return make_error(StatusCode::kUnavailable,
                          "TLS: the server certificate's SHA-256 fingerprint is " + got + ", expected " +
                              normalise_fingerprint(options.fingerprint) + " (pinned with --fingerprint)");
      }
    }
    return connection;
  }

  std::string head(const std::string& method, const std::string& target, const std::string& content_type,
                   uint64_t length) const {
    std::string text = fmt::format("{} {} HTTP/1.1\r\nHost: {}:{}\r\nUser-Agent: alignwatch\r\nConnection: close\r\n",
                                   method, target, url.host, url.port);
    if (!options.token.empty()) text += "Authorization: Bearer " + options.token + "\r\n";
    if (!content_type.empty()) text += "Content-Type: " + content_type + "\r\n";
    text += fmt::format("Content-Length: {}\r\n\r\n", length);
    return text;
  }

  Result<ApiReply> read_reply(Connection& connection, const boost::system::error_code& write_error) {
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1ull << 30);
    boost::system::error_code ec;
    connection.read(buffer, parser, ec);
    if (ec) {
      // A server that answers early (413) and closes may cut our write short: its answer, if it
      // arrived, is what matters.
      const auto& cause = write_error ? write_error : ec;
      return make_error(StatusCode::kUnavailable, "reading the reply from " + options.server + ": " + cause.message());
    }
    auto& response = parser.get();
    ApiReply reply;
    reply.status = response.result_int();
    reply.content_type = std::string(response[bhttp::field::content_type]);
    reply.retry_after = std::string(response[bhttp::field::retry_after]);
    reply.body = std::move(response.body());
    return reply;
  }
};

ApiClient::ApiClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ApiClient::~ApiClient() = default;

Result<std::unique_ptr<ApiClient>> ApiClient::create(ApiClientOptions options) {
  auto impl = std::make_unique<Impl>();
  AW_ASSIGN_OR_RETURN(impl->url, parse_http_url(options.server, "--server"));
  impl->options = std::move(options);
  boost::system::error_code ec;
  auto& tls = impl->tls;
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1,
                  ec);
  if (!impl->options.fingerprint.empty()) {
    if (normalise_fingerprint(impl->options.fingerprint).size() != 64) {
      return make_error(StatusCode::kInvalidArgument, "--fingerprint: expected 64 hex digits (SHA-256)");
    }
    tls.set_verify_mode(asio::ssl::verify_none, ec);  // the pin is checked after the handshake
  } else {
    if (!impl->options.ca_file.empty()) tls.load_verify_file(impl->options.ca_file, ec);
    else tls.set_default_verify_paths(ec);
    if (ec) return make_error(StatusCode::kInvalidArgument, "--ca " + impl->options.ca_file + ": " + ec.message());
    tls.set_verify_mode(asio::ssl::verify_peer, ec);
  }
  if (!impl->options.client_certificate.empty()) {
    tls.use_certificate_chain_file(impl->options.client_certificate, ec);
    if (!ec) tls.use_private_key_file(impl->options.client_key, asio::ssl::context::pem, ec);
    if (ec) return make_error(StatusCode::kInvalidArgument, "--client-cert/--client-key: " + ec.message());
  }
  return std::unique_ptr<ApiClient>(new ApiClient(std::move(impl)));
}

Result<ApiReply> ApiClient::request(const std::string& method, const std::string& target, const std::string& body,
                                    const std::string& content_type) {
  AW_ASSIGN_OR_RETURN(auto connection, impl_->connect());
  const std::string text = impl_->head(method, target, body.empty() ? std::string() : content_type, body.size()) + body;
  boost::system::error_code ec;
  connection->write(asio::buffer(text), ec);
  return impl_->read_reply(*connection, ec);
}

Result<ApiReply> ApiClient::upload(const std::string& target, const fs::path& path, const UploadProgress& progress) {
  std::error_code fs_error;
  struct Part {
    fs::path path;
    std::string header;
    uint64_t size = 0;
  };
  std::vector<Part> parts;
  std::string boundary;
  std::string content_type = "application/octet-stream";
  uint64_t total = 0;
  if (fs::is_directory(path, fs_error)) {
    boundary = random_boundary();
    content_type = "multipart/form-data; boundary=" + boundary;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(path, fs_error)) {
      if (entry.is_regular_file() && !entry.is_symlink()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      Part part{file, fmt::format("--{}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n"
                                  "Content-Type: application/octet-stream\r\n\r\n",
                                  boundary, quoted(file.filename().string())),
                fs::file_size(file, fs_error)};
      total += part.header.size() + part.size + 2;
      parts.push_back(std::move(part));
    }
    if (parts.empty()) return make_error(StatusCode::kInvalidArgument, path.string() + ": no files to upload");
    total += boundary.size() + 6;  // "--" boundary "--\r\n"
  } else {
    const uint64_t size = fs::file_size(path, fs_error);
    if (fs_error) return make_error(StatusCode::kNotFound, path.string() + ": " + fs_error.message());
    parts.push_back(Part{path, "", size});
    total = size;
  }
  AW_ASSIGN_OR_RETURN(auto connection, impl_->connect());
  boost::system::error_code ec;
  connection->write(asio::buffer(impl_->head("POST", target, content_type, total)), ec);
  std::vector<char> chunk(kChunk);
  uint64_t sent = 0;
  for (const Part& part : parts) {
    if (ec) break;
    if (!part.header.empty()) {
      connection->write(asio::buffer(part.header), ec);
      sent += part.header.size();
    }
    std::ifstream in(part.path, std::ios::binary);
    if (!in) return make_error(StatusCode::kNotFound, "cannot read " + part.path.string());
    while (!ec && in) {
      in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      const auto got = static_cast<size_t>(in.gcount());
      if (got == 0) break;
      connection->write(asio::buffer(chunk.data(), got), ec);
      sent += got;
      if (progress) progress(sent, total);
    }
    if (!boundary.empty() && !ec) {
      connection->write(asio::buffer(std::string("\r\n")), ec);
      sent += 2;
    }
  }
  if (!boundary.empty() && !ec) connection->write(asio::buffer("--" + boundary + "--\r\n"), ec);
  if (progress && !ec) progress(total, total);
  return impl_->read_reply(*connection, ec);
}

std::string describe_error_reply(const ApiReply& reply) {
  auto json = nlohmann::json::parse(reply.body, nullptr, false);
  std::string message = reply.body.substr(0, 200);
  if (json.is_object() && json.contains("message") && json["message"].is_string()) {
    message = json["message"].get<std::string>();
    if (json.contains("location") && json["location"].is_string()) message += " (at " + json["location"].get<std::string>() + ")";
  }
  return fmt::format("{} (HTTP {})", message, reply.status);
}

}  // namespace alignwatch::cli
