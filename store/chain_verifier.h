#pragma once
// The walk behind EvidenceStore::verify(). Private to store/.

#include "core/status.h"
#include "store/link_hasher.h"
#include "store/rocks_db.h"
#include "store/verify_report.h"

namespace alignwatch::store {

// Walks `audit_chain` from seq 1 through one snapshot of `db`: recomputes every link hash with
// `hasher`, checks that each link follows the one before, re-reads the record it refers to and
// compares its SHA-256, checks chain_index, then the chain head, then that every evidence record
// has a link. Stops at the first problem. Tampering is reported in the VerifyReport; an error is
// returned only when the store cannot be read (I/O, OpenSSL).
Result<VerifyReport> verify_chain(const RocksDb& db, const LinkHasher& hasher);

}  // namespace alignwatch::store
