#pragma once
// Inspects pickle-based model files (.bin, .pt, .pth, .ckpt) without executing them: walks the
// pickle opcodes (protocols 0-5), including the data.pkl inside zip-wrapped torch files and the
// consecutive pickles of torch's legacy format, and lists every imported callable (GLOBAL, INST,
// STACK_GLOBAL). Imports of dangerous callables (os.system, subprocess.*, builtins.eval, ...)
// become findings. Nothing is ever unpickled.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace alignwatch::runtime {

struct PickleImport {
  std::string module;
  std::string name;
  std::string member;   // the pickle inside the file: "data.pkl", "archive/data.pkl", "pickle 1"
  uint64_t offset = 0;  // of the opcode within that pickle
};

enum class PickleSeverity { kDangerous, kUnknown };

struct PickleFinding {
  PickleSeverity severity = PickleSeverity::kDangerous;
  std::string rule_id;  // "pickle.dangerous_import", "pickle.unknown_import", "pickle.malformed"
  std::string message;
  PickleImport import;
};

struct PickleReport {
  std::string path;
  bool zip = false;
  std::vector<std::string> members;  // pickles inspected
  std::vector<PickleImport> imports;
  std::vector<PickleFinding> findings;
  bool dangerous() const;
};

struct PickleLimits {
  uint64_t max_file_bytes = 64ull << 30;
  uint64_t max_pickle_bytes = 1ull << 30;  // one pickle (decompressed)
  uint64_t max_opcodes = 100'000'000;
};

// True for module.name pairs that can run code or touch the system when unpickled.
bool is_dangerous_import(std::string_view module, std::string_view name);

// Inspects one pickle stream (or several back to back). `member` names it in the report.
// A malformed stream is an error (kCorruption) naming the member and offset.
Status inspect_pickle_bytes(std::string_view bytes, const std::string& member,
                            PickleReport& report, const PickleLimits& limits = {});

// Inspects a file: a zip (torch >= 1.6) is opened and its *.pkl members walked; otherwise the
// file is read as consecutive pickles (torch's legacy format stops at the raw storage bytes).
Result<PickleReport> inspect_pickle_file(const std::string& path, const PickleLimits& limits = {});

// ".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle"
bool is_pickle_extension(std::string_view path);

}  // namespace alignwatch::runtime
