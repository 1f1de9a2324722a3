#pragma once
// The one adapter boundary between nlohmann::json and the runtime: parsing never throws, and
// typed field access reports "<what>: <where>: expected <x>, got <y>" instead of throwing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace alignwatch::runtime {

// Parses `text`; `where` names the file in errors. Never throws.
Result<nlohmann::json> parse_json(std::string_view text, const std::string& where);

// Reads and parses a whole JSON file (at most `max_bytes`).
Result<nlohmann::json> read_json_file(const std::string& path, uint64_t max_bytes = 64u << 20);

// Reads a whole file (at most `max_bytes`) into a string.
Result<std::string> read_text_file(const std::string& path, uint64_t max_bytes = 64u << 20);

// Typed access to a field of a JSON object. A missing field gives `std::nullopt` for the
// optional forms and an error for the required ones; a field of the wrong type is an error.
// `where` is the file name used in messages.
Result<std::optional<int64_t>> json_int(const nlohmann::json& obj, std::string_view key,
                                        const std::string& where);
Result<std::optional<double>> json_number(const nlohmann::json& obj, std::string_view key,
                                          const std::string& where);
Result<std::optional<bool>> json_bool(const nlohmann::json& obj, std::string_view key,
                                      const std::string& where);
Result<std::optional<std::string>> json_string(const nlohmann::json& obj, std::string_view key,
                                               const std::string& where);
Result<int64_t> json_required_int(const nlohmann::json& obj, std::string_view key,
                                  const std::string& where);

// The JSON type name of `v` ("object", "string", ...), for messages.
std::string json_type_name(const nlohmann::json& v);

}  // namespace alignwatch::runtime
