// ChildFeedLoader: fork per refresh, fence the child, read its one message and its exit status.
#include "daemon/fetch_child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <new>

#include "daemon/fetch_protocol.hpp"
#include "daemon/fetch_seccomp.hpp"
#include "daemon/log.hpp"
#include "hal/sys.hpp"

namespace cb::daemon {

using namespace std::chrono;
using SteadyClock = steady_clock;

struct ChildFeedLoader::Request {
  SourceConfig source;
  ics::IngestOptions ingest;
  std::function<void(FetchResult)> done;
};

struct ChildFeedLoader::Child {
  Request request;
  std::string label;
  bool conditional = false;
  pid_t pid = -1;
  hal::UniqueFd pidfd;  // invalid where the kernel has no pidfd_open: the pipe's end then tells
  hal::UniqueFd pipe;   // invalid once the child closed its end
  std::string received;
  SteadyClock::time_point startedAt;
  SteadyClock::time_point deadline;
  bool timedOut = false;
  bool tooLarge = false;
};

namespace {

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

constexpr int kResultFd = 3;

// The daemon's own address space and data (VmSize, VmData: private writable
// memory), the bases of the child's limits.
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

void setLimit(int resource, rlim_t soft, rlim_t hard) {
  const rlimit r{soft, hard};
  if (::setrlimit(resource, &r) != 0) ::_exit(120);  // a child that cannot be fenced does not run
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

FetchResult failure(const std::string& label, std::string_view reason) {
  FetchResult r;
  r.kind = FetchResult::Kind::Failed;
  r.error = fmt::format("{}: {}", label, reason);
  return r;
}

std::string sizeText(std::uint64_t bytes) {
  return fmt::format("{} MiB", (bytes + (1u << 20) - 1) >> 20);
}

// Runs in the forked child: fence it, fetch, answer, exit. Never returns, never
// runs the daemon's destructors or atexit handlers.
[[noreturn]] void runChild(int resultFd, const SourceConfig& source,
                           const ics::IngestOptions& ingest, const FetcherOptions& options,
                           bool conditional, const ChildLimits& limits, MemoryNow base) noexcept {
  // Die with the daemon, whatever kills it.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) ::_exit(121);
  // The daemon blocks the signals its signalfd serves; the child takes them the default way.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(122);
  // Nothing of the daemon's stays open: not the display, the GPIO chip, the
  // signalfd or a snapshot; only stdio (the journal) and the result pipe.
  if (resultFd != kResultFd && ::dup2(resultFd, kResultFd) != kResultFd) ::_exit(123);
  if (::syscall(SYS_close_range, kResultFd + 1, ~0U, 0) != 0) {
    for (int fd = kResultFd + 1; fd < 65536; ++fd) ::close(fd);
  }
  if (kLimitAddressSpace) {
    // Data (heap, anonymous and writable mappings, counted as they are made
    // writable) is the memory limit; the address space gets room on top for
    // libcurl's libraries, a resolver thread's stack and malloc arena.
    const rlim_t data = base.data + limits.memoryBytes;
    setLimit(RLIMIT_DATA, data, data);
    const rlim_t space = base.size + 2 * limits.memoryBytes + (128u << 20);
    setLimit(RLIMIT_AS, space, space);
  }
  const auto cpu = rlim_t(std::max<long long>(1, limits.cpu.count()));
  setLimit(RLIMIT_CPU, cpu, cpu + 1);
  setLimit(RLIMIT_NOFILE, limits.openFiles, limits.openFiles);
  setLimit(RLIMIT_CORE, 0, 0);
  if (limits.seccomp && !installFetchSeccomp().empty()) ::_exit(125);

  std::string message;
  try {
    message = encodeFetchResult(fetchNow(source, ingest, options, conditional));
  } catch (const std::bad_alloc&) {
    // The store or the parser outgrew the limit; what was allocated is released
    // by the unwinding, so the short answer fits.
    message = encodeFetchResult(
        failure(sourceLabel(source),
                fmt::format("out of memory in the fetch child (limit {} beyond the daemon's)",
                            sizeText(limits.memoryBytes))));
  } catch (const std::exception& e) {
    message = encodeFetchResult(failure(sourceLabel(source), e.what()));
  }
  ::_exit(writeAll(kResultFd, message) ? 0 : 124);
}

std::string signalName(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev != nullptr ? fmt::format("signal {} (SIG{})", sig, abbrev)
                           : fmt::format("signal {}", sig);
}

// Why a child's refresh failed, from its exit status.
std::string exitReason(int status, const ChildFeedLoader::Child& child, const ChildLimits& limits,
                       milliseconds allowed) {
  if (child.timedOut)
    return fmt::format("the fetch child did not finish within {} s and was killed",
                       duration_cast<seconds>(allowed).count());
  if (child.tooLarge) return "the fetch child's answer was larger than any store can be";
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    if (sig == SIGXCPU)
      return fmt::format("the fetch child used up its CPU time limit ({} s)", limits.cpu.count());
    if (sig == SIGSYS) return "the fetch child made a forbidden system call (SIGSYS)";
    return fmt::format("the fetch child was killed by {}", signalName(sig));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    const int code = WEXITSTATUS(status);
    if (code >= 120 && code <= 123) return "the fetch child could not be fenced";
    if (code == 125) return "the fetch child could not load its seccomp filter";
    return fmt::format("the fetch child exited with status {}", code);
  }
  return "the fetch child's answer was incomplete or corrupt";
}

// Reads what the child wrote so far; false once its end is closed (EOF) or broken.
bool drain(ChildFeedLoader::Child& child, std::uint64_t cap) {
  char buf[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(child.pipe.get(), buf, sizeof buf);
    if (n > 0) {
      if (child.received.size() + std::size_t(n) > cap) {
        child.tooLarge = true;
        return false;
      }
      child.received.append(buf, std::size_t(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && errno == EAGAIN;
  }
}

}  // namespace

ChildFeedLoader::ChildFeedLoader(FetcherOptions options, ChildLimits limits)
    : options_(std::move(options)), limits_(limits) {}

ChildFeedLoader::~ChildFeedLoader() {
  cancelAll();
}

void ChildFeedLoader::start(const SourceConfig& source, const ics::IngestOptions& options,
                            std::function<void(FetchResult)> done) {
  cancel(source.name);
  queued_.push_back(Request{source, options, std::move(done)});
  launchQueued();
}

void ChildFeedLoader::launchQueued() {
  const std::size_t most = std::max<std::size_t>(1, options_.maxConcurrent);
  while (running_.size() < most && !queued_.empty()) {
    Request r = std::move(queued_.front());
    queued_.pop_front();
    launch(std::move(r));
  }
}

void ChildFeedLoader::launch(Request request) {
  auto child = std::make_unique<Child>();
  child->label = sourceLabel(request.source);
  child->conditional = haveFullCopy_.contains(request.source.name + '\n' + request.source.url);
  child->startedAt = SteadyClock::now();
  child->deadline = child->startedAt + options_.connectTimeout + options_.maxTime + limits_.grace;
  child->request = std::move(request);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    const int err = errno;
    FetchResult r = failure(child->label, fmt::format("pipe: {}", std::strerror(err)));
    child->request.done(std::move(r));
    return;
  }
  hal::UniqueFd readEnd(fds[0]);
  hal::UniqueFd writeEnd(fds[1]);
  // The child writes with blocking calls: the daemon reads as it goes.
  (void)::fcntl(writeEnd.get(), F_SETFL, 0);
  const MemoryNow base = memoryNow();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    child->request.done(failure(child->label, fmt::format("fork: {}", std::strerror(err))));
    return;
  }
  if (pid == 0) {
    runChild(writeEnd.get(), child->request.source, child->request.ingest, options_,
             child->conditional, limits_, base);
  }
  ++started_;
  writeEnd.reset();
  child->pid = pid;
  child->pipe = std::move(readEnd);
  const long pidfd = ::syscall(SYS_pidfd_open, pid, 0);
  if (pidfd >= 0) child->pidfd = hal::UniqueFd(int(pidfd));
  log::debug("{}: fetch child {} started", child->request.source.name, pid);
  running_.push_back(std::move(child));
}

std::vector<pollfd> ChildFeedLoader::pollFds() const {
  std::vector<pollfd> fds;
  for (const auto& c : running_) {
    if (c->pipe.valid()) fds.push_back({c->pipe.get(), POLLIN, 0});
    if (c->pidfd.valid()) fds.push_back({c->pidfd.get(), POLLIN, 0});
  }
  return fds;
}

int ChildFeedLoader::timeoutMs() const {
  if (running_.empty()) return -1;
  auto first = SteadyClock::time_point::max();
  for (const auto& c : running_) first = std::min(first, c->deadline);
  const auto left = ceil<milliseconds>(first - SteadyClock::now()).count();
  return int(std::clamp<long long>(left, 0, 24 * 3600 * 1000));
}

void ChildFeedLoader::process(std::span<const pollfd> ready) {
  const auto isReady = [&](const hal::UniqueFd& fd) {
    return fd.valid() && std::any_of(ready.begin(), ready.end(), [&](const pollfd& p) {
             return p.fd == fd.get() && p.revents != 0;
           });
  };
  // A store image is at most the size of the feed it came from, plus its indexes.
  const std::uint64_t cap = 2 * options_.maxBodyBytes + (16u << 20);
  const auto now = SteadyClock::now();
  std::vector<std::pair<std::function<void(FetchResult)>, FetchResult>> finished;
  for (auto it = running_.begin(); it != running_.end();) {
    Child& c = **it;
    if (isReady(c.pipe) && !drain(c, cap)) c.pipe.reset();
    if (c.tooLarge || now >= c.deadline) {
      c.timedOut = !c.tooLarge;
      ::kill(c.pid, SIGKILL);
    }
    // With a pidfd the child's exit wakes us; without one, the end of its pipe does.
    const bool exited = c.pidfd.valid() ? isReady(c.pidfd) : !c.pipe.valid();
    if (!exited && !c.timedOut && !c.tooLarge) {
      ++it;
      continue;
    }
    int status = 0;
    pid_t got;
    do {
      got = ::waitpid(c.pid, &status, 0);
    } while (got < 0 && errno == EINTR);
    if (c.pipe.valid()) (void)drain(c, cap);  // what it wrote before it exited
    std::optional<FetchResult> result;
    const milliseconds allowed =
        duration_cast<milliseconds>(options_.connectTimeout + options_.maxTime + limits_.grace);
    if (got == c.pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 && !c.timedOut &&
        !c.tooLarge) {
      result = decodeFetchResult(c.received);
    }
    if (!result) {
      result = failure(c.label, exitReason(status, c, limits_, allowed));
      result->duration = duration_cast<milliseconds>(SteadyClock::now() - c.startedAt);
      log::debug("{}: fetch child {} ended: {}", c.request.source.name, c.pid, result->error);
    }
    if (result->kind == FetchResult::Kind::Updated)
      haveFullCopy_.insert(c.request.source.name + '\n' + c.request.source.url);
    finished.emplace_back(std::move(c.request.done), std::move(*result));
    it = running_.erase(it);
  }
  launchQueued();
  // Last: a callback may start or cancel fetches.
  for (auto& [done, result] : finished) done(std::move(result));
}

void ChildFeedLoader::cancel(const std::string& name) {
  std::erase_if(queued_, [&](const Request& r) { return r.source.name == name; });
  for (auto it = running_.begin(); it != running_.end();) {
    if ((*it)->request.source.name != name) {
      ++it;
      continue;
    }
    ::kill((*it)->pid, SIGKILL);
    while (::waitpid((*it)->pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    it = running_.erase(it);
  }
}

void ChildFeedLoader::cancelAll() {
  queued_.clear();
  for (const auto& c : running_) ::kill(c->pid, SIGKILL);
  for (const auto& c : running_) {
    while (::waitpid(c->pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  running_.clear();
}

std::vector<pid_t> ChildFeedLoader::childPids() const {
  std::vector<pid_t> pids;
  for (const auto& c : running_) pids.push_back(c->pid);
  return pids;
}

bool childAddressSpaceLimited() {
  return kLimitAddressSpace;
}

std::unique_ptr<FeedLoader> createChildFeedLoader(const Config& config) {
  return std::make_unique<ChildFeedLoader>(fetcherOptions(config));
}

}  // namespace cb::daemon
