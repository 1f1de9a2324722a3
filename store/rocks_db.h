#pragma once
// An open RocksDB database with the store's column families, and the few operations the store
// needs, with every rocksdb::Status converted (rocks_status.h). Private to store/.

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "core/status.h"
#include "store/store_access.h"

namespace alignwatch::store {

class RocksDb;

// A consistent read view for as long as it lives. A secondary instance has no snapshots, but it
// is a fixed view between catch-ups anyway: there get() is null and reads see that view.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(const RocksDb& db);
  ~ReadSnapshot();
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  const rocksdb::Snapshot* get() const { return snapshot_; }

 private:
  const RocksDb& db_;
  const rocksdb::Snapshot* snapshot_;
};

class RocksDb {
 public:
  // Opens `path` with every column family in store_schema.h (and any others already there, which
  // RocksDB requires to be opened). kPrimary creates the directory and missing column families;
  // kReadOnly and kSecondary need an existing store (kNotFound otherwise) and never write to it;
  // kSecondary keeps its own files under `secondary_path`.
  static Result<std::unique_ptr<RocksDb>> open(const std::filesystem::path& path,
                                               StoreAccess access,
                                               const std::filesystem::path& secondary_path = {});
  ~RocksDb();
  RocksDb(const RocksDb&) = delete;
  RocksDb& operator=(const RocksDb&) = delete;

  const std::string& path() const { return path_; }
  StoreAccess access() const { return access_; }
  rocksdb::DB& db() const { return *db_; }
  // The handle of one of the store's column families; `name` must be one of cf::all().
  rocksdb::ColumnFamilyHandle* cf(std::string_view name) const;

  // The value at `key`, or nothing when absent. Reads through `snapshot` when given.
  Result<std::optional<std::string>> get(std::string_view column_family, std::string_view key,
                                         const rocksdb::Snapshot* snapshot = nullptr) const;
  // Applies `batch` atomically, synced to disk (WAL fsync) before returning.
  Status write_synced(rocksdb::WriteBatch& batch, std::string_view operation);
  // An iterator over one column family, through `snapshot` when given.
  std::unique_ptr<rocksdb::Iterator> iterate(std::string_view column_family,
                                             const rocksdb::Snapshot* snapshot = nullptr) const;
  // A converted status with this store's path.
  Status status(const rocksdb::Status& status, std::string_view operation,
                std::string_view column_family = {}, std::string_view key = {}) const;

 private:
  RocksDb() = default;

  std::string path_;
  StoreAccess access_ = StoreAccess::kPrimary;
  std::unique_ptr<rocksdb::DB> db_;
  // Owned by db_; ~RocksDb destroys them before closing it.
  std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> handles_;
};

}  // namespace alignwatch::store
