#pragma once
// Intake: takes a complete artifact out of the inbox, refuses hostile entries, copies what it
// accepts into the content-addressed artifact directory while hashing it, and records the
// artifact, the submission and its scan job in the evidence store.
//
// What is refused (a rejection record is stored, the reason logged, the entry moved to
// <state>/quarantine/ or, for links and device nodes, unlinked; nothing outside the state
// directory is read or touched): names that are not plain UTF-8 without control characters,
// symbolic links, hard links to other files, device files, FIFOs and sockets, directories in the
// datasets inbox, adapter directories holding links or special files, artifacts over
// daemon.job_max_bytes, and malformed sidecar manifests. Names starting with '.' are in-progress
// uploads by convention and are left alone.

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "config/config.h"
#include "core/status.h"
#include "daemon/state_layout.h"

namespace alignwatch::store {
class EvidenceStore;
}

namespace alignwatch::daemon {

enum class ArtifactKind { kDataset, kAdapter };
std::string_view artifact_kind_name(ArtifactKind kind);

struct IntakeResult {
  enum class Outcome {
    kQueued,     // new artifact: a scan job was created
    kDuplicate,  // these bytes were submitted before: the submission joins the existing scan
    kRejected,   // refused: see reason; a rejection record was stored
    kIgnored,    // not an artifact (yet): hidden file, sidecar, adapter dir not ready, vanished
  };
  Outcome outcome = Outcome::kIgnored;
  uint64_t job_id = 0;
  std::string artifact_sha256;
  uint64_t size_bytes = 0;  // of the artifact, when recorded
  std::string reason;
  uint64_t rejection_seq = 0;  // chain seq of the rejection record
};

// Who submitted an artifact: an API token's name, or nobody (the inbox).
struct Submitter {
  std::string token_name;
};

// An artifact already copied into <state>/artifacts/.incoming and hashed on the way (an API
// upload): a file, or a directory of adapter files.
struct StagedArtifact {
  std::filesystem::path path;
  std::string name;           // as submitted (for the submission record)
  std::string sha256;         // of the file, or adapter_listing_sha256 of the directory
  uint64_t size = 0;
  std::string format;         // "file", "tar" or "directory"
  std::string manifest_json;  // validated by validate_manifest, or empty
};

class Intake {
 public:
  Intake(StateLayout layout, store::EvidenceStore& store, uint64_t max_artifact_bytes);

  // Takes the inbox entry `name` (one path component) of `kind`. Never throws; every failure is
  // in the result. Thread-safe with respect to the store; call from one thread per inbox.
  IntakeResult take(ArtifactKind kind, std::string_view name);

  // Moves a staged artifact into place and records it, as take() does for inbox entries.
  // Thread-safe: the API's threads call it beside the inbox watcher.
  IntakeResult accept_staged(ArtifactKind kind, const StagedArtifact& staged,
                             const Submitter& submitter);

  const StateLayout& layout() const { return layout_; }
  uint64_t max_artifact_bytes() const { return max_artifact_bytes_; }

  // Removes half-copied files left in artifacts/.incoming by a crash.
  void clean_incoming() const;

 private:
  IntakeResult take_dataset(const std::string& name);
  IntakeResult take_adapter(const std::string& name);
  // A regular file in the inbox open as `dir_fd`: checked, copied while hashed, recorded.
  IntakeResult take_file(ArtifactKind kind, int dir_fd, const std::string& name,
                         const std::string& format);
  // Moves a hashed copy (file or directory) to artifacts/<sha256>, or drops it when the same
  // bytes are there already.
  Status place_artifact(const std::filesystem::path& temp, const std::string& sha256) const;
  IntakeResult reject(ArtifactKind kind, const std::string& name, std::string reason,
                      bool quarantine);
  // Records the artifact (if new) and the submission, and creates the job.
  IntakeResult record(ArtifactKind kind, const std::string& name, const std::string& sha256,
                      uint64_t size, const std::string& manifest_json,
                      const std::string& artifact_format, const Submitter& submitter = {});

  StateLayout layout_;
  store::EvidenceStore& store_;
  uint64_t max_artifact_bytes_;
  std::mutex record_mutex_;
};

// Whether `name` may name an inbox entry: 1-255 bytes of valid UTF-8, no '/', no control
// characters, not "." or "..". Hidden names are acceptable but ignored by take().
bool is_acceptable_inbox_name(std::string_view name);

// Checks a manifest's JSON text: an object of at most 64 KiB whose fields are among pipeline_id,
// submitter, base_model, dataset_sha256 (strings of at most 256 bytes; dataset_sha256 64 hex
// digits). Returns it re-serialised; `where` starts the error messages.
Result<std::string> validate_manifest(std::string_view text, const std::string& where);

// One file of an adapter directory, and the directory's id: the SHA-256 of a canonical listing
// ("<name>\0<size>\0<sha256>\n" per file, sorted by name), the same for the inbox and the API.
struct ListedFile {
  std::string name;
  uint64_t size = 0;
  std::string sha256;
};
Result<std::string> adapter_listing_sha256(std::span<const ListedFile> files);

// The key prefix of the submissions made with the API token `token_name`; each key continues
// with the artifact's SHA-256.
std::string submission_key_prefix(std::string_view token_name);

}  // namespace alignwatch::daemon
