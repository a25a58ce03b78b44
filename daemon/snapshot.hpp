// Snapshot files: the last good data of one source in the state dir, written atomically.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cb::daemon {

// File layout (little-endian):
//   "CBSNAP\r\n"      8-byte magic (the CR LF catches text-mode mangling)
//   u32 version       kSnapshotVersion; any other version is ignored
//   u32 metaLength, u64 payloadLength
//   u64 checksum      FNV-1a 64 over meta and payload
//   meta, payload
inline constexpr std::uint32_t kSnapshotVersion = 1;

struct Snapshot {
  std::string meta;     // e.g. the source's identity and last-success time
  std::string payload;  // the serialized store
};

struct SnapshotRead {
  std::optional<Snapshot> snapshot;
  std::string error;  // why the file was ignored ("" with no snapshot: the file does not exist)
};

[[nodiscard]] std::uint64_t snapshotChecksum(std::string_view meta, std::string_view payload);

// Reads and verifies a snapshot; never trusts a file that is short, of another
// version, or whose checksum does not match.
[[nodiscard]] SnapshotRead readSnapshot(const std::string& path);

// Writes `path` atomically: a temp file in the same directory, fsync, rename
// over `path`, fsync of the directory. A crash leaves the old or the new file,
// never a broken one. Returns 0 or -errno.
[[nodiscard]] int writeSnapshot(const std::string& path, const Snapshot& snapshot);

// Removes temp files a crash left beside `path` ("path.XXXXXX"); returns how many.
int removeSnapshotTemps(const std::string& path);

}  // namespace cb::daemon
