// Snapshot encoding, verification and the crash-safe write sequence.
#include "daemon/snapshot.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "daemon/fnv.hpp"
#include "daemon/wire.hpp"
#include "hal/atomic_file.hpp"
#include "hal/sys.hpp"

namespace cb::daemon {
namespace {

constexpr char kMagic[8] = {'C', 'B', 'S', 'N', 'A', 'P', '\r', '\n'};
constexpr std::size_t kHeader = 8 + 4 + 4 + 8 + 8;
constexpr std::uint64_t kMaxPayload = 256ull << 20;

// 0, or -EIO at a short file (it changed under us), or -errno.
int readAll(int fd, char* out, std::size_t n) {
  while (n > 0) {
    const ssize_t got = ::read(fd, out, n);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return -errno;
    if (got == 0) return -EIO;
    out += got;
    n -= std::size_t(got);
  }
  return 0;
}

}  // namespace

std::uint64_t snapshotChecksum(std::string_view meta, std::string_view payload) {
  return fnv1a(payload, fnv1a(meta));
}

SnapshotRead readSnapshot(const std::string& path) {
  SnapshotRead r;
  const hal::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    if (errno != ENOENT) r.error = std::string("cannot open: ") + std::strerror(errno);
    return r;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    r.error = std::string("cannot stat: ") + std::strerror(errno);
    return r;
  }
  if (!S_ISREG(st.st_mode)) {
    r.error = "not a regular file";
    return r;
  }
  // Every length is checked against the file's size before anything is allocated for it.
  const std::uint64_t fileSize = std::uint64_t(st.st_size);
  std::string header(kHeader, '\0');
  if (fileSize < kHeader || readAll(fd.get(), header.data(), kHeader) != 0) {
    r.error = "truncated header";
    return r;
  }
  if (std::memcmp(header.data(), kMagic, sizeof kMagic) != 0) {
    r.error = "not a calendarbot snapshot";
    return r;
  }
  wire::Reader fields(std::string_view(header).substr(sizeof kMagic));
  std::uint32_t version = 0, metaLength = 0;
  std::uint64_t payloadLength = 0, checksum = 0;
  if (!fields.get(version) || version != kSnapshotVersion) {
    r.error = "snapshot version " + std::to_string(version) + ", expected " +
              std::to_string(kSnapshotVersion);
    return r;
  }
  if (!fields.get(metaLength) || !fields.get(payloadLength) || !fields.get(checksum)) {
    r.error = "truncated header";
    return r;
  }
  if (metaLength > (1u << 20) || payloadLength > kMaxPayload) {
    r.error = "implausible lengths";
    return r;
  }
  if (fileSize - kHeader < metaLength + payloadLength) {
    r.error = "truncated body";
    return r;
  }
  if (fileSize - kHeader > metaLength + payloadLength) {
    r.error = "trailing bytes";
    return r;
  }
  Snapshot s;
  s.meta.resize(metaLength);
  s.payload.resize(payloadLength);
  if (readAll(fd.get(), s.meta.data(), metaLength) != 0 ||
      readAll(fd.get(), s.payload.data(), payloadLength) != 0) {
    r.error = "truncated body";
    return r;
  }
  if (snapshotChecksum(s.meta, s.payload) != checksum) {
    r.error = "checksum mismatch";
    return r;
  }
  r.snapshot = std::move(s);
  return r;
}

int writeSnapshot(const std::string& path, const Snapshot& s) {
  wire::Writer w;
  w.raw(std::string_view(kMagic, sizeof kMagic));
  w.put(kSnapshotVersion);
  w.put(std::uint32_t(s.meta.size()));
  w.put(std::uint64_t(s.payload.size()));
  w.put(snapshotChecksum(s.meta, s.payload));
  const std::string header = std::move(w).take();
  return hal::writeFileAtomically(path, {header, s.meta, s.payload}, 0600);
}

int removeSnapshotTemps(const std::string& path) {
  return hal::removeAtomicTemps(path);
}

}  // namespace cb::daemon
