#include "daemon/intake.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/logging.h"
#include "core/text.h"
#include "daemon/hashing_file_writer.h"
#include "store/digest.h"
#include "store/evidence_store.h"

namespace alignwatch::daemon {

namespace {

using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

constexpr std::string_view kManifestSuffix = ".manifest.json";
constexpr uint64_t kMaxManifestBytes = 64 * 1024;
constexpr size_t kMaxAdapterFiles = 256;
constexpr size_t kCopyChunk = 1 << 20;
constexpr std::string_view kManifestFields[] = {"pipeline_id", "submitter", "base_model",
                                                "dataset_sha256"};

int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string errno_text() { return std::strerror(errno); }

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.release()) {}
  FileDescriptor& operator=(FileDescriptor&&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

std::string random_suffix() {
  std::random_device random;
  return fmt::format("{:08x}{:08x}", random(), random());
}

// What lstat says an entry is, in words for a rejection.
std::string describe_special(const struct stat& st) {
  if (S_ISLNK(st.st_mode)) return "a symbolic link";
  if (S_ISCHR(st.st_mode)) return "a character device";
  if (S_ISBLK(st.st_mode)) return "a block device";
  if (S_ISFIFO(st.st_mode)) return "a FIFO";
  if (S_ISSOCK(st.st_mode)) return "a socket";
  if (S_ISDIR(st.st_mode)) return "a directory";
  return "not a regular file";
}

// Opens `name` in `dir` as a regular file without following links or blocking on FIFOs, and
// checks (on the opened descriptor, so a swap after the check cannot fool it) that it is a
// regular file with one link.
Result<FileDescriptor> open_regular(int dir_fd, const std::string& name, struct stat& st) {
  int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    if (errno == ELOOP) return make_error(StatusCode::kInvalidArgument, "a symbolic link");
    if (errno == ENOENT) return make_error(StatusCode::kNotFound, "vanished");
    return make_error(StatusCode::kUnavailable, "cannot open: " + errno_text());
  }
  FileDescriptor file(fd);
  if (::fstat(fd, &st) != 0) return make_error(StatusCode::kUnavailable, "fstat: " + errno_text());
  if (!S_ISREG(st.st_mode)) return make_error(StatusCode::kInvalidArgument, describe_special(st));
  if (st.st_nlink != 1) {
    return make_error(StatusCode::kInvalidArgument,
                      fmt::format("a hard link ({} names for one file; it may be a file from "
                                  "outside the inbox)",
                                  st.st_nlink));
  }
  return FileDescriptor(file.release());
}

struct CopiedFile {
  std::string sha256;
  uint64_t size = 0;
};

// Copies `from` to a new file at `to` while hashing it, refusing more than `max_bytes`. The copy
// is fsynced: what was hashed is what was kept.
Result<CopiedFile> copy_hashing(int from, const fs::path& to, uint64_t max_bytes) {
  AW_ASSIGN_OR_RETURN(auto out, HashingFileWriter::create(to));
  std::vector<char> buffer(kCopyChunk);
  while (true) {
    ssize_t got = ::read(from, buffer.data(), buffer.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      return make_error(StatusCode::kUnavailable, "read: " + errno_text());
    }
    if (got == 0) break;
    if (out->size() + static_cast<uint64_t>(got) > max_bytes) {
      return make_error(StatusCode::kResourceExhausted,
                        fmt::format("larger than daemon.job_max_bytes ({} bytes)", max_bytes));
    }
    AW_RETURN_IF_ERROR(out->write(std::string_view(buffer.data(), static_cast<size_t>(got))));
  }
  CopiedFile copied;
  copied.size = out->size();
  AW_ASSIGN_OR_RETURN(copied.sha256, out->finish());
  return copied;
}

void fsync_directory(const fs::path& dir) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  // Losing the directory entry on power loss only means the artifact is copied again from the
  // next submission; the store never refers to it before this point.
  if (fd.get() >= 0) (void)::fsync(fd.get());
}

