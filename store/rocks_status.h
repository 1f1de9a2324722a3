#pragma once
// The one adapter from rocksdb::Status to our Status. Every RocksDB call in the store goes
// through it, so every error names the store path, the operation, and the column family and key
// where there is one.

#include <string_view>

#include <rocksdb/status.h>

#include "core/status.h"

namespace alignwatch::store {

// Where a RocksDB call happened, for its error message.
struct RocksCallSite {
  std::string_view path;       // the store directory
  std::string_view operation;  // "get", "write batch", "open", ...
  std::string_view column_family = {};
  std::string_view key = {};
};

// Ok for an ok status; otherwise our code for it (corruption -> kCorruption, not found ->
// kNotFound, no space -> kResourceExhausted, lock held/busy/I/O -> kUnavailable, ...) with the
// store path as the location and "<operation> [cf <cf>] [key <key>]: <rocksdb message>".
Status from_rocksdb(const rocksdb::Status& status, const RocksCallSite& site);

}  // namespace alignwatch::store
