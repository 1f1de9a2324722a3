#include "store/rocks_db.h"

#include <algorithm>
#include <system_error>

#include <rocksdb/options.h>

#include "store/rocks_status.h"
#include "store/store_schema.h"

namespace alignwatch::store {

namespace {

rocksdb::Options store_options(StoreAccess access) {
  rocksdb::Options options;
  options.create_if_missing = access == StoreAccess::kPrimary;
  options.create_missing_column_families = access == StoreAccess::kPrimary;
  options.paranoid_checks = true;
  // Evidence is small and written one synced batch at a time; keep RocksDB's own log quiet and
  // bounded inside the state directory.
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  options.keep_log_file_num = 4;
  options.max_log_file_size = 8 << 20;
  // A secondary instance must keep every table file open to follow the primary's compactions.
  if (access == StoreAccess::kSecondary) options.max_open_files = -1;
  return options;
}

std::string_view access_name(StoreAccess access) {
  switch (access) {
    case StoreAccess::kPrimary: return "open";
    case StoreAccess::kReadOnly: return "open read-only";
    case StoreAccess::kSecondary: return "open secondary";
  }
  return "open";
}

}  // namespace

ReadSnapshot::ReadSnapshot(const RocksDb& db)
    : db_(db), snapshot_(db.access() == StoreAccess::kSecondary ? nullptr : db.db().GetSnapshot()) {}

ReadSnapshot::~ReadSnapshot() {
  if (snapshot_) db_.db().ReleaseSnapshot(snapshot_);
}

Result<std::unique_ptr<RocksDb>> RocksDb::open(const std::filesystem::path& path,
                                               StoreAccess access,
                                               const std::filesystem::path& secondary_path) {
  std::unique_ptr<RocksDb> store(new RocksDb());
  store->path_ = path.string();
  store->access_ = access;
  const std::string_view operation = access_name(access);
  Location location;
  location.file = store->path_;

  std::error_code error;
  const bool exists = std::filesystem::exists(path / "CURRENT", error);
  if (access == StoreAccess::kPrimary) {
    std::filesystem::create_directories(path, error);
    if (error) {
      return make_error(StatusCode::kUnavailable,
                        std::string(operation) + ": cannot create the store directory: " +
                            error.message(),
                        location);
    }
  } else if (!exists) {
    return make_error(StatusCode::kNotFound,
                      std::string(operation) +
                          ": expected an evidence store (a RocksDB directory), got none "
                          "[hint: has alignwatchd run with this state directory?]",
                      location);
  }

  rocksdb::Options options = store_options(access);
  std::vector<std::string> names;
  if (exists) {
    rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(options, store->path_, &names);
    if (!listed.ok()) return std::unexpected(store->status(listed, "list column families"));
  }
  if (access != StoreAccess::kPrimary) {
    for (std::string_view name : cf::all()) {
      if (std::find(names.begin(), names.end(), name) == names.end()) {
        return make_error(StatusCode::kInvalidArgument,
                          std::string(operation) +
                              ": expected an alignwatch evidence store, got a RocksDB database "
                              "without column family '" + std::string(name) + "'",
                          location);
      }
    }
  }
  for (std::string_view name : cf::all()) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.emplace_back(name);
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.reserve(names.size());
  for (const std::string& name : names) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions(options));
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened;
  switch (access) {
    case StoreAccess::kPrimary:
      opened = rocksdb::DB::Open(options, store->path_, descriptors, &handles, &raw);
      break;
    case StoreAccess::kReadOnly:
      opened = rocksdb::DB::OpenForReadOnly(options, store->path_, descriptors, &handles, &raw);
      break;
    case StoreAccess::kSecondary: {
      std::filesystem::create_directories(secondary_path, error);
      if (error) {
        return make_error(StatusCode::kUnavailable,
                          std::string(operation) + ": cannot create the secondary directory " +
                              secondary_path.string() + ": " + error.message(),
                          location);
      }
      opened = rocksdb::DB::OpenAsSecondary(options, store->path_, secondary_path.string(),
                                            descriptors, &handles, &raw);
      break;
    }
  }
  if (!opened.ok()) return std::unexpected(store->status(opened, operation));
  store->db_.reset(raw);
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    store->handles_.emplace(handle->GetName(), handle);
  }
  return store;
}

RocksDb::~RocksDb() {
  if (!db_) return;
  for (auto& [name, handle] : handles_) {
    // Failing to free a handle at shutdown leaves nothing to recover; the DB closes regardless.
    db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  handles_.clear();
  // Close() flushes nothing we depend on: every write was synced to the WAL.
  db_->Close().PermitUncheckedError();
}

rocksdb::ColumnFamilyHandle* RocksDb::cf(std::string_view name) const {
  auto it = handles_.find(name);
  // open() opened every name in cf::all(); asking for another is a programming error.
  return it == handles_.end() ? nullptr : it->second;
}

Result<std::optional<std::string>> RocksDb::get(std::string_view column_family,
                                                std::string_view key,
                                                const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  read.verify_checksums = true;
  std::string value;
  rocksdb::Status got = db_->Get(read, cf(column_family), rocksdb::Slice(key.data(), key.size()),
                                 &value);
  if (got.IsNotFound()) return std::optional<std::string>();
  if (!got.ok()) return std::unexpected(status(got, "get", column_family, key));
  return std::optional<std::string>(std::move(value));
}

Status RocksDb::write_synced(rocksdb::WriteBatch& batch, std::string_view operation) {
  rocksdb::WriteOptions write;
  // Evidence and job transitions must be on disk before the caller acts on them (marks a job
  // done, answers a client, acknowledges an inotify event).
  write.sync = true;
  return status(db_->Write(write, &batch), operation);
}

std::unique_ptr<rocksdb::Iterator> RocksDb::iterate(std::string_view column_family,
                                                    const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  read.verify_checksums = true;
  return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(read, cf(column_family)));
}

Status RocksDb::status(const rocksdb::Status& status, std::string_view operation,
                       std::string_view column_family, std::string_view key) const {
  return from_rocksdb(status, RocksCallSite{path_, operation, column_family, key});
}

}  // namespace alignwatch::store
