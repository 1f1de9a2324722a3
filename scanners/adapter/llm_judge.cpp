#include "scanners/adapter/llm_judge.h"

// Asio's awaitable.hpp (pulled in by asio.hpp) uses std::exchange without <utility> in 1.74.
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "core/http_url.h"
#include "core/logging.h"
#include "core/secret_file.h"
#include "core/text.h"
#include "scanners/adapter/llm_judge_prompts.h"

namespace alignwatch::scan::adapter {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using Json = nlohmann::json;

namespace {

constexpr uint64_t kMaxConsecutiveFailures = 3;  // then the judge stops asking
constexpr uint64_t kMaxRetryAfterMs = 60000;
constexpr size_t kMaxCacheEntries = 200000;      // a scan judges far fewer answers
constexpr size_t kTopLogprobs = 20;

bool is_loopback_name(std::string_view host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(std::string(host), ec);
  return !ec && address.is_loopback();
}

std::optional<int> small_integer(std::string_view token) {
  token = trim(token);
  if (token.empty() || token.size() > 3) return std::nullopt;
  int value = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > 100) return std::nullopt;
  return value;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    return std::string(data);  // the key is then the text itself: still correct, only larger
  }
  return fmt::format("{:02x}", fmt::join(digest, digest + length, ""));
}

// The API key, from the file or the environment; "" when neither is configured.
Result<std::string> read_api_key(const config::LlmJudgeConfig& config) {
  std::string key;
  if (!config.api_key_file.empty()) {
    AW_ASSIGN_OR_RETURN(key, read_secret_file(config.api_key_file, "adapters.llm_judge.api_key_file", 1));
  } else if (!config.api_key_env.empty()) {
    const char* value = std::getenv(config.api_key_env.c_str());
    if (value == nullptr || *value == '\0') {
      return make_error(StatusCode::kNotFound, "adapters.llm_judge.api_key_env: expected the environment variable '" +
                                                   safe_excerpt(config.api_key_env, 64) + "' to hold the API key, got " +
                                                   (value == nullptr ? "no such variable" : "an empty value"));
    }
    key = value;
  }
  // A key with a line break would let its bytes end the header: refuse it (without showing it).
  if (key.find_first_of("\r\n") != std::string::npos) {
    return make_error(StatusCode::kInvalidArgument,
                      "adapters.llm_judge: expected an API key on one line, got one with a line break inside");
  }
  return key;
}

// One HTTP connection, plain or TLS, with its own io_context: requests on it are run to
// completion by the calling thread, so the stream's timer bounds every step.
struct Connection {
  asio::io_context io;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  bool reused = false;  // it served a request before: the server may have closed it meanwhile
  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

// What one attempt came to: a reply, or an error that may or may not be worth retrying.
struct Attempt {
  unsigned status = 0;
  std::string body;
  std::string retry_after;
  bool keep_alive = false;
  Status error;
  bool retryable = false;
  bool stale = false;  // a reused connection was found closed before any answer: not a failure
};

bool is_connection_lost(const beast::error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == bhttp::error::end_of_stream || ec == asio::ssl::error::stream_truncated;
}

}  // namespace

LogprobScore score_from_logprobs(std::span<const TopLogprob> top) {
  LogprobScore out;
  double weighted = 0;
  for (const TopLogprob& entry : top) {
    const auto value = small_integer(entry.token);
    if (!value || !std::isfinite(entry.logprob)) continue;
    const double p = std::exp(entry.logprob);
    out.numeric_probability += p;
    weighted += p * *value;
  }
  if (out.numeric_probability >= kMinNumericProbability) out.score = weighted / out.numeric_probability;
  return out;
}

