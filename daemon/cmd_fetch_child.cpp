// `calendarbot fetch-child`: one fetch in a fresh, fenced process; request on stdin, answer on
// fd 3.
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <new>

#include "daemon/cli.hpp"
#include "daemon/feed_sink.hpp"
#include "daemon/fetch_child.hpp"
#include "daemon/fetch_landlock.hpp"
#include "daemon/fetch_protocol.hpp"
#include "daemon/fetch_seccomp.hpp"
#include "daemon/log.hpp"

namespace cb::daemon {
namespace {

constexpr int kResultFd = 3;

// ASan reserves terabytes of shadow address space: an address-space limit would
// stop a sanitizer build's child before it starts.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kLimitAddressSpace = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kLimitAddressSpace = false;
#else
constexpr bool kLimitAddressSpace = true;
#endif
#else
constexpr bool kLimitAddressSpace = true;
#endif

// This process's address space and data (VmSize, VmData) now, at the start of a
// fresh image: the bases of the memory limits.
struct MemoryNow {
  std::uint64_t size = 0;
  std::uint64_t data = 0;
};
MemoryNow memoryNow() {
  std::ifstream status("/proc/self/status");
  MemoryNow m;
  std::string key;
  std::uint64_t kib = 0;
  while (status >> key) {
    if (key == "VmSize:" && status >> kib) m.size = kib << 10;
    if (key == "VmData:" && status >> kib) m.data = kib << 10;
  }
  return m;
}

bool setLimit(int resource, rlim_t value) {
  const rlimit r{value, resource == RLIMIT_CPU ? value + 1 : value};
  return ::setrlimit(resource, &r) == 0;
}

bool setLimits(const ChildLimits& limits) {
  if (kLimitAddressSpace) {
    // Data (heap, anonymous and writable mappings) is the memory limit; the address
    // space gets room on top for libcurl's libraries, a resolver thread and its arena.
    const MemoryNow base = memoryNow();
    if (!setLimit(RLIMIT_DATA, base.data + limits.memoryBytes) ||
        !setLimit(RLIMIT_AS, base.size + 2 * limits.memoryBytes + (128u << 20)))
      return false;
  }
  return setLimit(RLIMIT_CPU, rlim_t(std::max<long long>(1, limits.cpu.count()))) &&
         setLimit(RLIMIT_NOFILE, limits.openFiles) && setLimit(RLIMIT_CORE, 0);
}

bool writeAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(std::size_t(n));
  }
  return true;
}

std::string readRequest() {
  std::string in;
  char buf[16 * 1024];
  for (;;) {
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || in.size() + std::size_t(n) > kMaxRequestBytes) break;
    in.append(buf, std::size_t(n));
  }
  return in;
}

}  // namespace

bool childAddressSpaceLimited() {
  return kLimitAddressSpace;
}

int cmdFetchChild(const std::vector<std::string_view>& args) {
  if (!args.empty() || ::isatty(STDIN_FILENO)) {
    log::error("fetch-child is started by `calendarbot run`, one per refresh; it takes no options");
    return kUsage;
  }
  std::optional<FetchRequest> request = decodeFetchRequest(readRequest());
  ::close(STDIN_FILENO);
  if (!request) return kChildBadRequest;
  log::setLevel(request->logLevel);
  const ChildLimits& limits = request->limits;
  if (!setLimits(limits) || ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return kChildUnfenced;
  const LandlockOutcome fence =
      restrictFilesystem(fetchReadablePaths(request->options, request->job.source));
  if (!fence.error.empty()) {
    log::error("{}: {}", request->job.source.name, fence.error);
    return kChildUnfenced;
  }
  if (!fence.applied)
    log::debug("{}: no Landlock in this kernel: the fetch child's files are not fenced",
               request->job.source.name);
  if (limits.seccomp && !installFetchSeccomp().empty()) return kChildNoSeccomp;
  log::debug("{}: fetch child {} fenced (limits, no new privileges{}{}), fetching",
             request->job.source.name, ::getpid(), fence.applied ? ", Landlock" : "",
             limits.seccomp ? ", seccomp" : "");

  const std::string label = sourceLabel(request->job.source);
  std::string message;
  try {
    message = encodeFetchResult(fetchNow(std::move(request->job), std::move(request->options)));
  } catch (const std::bad_alloc&) {
    // The store or the parser outgrew the limit; what was allocated is released
    // by the unwinding, so the short answer fits.
    message = encodeFetchResult(
        failedResult(label, fmt::format("out of memory: the fetch child's memory limit ({}, "
                                        "fetch.child_memory_mb) was reached",
                                        sizeLimitText(limits.memoryBytes))));
  } catch (const std::exception& e) {
    message = encodeFetchResult(failedResult(label, e.what()));
  }
  return writeAll(kResultFd, message) ? kChildAnswered : kChildWriteFailed;
}

}  // namespace cb::daemon
