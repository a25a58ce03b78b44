// The atomic writer (see the header): exclusive temp file, fsync, rename, fsync of the directory.
#include "hal/atomic_file.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "hal/sys.hpp"

namespace cb::hal {
namespace {

constexpr std::size_t kSuffix = 6;
constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

std::string tempName(const std::string& path) {
  unsigned char random[kSuffix];
  if (::getrandom(random, sizeof random, 0) != ssize_t(sizeof random)) {
    // No entropy yet (early boot): the pid and a counter are unique enough with O_EXCL.
    static unsigned counter = 0;
    unsigned v = unsigned(::getpid()) * 2654435761u + ++counter;
    for (unsigned char& c : random) c = static_cast<unsigned char>(v >>= 5);
  }
  std::string name = path + '.';
  for (unsigned char c : random) name.push_back(kAlphabet[c % (sizeof kAlphabet - 1)]);
  return name;
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

int writeFileAtomically(const std::string& path, std::initializer_list<std::string_view> parts,
                        mode_t mode) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) return -EEXIST;
  } else if (errno != ENOENT) {
    return -errno;
  }
  std::string tmp;
  UniqueFd fd;
  for (int attempt = 0; attempt < 16 && !fd.valid(); ++attempt) {
    tmp = tempName(path);
    fd = UniqueFd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!fd.valid() && errno != EEXIST) return -errno;
  }
  if (!fd.valid()) return -EEXIST;
  int rc = 0;
  for (std::string_view part : parts)
    if (rc == 0) rc = writeAll(fd.get(), part);
  if (rc == 0 && ::fsync(fd.get()) != 0) rc = -errno;
  const int closed = fd.close();
  if (rc == 0) rc = closed;
  if (rc == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) rc = -errno;
  if (rc != 0) {
    ::unlink(tmp.c_str());
    return rc;
  }
  // The rename is durable only once the directory entry is on disk.
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const UniqueFd dir(
      ::open(parent.empty() ? "." : parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.valid() && ::fsync(dir.get()) != 0) return -errno;
  return 0;
}

int removeAtomicTemps(const std::string& path) {
  const std::filesystem::path target(path);
  const std::string prefix = target.filename().string() + ".";
  std::error_code ec;
  int removed = 0;
  const auto dir = target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() == prefix.size() + kSuffix && name.starts_with(prefix) &&
        !entry.is_symlink(ec) && entry.is_regular_file(ec) &&
        std::filesystem::remove(entry.path(), ec))
      ++removed;
  }
  return removed;
}

}  // namespace cb::hal
