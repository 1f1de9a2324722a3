#include "core/http_url.h"

#include "core/text.h"

namespace alignwatch {

Result<HttpUrl> parse_http_url(std::string_view url, std::string_view option) {
  const std::string opt(option);
  HttpUrl out;
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    out.tls = false;
    rest.remove_prefix(7);
  } else {
    return make_error(StatusCode::kInvalidArgument,
                      opt + ": expected https://host[:port][/path], got '" + safe_excerpt(url, 60) + "'");
  }
  const size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  out.authority = std::string(authority);
  out.path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  if (authority.find('@') != std::string_view::npos) {
    return make_error(StatusCode::kInvalidArgument,
                      opt + ": credentials in the URL are not supported (the token or key comes from a file)");
  }
  std::string_view port;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return make_error(StatusCode::kInvalidArgument, opt + ": unclosed '[' in the host");
    out.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (after.starts_with(":")) {
      port = after.substr(1);
    } else if (!after.empty()) {
      return make_error(StatusCode::kInvalidArgument, opt + ": expected ':' after ']'");
    }
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    out.host = std::string(authority.substr(0, colon));
    port = authority.substr(colon + 1);
  } else {
    out.host = std::string(authority);
  }
  out.port = port.empty() ? (out.tls ? "443" : "80") : std::string(port);
  if (out.host.empty() || out.port.find_first_not_of("0123456789") != std::string::npos || out.port.size() > 5 ||
      std::stoul(out.port) == 0 || std::stoul(out.port) > 65535) {
    return make_error(StatusCode::kInvalidArgument,
                      opt + ": expected host[:port], got '" + safe_excerpt(authority, 60) + "'");
  }
  return out;
}

}  // namespace alignwatch