Result<std::string> read_manifest(int dir_fd, const std::string& name) {
  struct stat st {};
  auto file = open_regular(dir_fd, name, st);
  if (!file) {
    if (file.error().code() == StatusCode::kNotFound) return std::string();
    return make_error(file.error().code(), "manifest " + safe_excerpt(name, 80) + ": " + file.error().message());
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxManifestBytes) {
    return make_error(StatusCode::kInvalidArgument,
                      fmt::format("manifest {}: expected at most {} bytes, got {}",
                                  safe_excerpt(name, 80), kMaxManifestBytes, st.st_size));
  }
  std::string text(static_cast<size_t>(st.st_size), '\0');
  ssize_t got = ::pread(file->get(), text.data(), text.size(), 0);
  if (got < 0) return make_error(StatusCode::kUnavailable, "manifest read: " + errno_text());
  text.resize(static_cast<size_t>(got));
  return validate_manifest(text, "manifest " + safe_excerpt(name, 80));
}

// Not taken now for a reason that may pass (I/O, the store): the entry stays in the inbox and
// the next sweep tries again.
IntakeResult retry_later(std::string reason) {
  IntakeResult later;
  later.reason = std::move(reason);
  return later;
}

// Whether the submission is in the store, so the inbox entry may go.
bool is_recorded(const IntakeResult& result) {
  return result.outcome == IntakeResult::Outcome::kQueued ||
         result.outcome == IntakeResult::Outcome::kDuplicate;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

std::string_view artifact_kind_name(ArtifactKind kind) {
  return kind == ArtifactKind::kDataset ? "dataset" : "adapter";
}

bool is_acceptable_inbox_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || name == "." || name == "..") return false;
  if (name.find('/') != std::string_view::npos) return false;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return find_invalid_utf8(name) == std::string_view::npos;
}

Result<std::string> validate_manifest(std::string_view text, const std::string& where) {
  if (text.size() > kMaxManifestBytes) {
    return make_error(StatusCode::kInvalidArgument,
                      fmt::format("{}: expected at most {} bytes, got {}", where, kMaxManifestBytes, text.size()));
  }
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return make_error(StatusCode::kInvalidArgument, where + ": expected a JSON object");
  }
  Json kept = Json::object();
  for (auto& [key, value] : json.items()) {
    if (std::find(std::begin(kManifestFields), std::end(kManifestFields), key) == std::end(kManifestFields)) {
      return make_error(StatusCode::kInvalidArgument,
                        where + ": unknown field '" + safe_excerpt(key, 40) +
                            "' (expected pipeline_id, submitter, base_model, dataset_sha256)");
    }
    if (!value.is_string() || value.get<std::string>().size() > 256) {
      return make_error(StatusCode::kInvalidArgument,
                        where + ": field '" + key + "': expected a string of at most 256 bytes");
    }
    if (key == "dataset_sha256" && !store::is_sha256_hex(value.get<std::string>())) {
      return make_error(StatusCode::kInvalidArgument,
                        where + ": field 'dataset_sha256': expected 64 lowercase hex digits");
    }
    kept[key] = value;
  }
  return kept.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<std::string> adapter_listing_sha256(std::span<const ListedFile> files) {
  std::vector<const ListedFile*> sorted;
  for (const ListedFile& file : files) sorted.push_back(&file);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });
  std::string listing;
  for (const ListedFile* file : sorted) {
    listing += fmt::format("{}{}{}{}{}\n", file->name, '\0', file->size, '\0', file->sha256);
  }
  AW_ASSIGN_OR_RETURN(auto digest, store::sha256(listing));
  return store::to_hex(digest);
}

Intake::Intake(StateLayout layout, store::EvidenceStore& store, uint64_t max_artifact_bytes)
    : layout_(std::move(layout)), store_(store), max_artifact_bytes_(max_artifact_bytes) {}

void Intake::clean_incoming() const {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(layout_.incoming, error)) {
    fs::remove_all(entry.path(), error);
  }
}

IntakeResult Intake::take(ArtifactKind kind, std::string_view name_view) {
  std::string name(name_view);
  if (!is_acceptable_inbox_name(name)) {
    return reject(kind, name, "the name is not plain UTF-8 without control characters or '/'",
                  false);
  }
  if (name.front() == '.') return {};  // an upload in progress, by convention
  return kind == ArtifactKind::kDataset ? take_dataset(name) : take_adapter(name);
}