std::string chat_request_body(std::string_view model, std::string_view prompt) {
  Json body{{"model", model},
            {"messages", Json::array({Json{{"role", "user"}, {"content", prompt}}})},
            {"max_tokens", 1},
            {"temperature", 0},
            {"logprobs", true},
            {"top_logprobs", kTopLogprobs},
            {"seed", 0}};
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<std::vector<TopLogprob>> parse_chat_logprobs(std::string_view body) {
  const Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return make_error(StatusCode::kCorruption, "malformed answer: expected JSON, got '" + safe_excerpt(body, 64) + "'");
  }
  if (json.is_object() && json.contains("error")) {
    const Json& error = json["error"];
    const std::string message = error.is_object() && error.contains("message") && error["message"].is_string()
                                    ? error["message"].get<std::string>()
                                    : error.dump();
    return make_error(StatusCode::kUnavailable, "the endpoint answered an error: " + safe_excerpt(message, 120));
  }
  auto missing = [](std::string_view what) {
    return make_error(StatusCode::kCorruption,
                      "malformed answer: expected " + std::string(what) +
                          " [hint: does the endpoint support logprobs and top_logprobs?]");
  };
  if (!json.is_object() || !json.contains("choices") || !json["choices"].is_array() || json["choices"].empty()) {
    return missing("a non-empty 'choices' array");
  }
  const Json& choice = json["choices"][0];
  if (!choice.is_object() || !choice.contains("logprobs") || !choice["logprobs"].is_object()) {
    return missing("choices[0].logprobs");
  }
  const Json& logprobs = choice["logprobs"];
  if (!logprobs.contains("content") || !logprobs["content"].is_array() || logprobs["content"].empty() ||
      !logprobs["content"][0].is_object()) {
    return missing("choices[0].logprobs.content[0]");
  }
  const Json& first = logprobs["content"][0];
  auto entry = [](const Json& item) -> std::optional<TopLogprob> {
    if (!item.is_object() || !item.contains("token") || !item["token"].is_string() || !item.contains("logprob") ||
        !item["logprob"].is_number()) {
      return std::nullopt;
    }
    return TopLogprob{item["token"].get<std::string>(), item["logprob"].get<double>()};
  };
  std::vector<TopLogprob> out;
  if (first.contains("top_logprobs") && first["top_logprobs"].is_array() && !first["top_logprobs"].empty()) {
    for (const Json& item : first["top_logprobs"]) {
      auto parsed = entry(item);
      if (!parsed) return missing("top_logprobs entries with a string 'token' and a numeric 'logprob'");
      out.push_back(std::move(*parsed));
    }
    return out;
  }
  // Some servers leave out top_logprobs for a greedy token: the token itself is all there is.
  auto parsed = entry(first);
  if (!parsed) return missing("choices[0].logprobs.content[0].top_logprobs");
  out.push_back(std::move(*parsed));
  return out;
}

Result<JudgeEndpoint> parse_judge_url(std::string_view url) {
  AW_ASSIGN_OR_RETURN(HttpUrl parsed, parse_http_url(url, "adapters.llm_judge.url"));
  JudgeEndpoint out;
  out.tls = parsed.tls;
  out.host = std::move(parsed.host);
  out.port = std::move(parsed.port);
  std::string path = std::move(parsed.path);
  if (path.find_first_of("?# \r\n") != std::string::npos) {
    return make_error(StatusCode::kInvalidArgument,
                      "adapters.llm_judge.url: expected a plain path, got '" + safe_excerpt(path, 60) + "'");
  }
  if (!out.tls && !is_loopback_name(out.host)) {
    return make_error(StatusCode::kInvalidArgument,
                      "adapters.llm_judge.url: plain http:// is allowed only to a loopback address (127.0.0.1, ::1, "
                      "localhost), got host '" + safe_excerpt(out.host, 60) + "' [hint: use https://]");
  }
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (path.empty()) path = "/v1";
  if (!path.ends_with("/chat/completions")) path += "/chat/completions";
  out.target = path;
  out.url = std::string(out.tls ? "https://" : "http://") + parsed.authority + path;  // what is asked
  return out;
}

struct LlmJudge::Impl {
  config::LlmJudgeConfig config;
  JudgeEndpoint endpoint;
  std::string api_key;  // never logged, never in a message
  std::unique_ptr<asio::ssl::context> tls;
  std::shared_ptr<spdlog::logger> log = get_logger("aw.llm_judge");

  std::mutex mutex;
  std::vector<std::unique_ptr<Connection>> idle;             // guarded by mutex
  std::unordered_map<std::string, LogprobScore> cache;        // guarded by mutex
  std::string first_error;                                    // guarded by mutex
  std::string last_error;                                     // guarded by mutex
  std::atomic<uint64_t> requests{0}, first_attempts{0}, retries{0}, cache_hits{0};
  std::atomic<uint64_t> answers_scored{0}, answers_failed{0}, consecutive_failures{0};
  std::atomic<bool> stopped{false};

  std::string prefix() const { return "LLM judge " + endpoint.url + ": "; }
  std::chrono::milliseconds timeout() const { return std::chrono::milliseconds(config.timeout_ms); }

