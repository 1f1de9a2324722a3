#include "store/store_schema.h"

#include <array>

#include <fmt/format.h>

namespace alignwatch::store {

namespace cf {
namespace {
constexpr std::array kAll = {
    kDefault, kArtifacts, kSubmissions, kReports,     kFindings,    kAlerts,      kAlertAcks,
    kConfigChanges, kRejections, kJobs, kArtifactJobs, kJobsByState, kAuditChain, kChainIndex, kMeta, kApiTokens,
};
}  // namespace

std::span<const std::string_view> all() { return kAll; }
}  // namespace cf

std::string encode_u64_be(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return out;
}

std::optional<uint64_t> decode_u64_be(std::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  uint64_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<uint8_t>(c);
  return value;
}

std::string padded_decimal(uint64_t value) { return fmt::format("{:020}", value); }

std::optional<uint64_t> parse_padded_decimal(std::string_view text) {
  if (text.size() != 20) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::string chain_index_key(std::string_view column_family, std::string_view key) {
  std::string out;
  out.reserve(column_family.size() + 1 + key.size());
  out.append(column_family).append("/").append(key);
  return out;
}

}  // namespace alignwatch::store
