#include "store/chain_head.h"

#include <nlohmann/json.hpp>

#include "core/text.h"

namespace alignwatch::store {

std::string encode_chain_head(const ChainHead& head) {
  nlohmann::ordered_json json{{"seq", head.seq}, {"link_hash", to_hex(head.link_hash)}};
  return json.dump();
}

Result<ChainHead> decode_chain_head(std::string_view text) {
  // nlohmann::json adapter boundary: parse without exceptions, read fields with checks only.
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  ChainHead head;
  std::optional<Sha256Digest> hash;
  if (json.is_object()) {
    auto seq = json.find("seq");
    auto link_hash = json.find("link_hash");
    if (seq != json.end() && seq->is_number_unsigned() && link_hash != json.end() &&
        link_hash->is_string()) {
      head.seq = seq->get<uint64_t>();
      hash = digest_from_hex(link_hash->get<std::string>());
    }
  }
  if (!hash) {
    return make_error(StatusCode::kCorruption,
                      "meta chain/head: expected {\"seq\": N, \"link_hash\": \"<64 hex>\"}, got " +
                          safe_excerpt(text, 96));
  }
  head.link_hash = *hash;
  return head;
}

}  // namespace alignwatch::store