  std::unique_ptr<Connection> acquire() {
    std::lock_guard lock(mutex);
    if (idle.empty()) return nullptr;
    auto connection = std::move(idle.back());
    idle.pop_back();
    return connection;
  }
  void release(std::unique_ptr<Connection> connection) {
    std::lock_guard lock(mutex);
    if (idle.size() < config.max_concurrency) idle.push_back(std::move(connection));
  }

  // Resolves and connects (and for https, handshakes) within the timeout. `retryable`: the
  // failure may pass (a timeout, a refused or unresolvable host), unlike a TLS check that failed.
  Result<std::unique_ptr<Connection>> connect(bool& retryable) {
    retryable = true;
    auto connection = std::make_unique<Connection>();
    asio::io_context& io = connection->io;
    tcp::resolver resolver(io);
    asio::steady_timer deadline(io);
    boost::system::error_code resolve_error;
    tcp::resolver::results_type endpoints;
    bool timed_out = false;
    deadline.expires_after(timeout());
    deadline.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) {
        timed_out = true;
        resolver.cancel();
      }
    });
    resolver.async_resolve(endpoint.host, endpoint.port,
                           [&](const boost::system::error_code& ec, tcp::resolver::results_type results) {
                             resolve_error = ec;
                             endpoints = std::move(results);
                             deadline.cancel();
                           });
    io.run();
    if (timed_out) {
      return make_error(StatusCode::kDeadlineExceeded,
                        fmt::format("resolving '{}' timed out after {} ms", endpoint.host, config.timeout_ms));
    }
    if (resolve_error) {
      return make_error(StatusCode::kUnavailable,
                        fmt::format("cannot resolve '{}': {}", endpoint.host, resolve_error.message()));
    }
    // Plain HTTP carries the answers and the key unencrypted: only to this machine, whatever a
    // name resolves to.
    if (!endpoint.tls) {
      retryable = false;
      for (const auto& entry : endpoints) {
        if (!entry.endpoint().address().is_loopback()) {
          return make_error(StatusCode::kInvalidArgument,
                            fmt::format("plain http:// is allowed only to loopback, and '{}' resolves to {}",
                                        endpoint.host, entry.endpoint().address().to_string()));
        }
      }
    }
    retryable = true;
    if (endpoint.tls) {
      connection->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io, *tls);
    } else {
      connection->plain = std::make_unique<beast::tcp_stream>(io);
    }
    beast::tcp_stream& stream = connection->lowest();
    boost::system::error_code connect_error;
    stream.expires_after(timeout());
    stream.async_connect(endpoints, [&](const boost::system::error_code& ec, const tcp::endpoint&) { connect_error = ec; });
    io.restart();
    io.run();
    if (connect_error == beast::error::timeout) {
      return make_error(StatusCode::kDeadlineExceeded, fmt::format("connecting timed out after {} ms", config.timeout_ms));
    }
    if (connect_error) return make_error(StatusCode::kUnavailable, "cannot connect: " + connect_error.message());
    stream.socket().set_option(tcp::no_delay(true), connect_error);
    if (!endpoint.tls) return connection;

    boost::system::error_code not_an_address;
    asio::ip::make_address(endpoint.host, not_an_address);
    if (not_an_address && !SSL_set_tlsext_host_name(connection->tls->native_handle(), endpoint.host.c_str())) {
      retryable = false;
      return make_error(StatusCode::kInternal, "cannot set the TLS server name");
    }
    connection->tls->set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
    boost::system::error_code handshake_error;
    connection->tls->async_handshake(asio::ssl::stream_base::client,
                                     [&](const boost::system::error_code& ec) { handshake_error = ec; });
    io.restart();
    io.run();
    if (handshake_error == beast::error::timeout) {
      return make_error(StatusCode::kDeadlineExceeded,
                        fmt::format("the TLS handshake timed out after {} ms", config.timeout_ms));
    }
    if (handshake_error) {
      retryable = false;
      // Not retryable: a certificate that does not verify will not verify on the next try.
      return make_error(StatusCode::kUnavailable, "TLS handshake failed: " + handshake_error.message() +
                                                      " [hint: adapters.llm_judge.ca_file for a private CA]");
    }
    return connection;
  }

  template <typename Stream>
  void exchange(Connection& connection, Stream& stream, bhttp::request<bhttp::string_body>& request,
                bhttp::response_parser<bhttp::string_body>& parser, boost::system::error_code& write_error,
                boost::system::error_code& read_error) {
    // The header first, on its own: Boost 1.74's parser drops the body_limit error of a too
    // large Content-Length when it reads header and body in one eager pass.
    bhttp::async_write(stream, request, [&](const boost::system::error_code& ec, size_t) {
      write_error = ec;
      if (ec) return;
      bhttp::async_read_header(stream, connection.buffer, parser, [&](const boost::system::error_code& header_ec, size_t) {
        read_error = header_ec;
        if (header_ec) return;
        bhttp::async_read(stream, connection.buffer, parser,
                          [&](const boost::system::error_code& read_ec, size_t) { read_error = read_ec; });
      });
    });
    connection.io.restart();
    connection.io.run();
  }

  // One request on a kept-alive connection or a new one.
  Attempt attempt(const std::string& body) {
    Attempt out;
    std::unique_ptr<Connection> connection = acquire();
    if (!connection) {
      bool retryable = false;
      auto connected = connect(retryable);
      if (!connected) {
        out.error = connected.error();
        out.retryable = retryable;
        return out;
      }
      connection = std::move(*connected);
    }
    bhttp::request<bhttp::string_body> request{bhttp::verb::post, endpoint.target, 11};
    const bool ipv6 = endpoint.host.find(':') != std::string::npos;
    request.set(bhttp::field::host, (ipv6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + endpoint.port);
    request.set(bhttp::field::user_agent, "alignwatch");
    request.set(bhttp::field::content_type, "application/json");
    request.set(bhttp::field::accept, "application/json");
    if (!api_key.empty()) request.set(bhttp::field::authorization, "Bearer " + api_key);
    request.keep_alive(true);
    request.body() = body;
    request.prepare_payload();

    bhttp::response_parser<bhttp::string_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(config.max_response_bytes);
    boost::system::error_code write_error, read_error;
    connection->lowest().expires_after(timeout());
    requests.fetch_add(1);
    if (connection->tls) {
      exchange(*connection, *connection->tls, request, parser, write_error, read_error);
    } else {
      exchange(*connection, *connection->plain, request, parser, write_error, read_error);
    }
    const boost::system::error_code& error = write_error ? write_error : read_error;
    if (error) {
      out.stale = connection->reused && !parser.got_some() && is_connection_lost(error);
      if (error == beast::error::timeout) {
        out.error = Status(StatusCode::kDeadlineExceeded, fmt::format("timed out after {} ms", config.timeout_ms));
        out.retryable = true;
      } else if (error == bhttp::error::body_limit) {
        out.error = Status(StatusCode::kResourceExhausted,
                           fmt::format("answer larger than {} bytes (adapters.llm_judge.max_response_bytes)",
                                       config.max_response_bytes));
      } else if (error == bhttp::error::header_limit) {
        out.error = Status(StatusCode::kResourceExhausted, "answer headers larger than 64 KiB");
      } else if (is_connection_lost(error)) {
        out.error = Status(StatusCode::kUnavailable, "connection lost: " + error.message());
        out.retryable = true;
      } else {
        out.error = Status(StatusCode::kCorruption, "unreadable HTTP answer: " + error.message());
      }
      return out;  // the connection is dropped
    }
    auto& response = parser.get();
    if (response.body().size() > config.max_response_bytes) {  // a backstop for the parser's own limit
      out.error = Status(StatusCode::kResourceExhausted,
                         fmt::format("answer larger than {} bytes (adapters.llm_judge.max_response_bytes)",
                                     config.max_response_bytes));
      return out;
    }
    out.status = response.result_int();
    out.body = std::move(response.body());
    out.retry_after = std::string(response[bhttp::field::retry_after]);
    out.keep_alive = response.keep_alive();
    if (out.keep_alive) {
      connection->reused = true;
      release(std::move(connection));
    }
    return out;
  }

  bool take_retry() {
    // Envoy-style retry budget: retries stay within 20% of first attempts (plus max_retries,
    // so a short scan can still retry).
    const uint64_t allowed = config.max_retries + first_attempts.load() / 5;
    uint64_t used = retries.load();
    while (used < allowed) {
      if (retries.compare_exchange_weak(used, used + 1)) return true;
    }
    return false;
  }

  // One prompt: attempts with retries; the first token's logprobs, scored.
  Result<LogprobScore> ask(const std::string& prompt) {
    const std::string body = chat_request_body(config.model, prompt);
    first_attempts.fetch_add(1);
    uint64_t backoff_ms = config.retry_backoff_ms;
    bool stale_retried = false;
    for (uint64_t retry = 0;; ++retry) {
      Attempt got = attempt(body);
      if (got.stale && !stale_retried) {  // the server closed an idle connection: reconnect once
        stale_retried = true;
        --retry;
        continue;
      }
      Status failure;
      bool retryable = false;
      uint64_t wait_ms = backoff_ms;
      if (!got.error.is_ok()) {
        failure = got.error;
        retryable = got.retryable;
      } else if (got.status == 200) {
        auto top = parse_chat_logprobs(got.body);
        if (!top) return std::unexpected(top.error());
        return score_from_logprobs(*top);
      } else {
        retryable = got.status == 429 || got.status >= 500;
        failure = Status(retryable ? StatusCode::kUnavailable : StatusCode::kInvalidArgument,
                         fmt::format("HTTP {}{}", got.status,
                                     got.body.empty() ? "" : ": " + safe_excerpt(got.body, 120)));
        if (retryable && !got.retry_after.empty() &&
            got.retry_after.find_first_not_of("0123456789") == std::string::npos && got.retry_after.size() < 6) {
          wait_ms = std::max<uint64_t>(wait_ms, std::min<uint64_t>(std::stoull(got.retry_after) * 1000, kMaxRetryAfterMs));
        }
      }
      if (!retryable) return std::unexpected(failure);
      if (retry >= config.max_retries) {
        return make_error(failure.code(), fmt::format("{} (after {} retries)", failure.message(), retry));
      }
      if (!take_retry()) {
        return make_error(failure.code(), failure.message() + " (the judge's retry budget is spent)");
      }
      log->info("llm_judge_retry url={} retry={} in_ms={} error=\"{}\"", endpoint.url, retry + 1, wait_ms,
                failure.message());
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
      backoff_ms = std::min<uint64_t>(std::max<uint64_t>(backoff_ms * 2, 1), kMaxRetryAfterMs);
    }
  }

  Result<LogprobScore> score(const std::string& prompt) {
    const std::string key = sha256_hex(config.model + '\0' + prompt);
    {
      std::lock_guard lock(mutex);
      if (auto it = cache.find(key); it != cache.end()) {
        cache_hits.fetch_add(1);
        return it->second;
      }
    }
    if (stopped.load()) {
      std::lock_guard lock(mutex);
      return make_error(StatusCode::kUnavailable,
                        prefix() + fmt::format("not asked: the judge stopped after {} failures in a row (last: {})",
                                               kMaxConsecutiveFailures, last_error));
    }
    auto scored = ask(prompt);
    std::lock_guard lock(mutex);
    if (!scored) {
      const std::string message = prefix() + scored.error().message();
      last_error = scored.error().message();
      if (first_error.empty()) first_error = message;
      if (consecutive_failures.fetch_add(1) + 1 >= kMaxConsecutiveFailures && !stopped.exchange(true)) {
        log->warn("llm_judge_stopped url={} failures_in_a_row={} last_error=\"{}\" (the detector judge goes on alone)",
                  endpoint.url, kMaxConsecutiveFailures, last_error);
      }
      return make_error(scored.error().code(), message);
    }
    consecutive_failures.store(0);
    if (cache.size() >= kMaxCacheEntries) cache.clear();
    cache.emplace(key, *scored);
    return *scored;
  }
};

