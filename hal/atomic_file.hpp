// The one atomic file writer: frames (PNG display), snapshots and validators go through it.
#pragma once

#include <sys/types.h>

#include <initializer_list>
#include <string>
#include <string_view>

namespace cb::hal {

// Replaces `path` with the concatenated `parts`: a temp file created exclusively beside it
// ("PATH.XXXXXX", random, O_CREAT|O_EXCL|O_NOFOLLOW: nothing planted there is followed or
// overwritten), written, fsync()ed, renamed over `path`, then the directory fsync()ed, so a
// power cut leaves the old file or the new one. A `path` that exists and is not a regular
// file (symlink, device, FIFO, directory) is left alone: -EEXIST. Returns 0 or -errno; on
// error the temp file is gone.
[[nodiscard]] int writeFileAtomically(const std::string& path,
                                      std::initializer_list<std::string_view> parts, mode_t mode);

// The temp files a crash left beside `path` ("PATH.XXXXXX"): removed; returns how many.
int removeAtomicTemps(const std::string& path);

}  // namespace cb::hal