IntakeResult Intake::take_dataset(const std::string& name) {
  if (ends_with(name, kManifestSuffix)) return {};  // a sidecar: read with its dataset
  FileDescriptor dir(::open(layout_.inbox_datasets.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return retry_later("cannot open the inbox: " + errno_text());
  return take_file(ArtifactKind::kDataset, dir.get(), name, "file");
}

IntakeResult Intake::take_file(ArtifactKind kind, int dir_fd, const std::string& name,
                               const std::string& format) {
  struct stat st {};
  auto file = open_regular(dir_fd, name, st);
  if (!file) {
    if (file.error().code() == StatusCode::kNotFound) return {};
    if (file.error().code() == StatusCode::kUnavailable) return retry_later(file.error().message());
    // Links and device nodes are unlinked; anything that holds data is kept in quarantine.
    struct stat lst {};
    const bool special = ::fstatat(dir_fd, name.c_str(), &lst, AT_SYMLINK_NOFOLLOW) == 0 &&
                         !S_ISREG(lst.st_mode) && !S_ISDIR(lst.st_mode);
    return reject(kind, name, file.error().message(), !special);
  }
  auto manifest = read_manifest(dir_fd, name + std::string(kManifestSuffix));
  if (!manifest) return reject(kind, name, manifest.error().message(), true);

  const fs::path temp =
      layout_.incoming / (std::string(artifact_kind_name(kind)) + "-" + random_suffix());
  auto copied = copy_hashing(file->get(), temp, max_artifact_bytes_);
  if (!copied) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    if (copied.error().code() == StatusCode::kResourceExhausted) {
      return reject(kind, name, copied.error().message(), true);
    }
    return retry_later(copied.error().message());
  }
  if (Status placed = place_artifact(temp, copied->sha256); !placed.is_ok()) {
    return retry_later(placed.message());
  }
  IntakeResult result = record(kind, name, copied->sha256, copied->size, *manifest, format);
  if (is_recorded(result)) {
    // Only now, with the submission on disk, is the inbox entry let go.
    ::unlinkat(dir_fd, name.c_str(), 0);
    ::unlinkat(dir_fd, (name + std::string(kManifestSuffix)).c_str(), 0);
  }
  return result;
}

Status Intake::place_artifact(const fs::path& temp, const std::string& sha256) const {
  const fs::path final_path = layout_.artifacts / sha256;
  std::error_code error;
  if (fs::exists(final_path, error)) {
    fs::remove_all(temp, error);  // the same bytes are already there
    return Status::ok();
  }
  fs::rename(temp, final_path, error);
  if (error) {
    fs::remove_all(temp, error);
    return Status(StatusCode::kUnavailable, "cannot move the artifact into place: " + error.message());
  }
  fsync_directory(layout_.artifacts);
  return Status::ok();
}

IntakeResult Intake::take_adapter(const std::string& name) {
  FileDescriptor dir(::open(layout_.inbox_adapters.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return retry_later("cannot open the inbox: " + errno_text());
  struct stat lst {};
  if (::fstatat(dir.get(), name.c_str(), &lst, AT_SYMLINK_NOFOLLOW) != 0) return {};
  if (S_ISREG(lst.st_mode)) {
    if (ends_with(name, kManifestSuffix)) return {};
    if (!ends_with(name, ".tar")) {
      return reject(ArtifactKind::kAdapter, name,
                    "expected an adapter directory or a .tar archive of one", true);
    }
    return take_file(ArtifactKind::kAdapter, dir.get(), name, "tar");
  }
  if (!S_ISDIR(lst.st_mode)) {
    return reject(ArtifactKind::kAdapter, name, describe_special(lst), false);
  }

  // An adapter directory, taken once its manifest.json or .ready marker is there. Its id is the
  // SHA-256 of a canonical listing ("<name>\0<size>\0<sha256>\n" per file, sorted by name).
  FileDescriptor sub(::openat(dir.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (sub.get() < 0) return reject(ArtifactKind::kAdapter, name, "cannot open: " + errno_text(), true);
  struct stat marker {};
  const bool ready = ::fstatat(sub.get(), "manifest.json", &marker, AT_SYMLINK_NOFOLLOW) == 0 ||
                     ::fstatat(sub.get(), ".ready", &marker, AT_SYMLINK_NOFOLLOW) == 0;
  if (!ready) return {};
  auto manifest = read_manifest(dir.get(), name + std::string(kManifestSuffix));
  if (!manifest) return reject(ArtifactKind::kAdapter, name, manifest.error().message(), true);
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(layout_.inbox_adapters / name, error)) {
    names.push_back(entry.path().filename().string());
    if (names.size() > kMaxAdapterFiles) {
      return reject(ArtifactKind::kAdapter, name,
                    fmt::format("more than {} files in the adapter directory", kMaxAdapterFiles), true);
    }
  }
  std::sort(names.begin(), names.end());
  const fs::path temp = layout_.incoming / ("adapter-" + random_suffix());
  fs::create_directory(temp, error);
  std::vector<ListedFile> listed;
  uint64_t total = 0;
  auto cleanup = [&] { fs::remove_all(temp, error); };
  for (const std::string& file_name : names) {
    if (file_name == ".ready") continue;
    if (!is_acceptable_inbox_name(file_name)) {
      cleanup();
      return reject(ArtifactKind::kAdapter, name,
                    "a file name that is not plain UTF-8 without control characters", true);
    }
    struct stat st {};
    auto file = open_regular(sub.get(), file_name, st);
    if (!file) {
      cleanup();
      return reject(ArtifactKind::kAdapter, name,
                    "'" + safe_excerpt(file_name, 80) + "' is " + file.error().message(), true);
    }
    auto copied = copy_hashing(file->get(), temp / file_name, max_artifact_bytes_ - std::min(total, max_artifact_bytes_));
    if (!copied) {
      cleanup();
      if (copied.error().code() == StatusCode::kResourceExhausted) {
        return reject(ArtifactKind::kAdapter, name, "the adapter is " + copied.error().message(), true);
      }
      return retry_later(copied.error().message());
    }
    total += copied->size;
    listed.push_back({file_name, copied->size, copied->sha256});
  }
  auto digest = adapter_listing_sha256(listed);
  if (!digest) {
    cleanup();
    return retry_later(digest.error().message());
  }
  const std::string sha = *digest;
  if (Status placed = place_artifact(temp, sha); !placed.is_ok()) return retry_later(placed.message());
  IntakeResult result = record(ArtifactKind::kAdapter, name, sha, total, *manifest, "directory");
  if (is_recorded(result)) {
    fs::remove_all(layout_.inbox_adapters / name, error);
    ::unlinkat(dir.get(), (name + std::string(kManifestSuffix)).c_str(), 0);
  }
  return result;
}

IntakeResult Intake::record(ArtifactKind kind, const std::string& name, const std::string& sha256,
                            uint64_t size, const std::string& manifest_json,
                            const std::string& artifact_format, const Submitter& submitter) {
  auto log = get_logger("aw.intake");
  // The inbox watcher and the API's threads record concurrently: the check for an existing job
  // and the job's creation must not interleave.
  std::lock_guard lock(record_mutex_);
  const int64_t now = now_unix_ms();
  IntakeResult result;
  result.artifact_sha256 = sha256;
  result.size_bytes = size;
  Json manifest = manifest_json.empty() ? Json::object() : Json::parse(manifest_json, nullptr, false);
  if (manifest.is_discarded()) manifest = Json::object();

  auto existing = store_.job_for_artifact(sha256);
  if (!existing) {
    result.reason = existing.error().to_string();
    log->error("intake_failed name=\"{}\" error=\"{}\"", safe_excerpt(name, 80), result.reason);
    return result;
  }
  Json submission{{"artifact_sha256", sha256},
                  {"kind", artifact_kind_name(kind)},
                  {"name", name},
                  {"size_bytes", size},
                  {"received_unix_ms", now},
                  {"manifest", manifest},
                  {"via", submitter.token_name.empty() ? "inbox" : "api"}};
  if (!submitter.token_name.empty()) submission["token_name"] = submitter.token_name;
  // API submissions are keyed by token and artifact, so "did this pipeline token submit it" and
  // "the scans of this token" are prefix scans; inbox submissions take the chain seq as key.
  const std::string submission_key =
      submitter.token_name.empty()
          ? std::string()
          : submission_key_prefix(submitter.token_name) + sha256 + fmt::format("/{:020}-{}", now, random_suffix());
  if (*existing) {
    submission["job_id"] = **existing;
    submission["duplicate"] = true;
    auto appended = store_.append(store::EvidenceRecord{
        store::EvidenceKind::kSubmission, submission_key,
        submission.dump(-1, ' ', false, Json::error_handler_t::replace)});
    if (!appended) {
      result.reason = appended.error().to_string();
      log->error("intake_failed name=\"{}\" error=\"{}\"", safe_excerpt(name, 80), result.reason);
      return result;
    }
    result.outcome = IntakeResult::Outcome::kDuplicate;
    result.job_id = **existing;
    log->info("intake_duplicate name=\"{}\" artifact={} job_id={}", safe_excerpt(name, 80), sha256,
              result.job_id);
    return result;
  }
  Json artifact{{"sha256", sha256},
                {"kind", artifact_kind_name(kind)},
                {"format", artifact_format},
                {"size_bytes", size},
                {"first_name", name},
                {"received_unix_ms", now}};
  submission["duplicate"] = false;
  Json payload{{"kind", artifact_kind_name(kind)},
               {"artifact", (fs::path("artifacts") / sha256).string()},
               {"name", name},
               {"format", artifact_format},
               {"manifest", manifest}};
  std::vector<store::EvidenceRecord> evidence = {
      {store::EvidenceKind::kArtifact, sha256,
       artifact.dump(-1, ' ', false, Json::error_handler_t::replace)},
      {store::EvidenceKind::kSubmission, "",
       submission.dump(-1, ' ', false, Json::error_handler_t::replace)}};
  evidence[1].key = submission_key;
  auto job = store_.create_job(
      store::JobSpec{sha256, payload.dump(-1, ' ', false, Json::error_handler_t::replace)},
      evidence, now);
  if (!job) {
    result.reason = job.error().to_string();
    log->error("intake_failed name=\"{}\" error=\"{}\"", safe_excerpt(name, 80), result.reason);
    return result;
  }
  result.outcome = IntakeResult::Outcome::kQueued;
  result.job_id = job->id;
  log->info("intake_queued name=\"{}\" kind={} artifact={} bytes={} job_id={}",
            safe_excerpt(name, 80), artifact_kind_name(kind), sha256, size, job->id);
  return result;
}

IntakeResult Intake::accept_staged(ArtifactKind kind, const StagedArtifact& staged,
                                   const Submitter& submitter) {
  if (Status placed = place_artifact(staged.path, staged.sha256); !placed.is_ok()) {
    IntakeResult failed;
    failed.reason = placed.message();
    return failed;
  }
  return record(kind, staged.name, staged.sha256, staged.size, staged.manifest_json, staged.format,
                submitter);
}

std::string submission_key_prefix(std::string_view token_name) {
  return fmt::format("token/{}/", token_name);
}

IntakeResult Intake::reject(ArtifactKind kind, const std::string& name, std::string reason,
                            bool quarantine) {
  auto log = get_logger("aw.intake");
  IntakeResult result;
  result.outcome = IntakeResult::Outcome::kRejected;
  result.reason = reason;
  const fs::path inbox = kind == ArtifactKind::kDataset ? layout_.inbox_datasets : layout_.inbox_adapters;
  std::string where = "removed";
  std::error_code error;
  if (is_acceptable_inbox_name(name)) {
    const fs::path entry = inbox / name;
    if (quarantine) {
      const fs::path target = layout_.root / "quarantine" / (random_suffix() + "-" + name);
      fs::create_directories(target.parent_path(), error);
      fs::rename(entry, target, error);
      where = error ? "left in the inbox" : "quarantined as " + target.filename().string();
    } else {
      // A link or device node: drop the entry itself (never what it points to).
      where = ::unlink(entry.c_str()) == 0 ? "removed" : "left in the inbox";
    }
  } else {
    // The name itself is hostile. It came from readdir or inotify, so it is one component of the
    // inbox: a file or directory is kept in quarantine under a name of ours, anything else (a
    // link, a device node) is unlinked, never followed.
    const std::string raw = (inbox / name).string();
    struct stat st {};
    if (::lstat(raw.c_str(), &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
      const fs::path target = layout_.root / "quarantine" / (random_suffix() + "-unsafe-name");
      fs::create_directories(target.parent_path(), error);
      where = ::rename(raw.c_str(), target.c_str()) == 0
                  ? "quarantined as " + target.filename().string()
                  : "left in the inbox";
    } else {
      where = ::unlink(raw.c_str()) == 0 ? "removed" : "left in the inbox";
    }
  }
  Json record{{"kind", artifact_kind_name(kind)},
              {"name", safe_excerpt(name, 255)},
              {"reason", reason},
              {"disposition", where},
              {"received_unix_ms", now_unix_ms()}};
  auto appended = store_.append(store::EvidenceRecord{
      store::EvidenceKind::kRejection, "", record.dump(-1, ' ', false, Json::error_handler_t::replace)});
  if (appended) result.rejection_seq = appended->seq;
  log->warn("intake_rejected kind={} name=\"{}\" reason=\"{}\" disposition=\"{}\"",
            artifact_kind_name(kind), safe_excerpt(name, 80), safe_excerpt(reason, 200), where);
  return result;
}

}  // namespace alignwatch::daemon
