#pragma once
// How a process opened the evidence store.

namespace alignwatch::store {

enum class StoreAccess {
  kPrimary,    // the daemon: reads and writes; one process at a time (RocksDB's LOCK file)
  kReadOnly,   // a fixed view of the store as it was when opened; no writes
  kSecondary,  // a reader beside a running primary that follows it with catch_up(); no writes
};

}  // namespace alignwatch::store
