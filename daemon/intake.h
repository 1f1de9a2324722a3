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
  std::string reason;
  uint64_t rejection_seq = 0;  // chain seq of the rejection record
};

class Intake {
 public:
  Intake(StateLayout layout, store::EvidenceStore& store, uint64_t max_artifact_bytes);

  // Takes the inbox entry `name` (one path component) of `kind`. Never throws; every failure is
  // in the result. Thread-safe with respect to the store; call from one thread per inbox.
  IntakeResult take(ArtifactKind kind, std::string_view name);

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
                      const std::string& artifact_format);

  StateLayout layout_;
  store::EvidenceStore& store_;
  uint64_t max_artifact_bytes_;
};

// Whether `name` may name an inbox entry: 1-255 bytes of valid UTF-8, no '/', no control
// characters, not "." or "..". Hidden names are acceptable but ignored by take().
bool is_acceptable_inbox_name(std::string_view name);

}  // namespace alignwatch::daemon
