#pragma once
// Unpacks an adapter submitted as a .tar into a flat directory, refusing anything that is not a
// plain file: links, devices, FIFOs, absolute names, "..", names nested deeper than one top
// directory, repeated names, and more than `max_bytes` or 256 files. Only the ustar/GNU header
// fields a tar of a directory needs are read; nothing is extracted outside `dest`.

#include <cstdint>
#include <string>

#include "core/status.h"

namespace alignwatch::daemon {

// kInvalidArgument naming the entry and why; kUnavailable for I/O.
Status extract_adapter_tar(const std::string& tar_path, const std::string& dest_dir, uint64_t max_bytes);

}  // namespace alignwatch::daemon
