// The fetch child's seccomp allow-list, built with libseccomp (names resolved per architecture).
#include "daemon/fetch_seccomp.hpp"

#include <fmt/format.h>
#include <seccomp.h>
#include <sys/prctl.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>

namespace cb::daemon {
namespace {

struct FilterDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};
using FilterPtr = std::unique_ptr<void, FilterDeleter>;

// By job. Names a kernel or architecture lacks are skipped (libseccomp cannot
// resolve them), so one list serves x86-64, arm64 and armhf.
constexpr const char* kAllowed[] = {
    // memory
    "brk",
    "mmap",
    "mmap2",
    "munmap",
    "mremap",
    "mprotect",
    "madvise",
    "membarrier",
    // files, read only: libraries (dlopen of libcurl and its TLS), CA bundle,
    // resolver configuration, a file source. The child writes no file (the
    // daemon keeps validators and snapshots): no rename, unlink, mkdir, chmod.
    "openat",
    "open",
    "close",
    "read",
    "pread64",
    "readv",
    "write",
    "pwrite64",
    "writev",
    "lseek",
    "_llseek",
    "fstat",
    "fstat64",
    "newfstatat",
    "fstatat64",
    "stat",
    "stat64",
    "lstat",
    "lstat64",
    "statx",
    "statfs",
    "fstatfs",
    "statfs64",
    "fstatfs64",
    "access",
    "faccessat",
    "faccessat2",
    "readlink",
    "readlinkat",
    "getdents64",
    "getcwd",
    "fcntl",
    "fcntl64",
    "dup",
    "dup2",
    "dup3",
    "ioctl",
    "pipe",
    "pipe2",
    "eventfd2",
    "close_range",
    // sockets and waiting on them
    "socket",
    "socketpair",
    "connect",
    "bind",
    "getsockname",
    "getpeername",
    "getsockopt",
    "setsockopt",
    "sendto",
    "send",
    "sendmsg",
    "sendmmsg",
    "recvfrom",
    "recv",
    "recvmsg",
    "recvmmsg",
    "shutdown",
    "poll",
    "ppoll",
    "ppoll_time64",
    "select",
    "_newselect",
    "pselect6",
    "pselect6_time64",
    "epoll_create1",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    // threads of its own (libcurl's resolver) and their synchronisation
    "clone",
    "clone3",
    "futex",
    "futex_time64",
    "set_robust_list",
    "get_robust_list",
    "set_tid_address",
    "rseq",
    "sched_yield",
    "sched_getaffinity",
    // time, randomness, identity
    "clock_gettime",
    "clock_gettime64",
    "clock_getres",
    "clock_getres_time64",
    "gettimeofday",
    "time",
    "nanosleep",
    "clock_nanosleep",
    "clock_nanosleep_time64",
    "getrandom",
    "uname",
    "sysinfo",
    "getpid",
    "gettid",
    "getppid",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getuid32",
    "geteuid32",
    "getgid32",
    "getegid32",
    "getresuid",
    "getresgid",
    "getresuid32",
    "getresgid32",
    "getrlimit",
    "ugetrlimit",
    "prlimit64",
    "getrusage",
    // signals of its own (abort, SIGPIPE handling) and the end
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "sigreturn",
    "sigaltstack",
    "tgkill",
    "prctl",
    "exit",
    "exit_group",
    "restart_syscall",
};

}  // namespace

std::string installFetchSeccomp() {
  FilterPtr ctx(seccomp_init(SCMP_ACT_KILL_PROCESS));
  if (!ctx) return "seccomp_init failed";
  for (const char* name : kAllowed) {
    const int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture
    if (const int rc = seccomp_rule_add(ctx.get(), SCMP_ACT_ALLOW, nr, 0); rc != 0)
      return fmt::format("seccomp_rule_add({}): {}", name, std::strerror(-rc));
  }
  if (const int rc = seccomp_load(ctx.get()); rc != 0)
    return fmt::format("seccomp_load: {}", std::strerror(-rc));
  return {};
}

bool underQemuUser() {
  static const bool lost = [] {
    // A kernel with seccomp answers 0 (or the mode already set); only without it EINVAL.
    if (::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 || errno != EINVAL) return false;
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
      if (line.starts_with("Seccomp:")) return true;
    return false;
  }();
  return lost;
}

}  // namespace cb::daemon
