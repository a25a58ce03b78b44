// ChildFeedLoader: fork + exec per refresh, the request on the child's stdin, its answer and exit.
#include "daemon/fetch_child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "daemon/feed_sink.hpp"
#include "daemon/fetch_seccomp.hpp"
#include "daemon/log.hpp"
#include "hal/sys.hpp"

extern char** environ;

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

constexpr int kResultFd = 3;

// Variables the child must not see: systemd's notify and socket-activation
// channels (it is not the service) and where the credentials live.
bool keptForChild(std::string_view entry) {
  for (std::string_view drop : {"NOTIFY_SOCKET=", "WATCHDOG_", "LISTEN_", "CREDENTIALS_DIRECTORY="})
    if (entry.starts_with(drop)) return false;
  return true;
}

std::string thisProgram() {
  // Resolved once at start, not exec'd as /proc/self/exe: under qemu-user that
  // link names the emulator, while readlink() is answered with the guest binary.
  std::error_code ec;
  const std::filesystem::path p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("/proc/self/exe") : p.string();
}

FetchResult failure(const std::string& label, std::string_view reason) {
  return failedResult(label, reason);
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
      return fmt::format("the fetch child used up its CPU time limit ({} s, fetch.child_cpu_s)",
                         limits.cpu.count());
    if (sig == SIGSYS) return "the fetch child made a forbidden system call (SIGSYS)";
    return fmt::format("the fetch child was killed by {}", signalName(sig));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    switch (const int code = WEXITSTATUS(status)) {
      case kChildBadRequest:
        return "the fetch child refused its request (a calendarbot of another version?)";
      case kChildUnfenced:
        return "the fetch child could not be fenced";
      case kChildNoSeccomp:
        return "the fetch child could not load its seccomp filter";
      case 127:
        return "the fetch child could not be started (exec failed)";
      default:
        return fmt::format("the fetch child exited with status {}", code);
    }
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

// `fd` as `target` in the exec'd image (dup2 onto itself would keep O_CLOEXEC).
bool placeFd(int fd, int target) {
  if (fd == target) return ::fcntl(fd, F_SETFD, 0) == 0;
  return ::dup2(fd, target) == target;
}

// Between fork and exec: async-signal-safe calls only.
[[noreturn]] void execChild(const char* program, char* const* envp, int requestFd, int resultFd,
                            pid_t daemon) noexcept {
  // Die with the daemon, whatever kills it (and if it is gone already, now).
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != daemon) ::_exit(kChildUnfenced);
  // The unit's ambient CAP_SYS_TTY_CONFIG (the console's graphics mode) stays with the
  // daemon: cleared here, the exec'd child of an unprivileged user holds no capability.
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    ::_exit(kChildUnfenced);
  // The daemon blocks the signals its signalfd serves; the child takes them the default way.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // The result end goes to 3 first: the request's may be sitting there.
  const int result = ::fcntl(resultFd, F_DUPFD_CLOEXEC, kResultFd + 1);
  if (result < 0 || !placeFd(requestFd, STDIN_FILENO) || !placeFd(result, kResultFd))
    ::_exit(kChildUnfenced);
  // Nothing else of the daemon's reaches the new image: not the display, the GPIO
  // chip, the signalfd or a snapshot; only stdio (the journal) and the result pipe.
  if (::syscall(SYS_close_range, kResultFd + 1, ~0U, 0) != 0) {
    for (int fd = kResultFd + 1; fd < 65536; ++fd) ::close(fd);
  }
  char* const argv[] = {const_cast<char*>("calendarbot"), const_cast<char*>("fetch-child"),
                        nullptr};
  ::execve(program, argv, envp);
  ::_exit(127);
}

}  // namespace

