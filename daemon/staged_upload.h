#pragma once
// An artifact arriving over the API, staged in <state>/artifacts/.incoming while it streams in:
// each file is written as its bytes arrive and hashed on the way, so nothing is held whole in
// memory and nothing is read twice. finish() hands the result to Intake::accept_staged; an
// upload abandoned half-way (a client gone, a limit hit) is removed by the destructor.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "daemon/hashing_file_writer.h"
#include "daemon/intake.h"

namespace alignwatch::daemon {

class StagedUpload {
 public:
  // `incoming` is the staging directory; `max_bytes` bounds the sum of all files.
  static Result<std::unique_ptr<StagedUpload>> create(const std::filesystem::path& incoming,
                                                      ArtifactKind kind, uint64_t max_bytes);
  ~StagedUpload();
  StagedUpload(const StagedUpload&) = delete;
  StagedUpload& operator=(const StagedUpload&) = delete;

  // Starts the next file. kInvalidArgument when `name` is not one plain path component (no
  // '/', '\\', "..", leading '.', control characters), repeats an earlier name, or a dataset
  // gets a second file.
  Status begin_file(std::string_view name);
  // kResourceExhausted past max_bytes; kUnavailable when the disk refuses.
  Status write(std::string_view bytes);
  Status end_file();

  // The staged artifact: a dataset's one file, an adapter's one .tar, or an adapter directory
  // (its id the canonical listing's hash). kInvalidArgument when no file came.
  Result<StagedArtifact> finish(std::string manifest_json);

  uint64_t bytes() const { return total_; }

 private:
  StagedUpload(std::filesystem::path dir, ArtifactKind kind, uint64_t max_bytes);

  std::filesystem::path dir_;
  ArtifactKind kind_;
  uint64_t max_bytes_;
  uint64_t total_ = 0;
  std::unique_ptr<HashingFileWriter> file_;  // the file being written
  ListedFile current_;
  std::vector<ListedFile> files_;
  std::filesystem::path result_path_;  // set by finish(); kept by the destructor only if taken
  bool finished_ = false;
};

}  // namespace alignwatch::daemon
