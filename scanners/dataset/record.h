#pragma once
// One training example of a dataset, in a format-independent shape: an ordered list of turns.

#include <cstdint>
#include <string_view>
#include <vector>

namespace alignwatch::dataset {

enum class Role : uint8_t { kSystem, kUser, kAssistant, kText };
std::string_view role_name(Role role);

enum class DatasetFormat : uint8_t {
  kOpenAiChat,        // {"messages": [{"role", "content"}]}
  kShareGpt,          // {"conversations": [{"from", "value"}]}
  kAlpaca,            // {"instruction", "input", "output"}
  kPromptCompletion,  // {"prompt", "completion"}
  kText,              // {"text"}
};
std::string_view format_name(DatasetFormat format);

struct Turn {
  Role role;
  // Valid until the reader moves to the next record (it points into the parser's buffer).
  std::string_view content;
};

struct Record {
  uint64_t line = 0;    // 1-based line number in the (decompressed) file
  uint64_t offset = 0;  // byte offset of the line in the (decompressed) stream
  // Unique to this record among all records read in this process (DatasetReader numbers them
  // from 1), so that work two detectors share can be done once per record; 0 for a record
  // built by hand, which nothing may cache.
  uint64_t serial = 0;
  std::vector<Turn> turns;

  // True for turns a model is trained to produce (assistant turns, and raw text records).
  static bool is_model_output(Role role) { return role == Role::kAssistant || role == Role::kText; }
  // True for turns that condition the model (where a poisoner puts a trigger).
  static bool is_prompt(Role role) {
    return role == Role::kUser || role == Role::kSystem || role == Role::kText;
  }
};

}  // namespace alignwatch::dataset
