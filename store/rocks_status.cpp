#include "store/rocks_status.h"

#include <string>

#include "core/text.h"

namespace alignwatch::store {

namespace {

StatusCode code_for(const rocksdb::Status& status) {
  if (status.IsNotFound()) return StatusCode::kNotFound;
  if (status.IsCorruption()) return StatusCode::kCorruption;
  if (status.IsInvalidArgument()) return StatusCode::kInvalidArgument;
  if (status.IsNotSupported()) return StatusCode::kUnsupported;
  if (status.IsNoSpace() || status.IsMemoryLimit()) return StatusCode::kResourceExhausted;
  if (status.IsAborted()) return StatusCode::kCancelled;
  if (status.IsTimedOut()) return StatusCode::kDeadlineExceeded;
  if (status.IsIOError() || status.IsBusy() || status.IsTryAgain() ||
      status.IsShutdownInProgress()) {
    return StatusCode::kUnavailable;
  }
  return StatusCode::kInternal;
}

// RocksDB reports a held LOCK file as an I/O error mentioning the lock.
bool is_lock_held(const rocksdb::Status& status) {
  return status.IsIOError() && status.ToString().find("lock") != std::string::npos;
}

}  // namespace

Status from_rocksdb(const rocksdb::Status& status, const RocksCallSite& site) {
  if (status.ok()) return Status::ok();
  std::string message(site.operation);
  if (!site.column_family.empty()) {
    message += " cf ";
    message += site.column_family;
  }
  if (!site.key.empty()) {
    message += " key ";
    message += safe_excerpt(site.key, 96);
  }
  message += ": ";
  message += status.ToString();
  if (is_lock_held(status)) {
    message += " [hint: another process (a running alignwatchd?) has the store open for writing; "
               "readers open it as a secondary instance]";
  }
  Location location;
  location.file = std::string(site.path);
  return Status(code_for(status), std::move(message), std::move(location));
}

}  // namespace alignwatch::store
