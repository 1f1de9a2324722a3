#include "daemon/staged_upload.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include <fmt/format.h>

#include "core/text.h"
#include "store/digest.h"

namespace alignwatch::daemon {

namespace fs = std::filesystem;

namespace {

std::string random_name(std::string_view prefix) {
  std::random_device random;
  return fmt::format("{}-{:08x}{:08x}", prefix, random(), random());
}

// One plain component: what an inbox entry may be called, minus hidden names and backslashes
// (a Windows path in a multipart filename is a path, not a name).
bool is_plain_file_name(std::string_view name) {
  return is_acceptable_inbox_name(name) && name.front() != '.' && name.find('\\') == std::string_view::npos;
}

}  // namespace

Result<std::unique_ptr<StagedUpload>> StagedUpload::create(const fs::path& incoming, ArtifactKind kind,
                                                           uint64_t max_bytes) {
  const fs::path dir = incoming / random_name("upload");
  std::error_code error;
  if (!fs::create_directory(dir, error) || error) {
    return make_error(StatusCode::kUnavailable, "cannot create " + dir.string() + ": " + error.message());
  }
  return std::unique_ptr<StagedUpload>(new StagedUpload(dir, kind, max_bytes));
}

StagedUpload::StagedUpload(fs::path dir, ArtifactKind kind, uint64_t max_bytes)
    : dir_(std::move(dir)), kind_(kind), max_bytes_(max_bytes) {}

StagedUpload::~StagedUpload() {
  file_.reset();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
  // A finished upload that accept_staged did not move away (it failed) is dropped too.
  if (!result_path_.empty() && result_path_ != dir_) fs::remove_all(result_path_, ignored);
}

Status StagedUpload::begin_file(std::string_view name) {
  if (file_ || finished_) return Status(StatusCode::kInternal, "begin_file: a file is already open");
  if (!is_plain_file_name(name)) {
    return Status(StatusCode::kInvalidArgument,
                  "file name '" + safe_excerpt(name, 80) +
                      "': expected one plain name (no '/', '\\\\', '..', leading '.' or control characters)");
  }
  if (kind_ == ArtifactKind::kDataset && !files_.empty()) {
    return Status(StatusCode::kInvalidArgument, "a dataset upload holds exactly one file");
  }
  for (const ListedFile& file : files_) {
    if (file.name == name) {
      return Status(StatusCode::kInvalidArgument, "file name '" + safe_excerpt(name, 80) + "' is repeated");
    }
  }
  if (files_.size() >= 256) return Status(StatusCode::kInvalidArgument, "more than 256 files in one upload");
  AW_ASSIGN_OR_RETURN(file_, HashingFileWriter::create(dir_ / std::string(name)));
  current_ = ListedFile{std::string(name), 0, {}};
  return Status::ok();
}

Status StagedUpload::write(std::string_view bytes) {
  if (!file_) return Status(StatusCode::kInternal, "write: no file is open");
  total_ += bytes.size();
  if (total_ > max_bytes_) {
    return Status(StatusCode::kResourceExhausted,
                  fmt::format("upload larger than the limit of {} bytes", max_bytes_));
  }
  return file_->write(bytes);
}

Status StagedUpload::end_file() {
  if (!file_) return Status(StatusCode::kInternal, "end_file: no file is open");
  // What was hashed is what is kept: the bytes are on disk before the store refers to them.
  current_.size = file_->size();
  auto sha = file_->finish();
  file_.reset();
  if (!sha) return sha.error();
  current_.sha256 = std::move(*sha);
  files_.push_back(std::move(current_));
  return Status::ok();
}

Result<StagedArtifact> StagedUpload::finish(std::string manifest_json) {
  if (file_) return make_error(StatusCode::kInternal, "finish: a file is still open");
  if (files_.empty()) return make_error(StatusCode::kInvalidArgument, "the upload holds no file");
  finished_ = true;
  StagedArtifact staged;
  staged.manifest_json = std::move(manifest_json);
  const bool single_file = kind_ == ArtifactKind::kDataset ||
                           (files_.size() == 1 && files_.front().name.ends_with(".tar"));
  std::error_code error;
  if (single_file) {
    const ListedFile& file = files_.front();
    staged.name = file.name;
    staged.sha256 = file.sha256;
    staged.size = file.size;
    staged.format = kind_ == ArtifactKind::kDataset ? "file" : "tar";
    // Out of the upload directory, so the artifact is the file itself.
    staged.path = dir_.parent_path() / random_name(kind_ == ArtifactKind::kDataset ? "dataset" : "adapter");
    fs::rename(dir_ / file.name, staged.path, error);
  } else {
    AW_ASSIGN_OR_RETURN(staged.sha256, adapter_listing_sha256(files_));
    staged.name = files_.size() == 1 ? files_.front().name : "adapter";
    staged.size = total_;
    staged.format = "directory";
    staged.path = dir_.parent_path() / random_name("adapter");
    fs::rename(dir_, staged.path, error);
  }
  if (error) return make_error(StatusCode::kUnavailable, "cannot stage the upload: " + error.message());
  result_path_ = staged.path;
  return staged;
}

}  // namespace alignwatch::daemon
