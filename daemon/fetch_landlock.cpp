// Landlock through raw system calls (<linux/landlock.h>), as best the kernel allows.
#include "daemon/fetch_landlock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "daemon/feed_sink.hpp"
#include "hal/sys.hpp"

namespace cb::daemon {
namespace {

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

// Every file-system right of ABI 1; REFER (ABI 2) and TRUNCATE (ABI 3) where known.
constexpr __u64 kAbi1 =
    LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |
    LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
    LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
    LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
    LANDLOCK_ACCESS_FS_MAKE_SYM;
// Libraries are mapped executable: dlopen of libcurl, its TLS library and NSS modules.
constexpr __u64 kReadExec =
    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_EXECUTE;

int abiVersion() {
  const long v =
      ::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return v < 0 ? 0 : int(v);
}

}  // namespace

LandlockOutcome restrictFilesystem(const std::vector<std::string>& readable) {
  LandlockOutcome out;
  const int abi = abiVersion();
  if (abi <= 0) return out;  // ENOSYS / EOPNOTSUPP: no Landlock here
  __u64 handled = kAbi1;
  if (abi >= 2) handled |= LANDLOCK_ACCESS_FS_REFER;
  if (abi >= 3) handled |= LANDLOCK_ACCESS_FS_TRUNCATE;
  landlock_ruleset_attr attr{};
  attr.handled_access_fs = handled;
  const hal::UniqueFd ruleset(int(::syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0)));
  if (!ruleset.valid()) {
    out.error = fmt::format("landlock_create_ruleset: {}", std::strerror(errno));
    return out;
  }
  for (const std::string& path : readable) {
    const hal::UniqueFd fd(::open(path.c_str(), O_PATH | O_CLOEXEC));
    struct stat st {};
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0) continue;
    landlock_path_beneath_attr rule{};
    rule.parent_fd = fd.get();
    // A file (the CA bundle, a file source) is read, never run; READ_DIR on it is EINVAL.
    rule.allowed_access = S_ISDIR(st.st_mode) ? kReadExec : __u64(LANDLOCK_ACCESS_FS_READ_FILE);
    if (::syscall(SYS_landlock_add_rule, ruleset.get(), LANDLOCK_RULE_PATH_BENEATH, &rule, 0) !=
        0) {
      out.error = fmt::format("landlock_add_rule({}): {}", path, std::strerror(errno));
      return out;
    }
  }
  // Needed without CAP_SYS_ADMIN; the child sets it anyway for seccomp.
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      ::syscall(SYS_landlock_restrict_self, ruleset.get(), 0) != 0) {
    out.error = fmt::format("landlock_restrict_self: {}", std::strerror(errno));
    return out;
  }
  out.applied = true;
  return out;
}

std::vector<std::string> fetchReadablePaths(const FetcherOptions& options,
                                            const SourceConfig& source) {
  std::vector<std::string> paths = {
      "/usr",
      "/lib",
      "/lib64",
      "/lib32",
      "/etc/ld.so.cache",
      "/etc/ssl",
      "/etc/ca-certificates",
      "/etc/pki",
      "/etc/gnutls",
      "/etc/crypto-policies",
      "/etc/resolv.conf",
      "/etc/hosts",
      "/etc/host.conf",
      "/etc/nsswitch.conf",
      "/etc/gai.conf",
      "/etc/services",
      "/etc/protocols",
      "/etc/localtime",
      "/run/systemd/resolve",
      "/dev/urandom",
  };
  if (!options.caFile.empty()) paths.push_back(options.caFile);
  if (!options.caPath.empty()) paths.push_back(options.caPath);
  if (!isRemote(source.url)) {
    std::string path = source.url;
    if (istartsWith(path, "file://")) path.erase(0, 7);
    paths.push_back(path);
  }
  return paths;
}

}  // namespace cb::daemon
