#include "store/chain_link.h"

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "store/store_schema.h"

namespace alignwatch::store {

namespace {

using Json = nlohmann::ordered_json;

void append_be32(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

void append_length_prefixed(std::string& out, std::string_view field) {
  append_be32(out, static_cast<uint32_t>(field.size()));
  out.append(field);
}

void append_digest(std::string& out, const Sha256Digest& digest) {
  out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
}

Status malformed(std::string_view where, std::string_view expected) {
  return Status(StatusCode::kCorruption,
                std::string(where) + ": expected a chain link with " + std::string(expected));
}

}  // namespace

std::string link_hash_input(const ChainLink& link) {
  std::string input;
  input.reserve(32 + 8 + 12 + link.kind.size() + link.column_family.size() + link.key.size() + 32);
  append_digest(input, link.prev_link_hash);
  input.append(encode_u64_be(link.seq));
  append_length_prefixed(input, link.kind);
  append_length_prefixed(input, link.column_family);
  append_length_prefixed(input, link.key);
  append_digest(input, link.body_sha256);
  return input;
}

std::string encode_chain_link(const ChainLink& link) {
  Json json{{"seq", link.seq},
            {"kind", link.kind},
            {"cf", link.column_family},
            {"key", link.key},
            {"body_sha256", to_hex(link.body_sha256)},
            {"prev_link_hash", to_hex(link.prev_link_hash)},
            {"link_hash", to_hex(link.link_hash)}};
  // Keys are printable ASCII (checked before append), so dump cannot meet invalid UTF-8; replace
  // keeps it from throwing if that ever changes.
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<ChainLink> decode_chain_link(std::string_view text, std::string_view where) {
  // nlohmann::json adapter boundary: parse without exceptions, read fields with checks only.
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return std::unexpected(malformed(where, "a JSON object, got " + safe_excerpt(text, 64)));
  }
  ChainLink link;
  auto seq = json.find("seq");
  if (seq == json.end() || !seq->is_number_unsigned()) {
    return std::unexpected(malformed(where, "an unsigned \"seq\""));
  }
  link.seq = seq->get<uint64_t>();
  for (auto [name, field] : {std::pair{"kind", &link.kind}, std::pair{"cf", &link.column_family},
                             std::pair{"key", &link.key}}) {
    auto it = json.find(name);
    if (it == json.end() || !it->is_string()) {
      return std::unexpected(malformed(where, std::string("a string \"") + name + "\""));
    }
    *field = it->get<std::string>();
  }
  for (auto [name, digest] : {std::pair{"body_sha256", &link.body_sha256},
                              std::pair{"prev_link_hash", &link.prev_link_hash},
                              std::pair{"link_hash", &link.link_hash}}) {
    auto it = json.find(name);
    std::optional<Sha256Digest> parsed;
    if (it != json.end() && it->is_string()) parsed = digest_from_hex(it->get<std::string>());
    if (!parsed) {
      return std::unexpected(malformed(where, std::string("64 hex digits in \"") + name + "\""));
    }
    *digest = *parsed;
  }
  return link;
}

}  // namespace alignwatch::store
