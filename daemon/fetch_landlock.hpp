// The fetch child's file-system fence: Landlock, read-only access to a short list of paths.
#pragma once

#include <string>
#include <vector>

#include "daemon/fetcher.hpp"

namespace cb::daemon {

struct LandlockOutcome {
  bool applied = false;  // false: this kernel (or qemu-user) has no Landlock
  std::string error;     // a fence that could have been set up and was not
};

// Restricts the calling process (and what it forks) to reading files and listing
// directories under `readable` (paths that do not exist are skipped); every other
// file-system access — writing anywhere, reading the state dir, /dev's display and
// GPIO devices, credentials — fails with EACCES. Raw syscalls: glibc has no wrapper.
[[nodiscard]] LandlockOutcome restrictFilesystem(const std::vector<std::string>& readable);

// What a fetch of `source` reads: libraries, the resolver's and TLS's configuration,
// the CA bundle, a file source's file. Not the rest of /etc (a config directory may
// hold other sources' credentials), not /var, /run or /dev (state, display, GPIO, SPI).
[[nodiscard]] std::vector<std::string> fetchReadablePaths(const FetcherOptions& options,
                                                          const SourceConfig& source);

}  // namespace cb::daemon
