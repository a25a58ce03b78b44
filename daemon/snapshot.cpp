// Snapshot encoding, verification and the crash-safe write sequence.
#include "daemon/snapshot.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "daemon/fnv.hpp"

namespace cb::daemon {
namespace {

constexpr char kMagic[8] = {'C', 'B', 'S', 'N', 'A', 'P', '\r', '\n'};
constexpr std::size_t kHeader = 8 + 4 + 4 + 8 + 8;
constexpr std::uint64_t kMaxPayload = 256ull << 20;

template <typename T>
void put(std::string& out, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    out.push_back(char((std::uint64_t(v) >> (8 * i)) & 0xff));
}

template <typename T>
T get(const char* p) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    v |= std::uint64_t(static_cast<unsigned char>(p[i])) << (8 * i);
  return T(v);
}

int writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    data.remove_prefix(std::size_t(n));
  }
  return 0;
}

}  // namespace

std::uint64_t snapshotChecksum(std::string_view meta, std::string_view payload) {
  return fnv1a(payload, fnv1a(meta));
}

SnapshotRead readSnapshot(const std::string& path) {
  SnapshotRead r;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno != ENOENT) r.error = std::string("cannot open: ") + std::strerror(errno);
    return r;
  }
  std::string header(kHeader, '\0');
  if (!in.read(header.data(), std::streamsize(kHeader))) {
    r.error = "truncated header";
    return r;
  }
  if (std::memcmp(header.data(), kMagic, sizeof kMagic) != 0) {
    r.error = "not a calendarbot snapshot";
    return r;
  }
  const auto version = get<std::uint32_t>(header.data() + 8);
  if (version != kSnapshotVersion) {
    r.error = "snapshot version " + std::to_string(version) + ", expected " +
              std::to_string(kSnapshotVersion);
    return r;
  }
  const auto metaLength = get<std::uint32_t>(header.data() + 12);
  const auto payloadLength = get<std::uint64_t>(header.data() + 16);
  const auto checksum = get<std::uint64_t>(header.data() + 24);
  if (metaLength > (1u << 20) || payloadLength > kMaxPayload) {
    r.error = "implausible lengths";
    return r;
  }
  Snapshot s;
  s.meta.resize(metaLength);
  s.payload.resize(payloadLength);
  if (!in.read(s.meta.data(), std::streamsize(metaLength)) ||
      !in.read(s.payload.data(), std::streamsize(payloadLength))) {
    r.error = "truncated body";
    return r;
  }
  if (in.peek() != std::char_traits<char>::eof()) {
    r.error = "trailing bytes";
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
  std::string header(kMagic, sizeof kMagic);
  put<std::uint32_t>(header, kSnapshotVersion);
  put<std::uint32_t>(header, std::uint32_t(s.meta.size()));
  put<std::uint64_t>(header, s.payload.size());
  put<std::uint64_t>(header, snapshotChecksum(s.meta, s.payload));

  const std::filesystem::path target(path);
  const std::string dir = target.parent_path().empty() ? "." : target.parent_path().string();
  std::string tmp = path + ".XXXXXX";
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return -errno;
  int rc = writeAll(fd, header);
  if (rc == 0) rc = writeAll(fd, s.meta);
  if (rc == 0) rc = writeAll(fd, s.payload);
  if (rc == 0 && ::fsync(fd) != 0) rc = -errno;
  if (::close(fd) != 0 && rc == 0) rc = -errno;
  if (rc == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) rc = -errno;
  if (rc != 0) {
    ::unlink(tmp.c_str());
    return rc;
  }
  // The rename is durable only once the directory entry is on disk.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    if (::fsync(dfd) != 0) rc = -errno;
    ::close(dfd);
  }
  return rc;
}

int removeSnapshotTemps(const std::string& path) {
  const std::filesystem::path target(path);
  const std::string prefix = target.filename().string() + ".";
  std::error_code ec;
  int removed = 0;
  const auto dir = target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() == prefix.size() + 6 && name.starts_with(prefix) &&
        std::filesystem::remove(entry.path(), ec))
      ++removed;
  }
  return removed;
}

}  // namespace cb::daemon