ChildFeedLoader::ChildFeedLoader(FetcherOptions options, ChildLimits limits)
    : options_(std::move(options)),
      limits_(std::move(limits)),
      program_(limits_.program.empty() ? thisProgram() : limits_.program) {
  for (char** e = environ; e != nullptr && *e != nullptr; ++e)
    if (keptForChild(*e)) environ_.emplace_back(*e);
  if (limits_.seccomp && underQemuUser()) {
    // Said at every start and reload; every other fence stays. Never the case on a Pi.
    log::warning(
        "fetch: system calls are translated by qemu-user, which has no seccomp and ignores "
        "memory limits: fetch children run without their system-call allow-list and "
        "address-space limit");
    limits_.seccomp = false;
  }
}

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
  child->startedAt = SteadyClock::now();
  child->deadline = child->startedAt + options_.connectTimeout + options_.maxTime + limits_.grace;
  child->request = std::move(request);
  const auto fail = [&](std::string_view reason) {
    failedToStart_.push_back({child->request.source.name, std::move(child->request.done),
                              failure(child->label, reason)});
  };

  // The one source's request, its credential read here: the child opens no credential file.
  const SourceConfig& source = child->request.source;
  const bool conditional = haveFullCopy_.contains(source.name + '\n' + source.url);
  std::string error;
  FetchRequest req{prepareFetchJob(source, child->request.ingest, options_.stateDir,
                                   options_.revalidateAfter, conditional, error),
                   options_, limits_, log::level()};
  if (!error.empty()) return fail(error);
  req.options.stateDir.clear();
  std::string message = encodeFetchRequest(req);
  // Best effort: the copies this function made do not linger in the daemon's free memory.
  const auto wipe = [](std::string& s) { ::explicit_bzero(s.data(), s.size()); };
  wipe(req.job.secret);

  // The request goes into its pipe whole before the fork: the daemon never blocks
  // on a child that does not read, and a child that dies early costs no SIGPIPE.
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return fail(fmt::format("pipe: {}", std::strerror(errno)));
  hal::UniqueFd requestRead(in[0]), requestWrite(in[1]);
  if (::pipe2(out, O_CLOEXEC | O_NONBLOCK) != 0)
    return fail(fmt::format("pipe: {}", std::strerror(errno)));
  hal::UniqueFd resultRead(out[0]), resultWrite(out[1]);
  (void)::fcntl(resultWrite.get(), F_SETFL, 0);  // the child writes with blocking calls
  if (message.size() > 64 * 1024)
    (void)::fcntl(requestWrite.get(), F_SETPIPE_SZ, int(message.size()));
  const bool sent =
      ::write(requestWrite.get(), message.data(), message.size()) == ssize_t(message.size());
  wipe(message);
  if (!sent) return fail("the fetch request does not fit its pipe");
  requestWrite.reset();

  std::vector<char*> envp;
  for (std::string& e : environ_) envp.push_back(e.data());
  envp.push_back(nullptr);
  const pid_t daemon = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return fail(fmt::format("fork: {}", std::strerror(errno)));
  if (pid == 0)
    execChild(program_.c_str(), envp.data(), requestRead.get(), resultWrite.get(), daemon);
  ++started_;
  child->pid = pid;
  child->pipe = std::move(resultRead);
  const long pidfd = ::syscall(SYS_pidfd_open, pid, 0);
  if (pidfd >= 0) child->pidfd = hal::UniqueFd(int(pidfd));
  log::debug("{}: fetch child {} started", source.name, pid);
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
  if (!failedToStart_.empty()) return 0;
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
  for (Unstarted& u : failedToStart_) finished.emplace_back(std::move(u.done), std::move(u.result));
  failedToStart_.clear();
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
    if (result->kind == FetchResult::Kind::Updated) {
      // The daemon, not the child, keeps what the next conditional request sends.
      saveValidators(options_.stateDir, c.request.source, result->validators);
      haveFullCopy_.insert(c.request.source.name + '\n' + c.request.source.url);
    }
    finished.emplace_back(std::move(c.request.done), std::move(*result));
    it = running_.erase(it);
  }
  launchQueued();
  // Last: a callback may start or cancel fetches.
  for (auto& [done, result] : finished) done(std::move(result));
}

void ChildFeedLoader::cancel(const std::string& name) {
  std::erase_if(queued_, [&](const Request& r) { return r.source.name == name; });
  std::erase_if(failedToStart_, [&](const Unstarted& u) { return u.name == name; });
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
  failedToStart_.clear();
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

ChildLimits childLimits(const Config& config) {
  ChildLimits l;
  l.memoryBytes = std::uint64_t(config.fetch.childMemoryMb) << 20;
  l.cpu = config.fetch.childCpu;
  return l;
}

std::unique_ptr<FeedLoader> createChildFeedLoader(const Config& config) {
  return std::make_unique<ChildFeedLoader>(fetcherOptions(config), childLimits(config));
}

}  // namespace cb::daemon
