#pragma once
// One parser for the http(s) URLs the project dials: the CLI's --server and the LLM judge's
// endpoint. scheme://host[:port][/path] with an IPv6 host in brackets; credentials in the URL are
// refused (secrets come from files); the port defaults to the scheme's. Errors are
// kInvalidArgument, prefixed with the option being parsed.

#include <string>
#include <string_view>

#include "core/status.h"

namespace alignwatch {

struct HttpUrl {
  bool tls = true;        // https
  std::string host;       // without brackets for IPv6
  std::string port;       // digits, 1-65535
  std::string authority;  // host[:port] as written
  std::string path;       // "" or starting with '/'
};

Result<HttpUrl> parse_http_url(std::string_view url, std::string_view option);

}  // namespace alignwatch