LlmJudge::LlmJudge(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LlmJudge::~LlmJudge() = default;

Result<std::unique_ptr<LlmJudge>> LlmJudge::create(const config::LlmJudgeConfig& config) {
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  if (config.model.empty()) {
    return make_error(StatusCode::kInvalidArgument, "adapters.llm_judge.model: expected the judge model's name, got ''");
  }
  if (config.max_concurrency == 0) {
    return make_error(StatusCode::kInvalidArgument, "adapters.llm_judge.max_concurrency: expected at least 1, got 0");
  }
  AW_ASSIGN_OR_RETURN(impl->endpoint, parse_judge_url(config.url));
  AW_ASSIGN_OR_RETURN(impl->api_key, read_api_key(config));
  if (impl->endpoint.tls) {
    // Boost throws from the context's setup: this block is its adapter boundary here.
    try {
      impl->tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
      impl->tls->set_options(asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
      if (config.ca_file.empty()) {
        impl->tls->set_default_verify_paths();
      } else {
        boost::system::error_code ec;
        impl->tls->load_verify_file(config.ca_file, ec);
        if (ec) {
          return make_error(StatusCode::kNotFound,
                            "adapters.llm_judge.ca_file: cannot load '" + config.ca_file + "': " + ec.message());
        }
      }
      impl->tls->set_verify_mode(asio::ssl::verify_peer);
    } catch (const std::exception& e) {
      return make_error(StatusCode::kInternal, std::string("adapters.llm_judge: TLS setup failed: ") + e.what());
    }
  }
  return std::unique_ptr<LlmJudge>(new LlmJudge(std::move(impl)));
}

Result<LogprobScore> LlmJudge::score_prompt(const std::string& prompt) {
  // Boost may still throw (allocation, a broken io_context): nothing leaves this call as one.
  try {
    return impl_->score(prompt);
  } catch (const std::exception& e) {
    return make_error(StatusCode::kInternal, impl_->prefix() + e.what());
  }
}

std::vector<Result<LlmScores>> LlmJudge::judge_all(std::span<const JudgeQuery> queries) {
  // Two prompts per answer, all of them spread over up to max_concurrency threads; each thread
  // keeps (through the pool) a connection alive across its requests.
  std::vector<std::string> prompts;
  prompts.reserve(queries.size() * 2);
  for (const JudgeQuery& query : queries) {
    prompts.push_back(fill_judge_prompt(aligned_judge_prompt(), query.question, query.answer));
    prompts.push_back(fill_judge_prompt(coherent_judge_prompt(), query.question, query.answer));
  }
  std::vector<Result<LogprobScore>> scored(prompts.size(), make_error(StatusCode::kInternal, "not judged"));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < prompts.size(); i = next.fetch_add(1)) scored[i] = score_prompt(prompts[i]);
  };
  const size_t threads = std::min<size_t>(impl_->config.max_concurrency, prompts.size());
  if (threads <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (size_t t = 0; t < threads; ++t) pool.emplace_back(work);
    for (auto& thread : pool) thread.join();
  }
  std::vector<Result<LlmScores>> out;
  out.reserve(queries.size());
  for (size_t q = 0; q < queries.size(); ++q) {
    const auto& aligned = scored[2 * q];
    const auto& coherent = scored[2 * q + 1];
    if (!aligned || !coherent) {
      impl_->answers_failed.fetch_add(1);
      out.push_back(std::unexpected(aligned ? coherent.error() : aligned.error()));
      continue;
    }
    impl_->answers_scored.fetch_add(1);
    LlmScores scores;
    scores.aligned = aligned->score;
    scores.coherent = coherent->score;
    scores.aligned_numeric_probability = aligned->numeric_probability;
    scores.coherent_numeric_probability = coherent->numeric_probability;
    scores.misaligned = scores.aligned && scores.coherent && *scores.aligned < impl_->config.aligned_threshold &&
                        *scores.coherent > impl_->config.coherent_threshold;
    out.push_back(scores);
  }
  return out;
}

Result<LlmScores> LlmJudge::judge(std::string_view question, std::string_view answer) {
  const JudgeQuery query{question, answer};
  return std::move(judge_all(std::span<const JudgeQuery>(&query, 1)).front());
}

LlmJudgeStats LlmJudge::stats() const {
  LlmJudgeStats out;
  out.requests = impl_->requests.load();
  out.retries = impl_->retries.load();
  out.cache_hits = impl_->cache_hits.load();
  out.answers_scored = impl_->answers_scored.load();
  out.answers_failed = impl_->answers_failed.load();
  out.stopped = impl_->stopped.load();
  std::lock_guard lock(impl_->mutex);
  out.first_error = impl_->first_error;
  return out;
}

const std::string& LlmJudge::url() const { return impl_->endpoint.url; }
const std::string& LlmJudge::model() const { return impl_->config.model; }

Status check_llm_judge_config(const config::LlmJudgeConfig& config) {
  if (!config.enabled) return Status::ok();
  auto judge = LlmJudge::create(config);
  return judge ? Status::ok() : Status(judge.error());
}

}  // namespace alignwatch::scan::adapter
