// daemon: the fetch child (fork, fence, one message on a pipe) and its protocol.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>

#include "daemon/fetch_child.hpp"
#include "daemon/fetch_landlock.hpp"
#include "daemon/fetch_protocol.hpp"
#include "daemon/fetch_seccomp.hpp"
#include "daemon/log.hpp"
#include "fetch_test_support.hpp"
#include "hal/sys.hpp"
#include "http_server.hpp"
#include "ics/snapshot.hpp"

using namespace cb;
using namespace cb::daemon;
using namespace cb::daemon::testing;
using Kind = FetchResult::Kind;
using test::HttpReply;
using test::HttpRequest;
using test::HttpServer;

namespace {

// The child is `calendarbot fetch-child`: this test binary is not calendarbot.
ChildLimits testLimits() {
  ChildLimits l;
  const char* binary = std::getenv("CB_BINARY");
  REQUIRE(binary != nullptr);
  l.program = binary;
  return l;
}

FetchResult fetchWith(ChildFeedLoader& loader, const SourceConfig& src) {
  std::optional<FetchResult> out;
  int calls = 0;
  loader.start(src, {}, [&](FetchResult o) {
    ++calls;
    out = std::move(o);
  });
  REQUIRE(calls == 0);  // never from start()
  drive(loader, [&] { return out.has_value(); });
  CHECK(calls == 1);
  CHECK(loader.childPids().empty());  // reaped
  CHECK(loader.timeoutMs() == -1);
  INFO("error: " << out->error);
  return std::move(*out);
}

// /stall reads the request and never answers.
void routeStall(HttpServer& server) {
  server.route("/stall", [](const HttpRequest&) {
    HttpReply r = HttpReply::ok("");
    r.mode = HttpReply::Mode::Stall;
    return r;
  });
}

// Starts a fetch of a server that never answers and runs the loop until the
// child's request arrived: the child is then fenced and mid-fetch.
pid_t startStalled(ChildFeedLoader& loader, HttpServer& server, std::optional<FetchResult>& out) {
  loader.start(source(server.url("/stall")), {}, [&](FetchResult o) { out = std::move(o); });
  const auto giveUp = steady_clock::now() + seconds(30);
  while (server.requests().empty()) {
    REQUIRE(steady_clock::now() < giveUp);
    std::vector<pollfd> fds = loader.pollFds();
    REQUIRE(::poll(fds.data(), fds.size(), 20) >= 0);
    loader.process(fds);
  }
  REQUIRE(loader.childPids().size() == 1);
  return loader.childPids().front();
}

std::string fileText(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

FetcherOptions patientOptions(const fs::path& stateDir = {}) {
  FetcherOptions o = testOptions(stateDir);
  o.stallTimeout = seconds(60);  // the child waits until the test acts
  return o;
}

}  // namespace

TEST_CASE("fetch protocol: every result survives the pipe; anything else is refused",
          "[daemon][fetch-child]") {
  TempDir dir;
  std::ofstream(dir.path / "cal.ics") << calendar(4);
  FetchResult updated = fetchNow(source((dir.path / "cal.ics").string()), {}, testOptions());
  REQUIRE(updated.kind == Kind::Updated);
  updated.httpStatus = 200;
  updated.duration = milliseconds(1234);

  const std::string message = encodeFetchResult(updated);
  const std::optional<FetchResult> back = decodeFetchResult(message);
  REQUIRE(back.has_value());
  CHECK(back->kind == Kind::Updated);
  CHECK(back->httpStatus == 200);
  CHECK(back->bytes == calendar(4).size());
  CHECK(back->duration == milliseconds(1234));
  CHECK_FALSE(back->retryAfter.has_value());
  REQUIRE(back->store.has_value());
  CHECK(ics::serializeStore(*back->store) == ics::serializeStore(*updated.store));

  FetchResult failed;
  failed.kind = Kind::Failed;
  failed.error = "work: https://example.com/…: HTTP 503";
  failed.httpStatus = 503;
  failed.retryAfter = seconds(120);
  const std::optional<FetchResult> f = decodeFetchResult(encodeFetchResult(failed));
  REQUIRE(f.has_value());
  CHECK(f->kind == Kind::Failed);
  CHECK(f->error == failed.error);
  CHECK(f->retryAfter == seconds(120));
  CHECK_FALSE(f->store.has_value());

  FetchResult same;
  same.kind = Kind::NotModified;
  REQUIRE(decodeFetchResult(encodeFetchResult(same)).has_value());
  CHECK(decodeFetchResult(encodeFetchResult(same))->kind == Kind::NotModified);

  // A child killed mid-write leaves a prefix; a stray byte anywhere breaks the sum.
  for (std::size_t n = 0; n < message.size(); n += 1 + n / 7) {
    INFO("prefix " << n);
    CHECK_FALSE(decodeFetchResult(std::string_view(message).substr(0, n)).has_value());
  }
  CHECK_FALSE(decodeFetchResult(message + "x").has_value());
  for (std::size_t at = 0; at < message.size(); at += 1 + at / 5) {
    std::string bad = message;
    bad[at] = char(bad[at] ^ 0x20);
    INFO("flipped " << at);
    CHECK_FALSE(decodeFetchResult(bad).has_value());
  }
}

TEST_CASE("fetch protocol: a request survives the pipe, the daemon's log level with it",
          "[daemon][fetch-child]") {
  FetchRequest request;
  request.job.source = source("https://example.com/cal.ics");
  request.options = testOptions();
  request.options.stateDir.clear();
  for (const log::Level level : {log::Level::Error, log::Level::Info, log::Level::Debug}) {
    request.logLevel = level;
    const std::optional<FetchRequest> back = decodeFetchRequest(encodeFetchRequest(request));
    REQUIRE(back.has_value());
    CHECK(back->logLevel == level);
    CHECK(back->job.source.url == request.job.source.url);
  }
  // A level that is no sd-daemon priority we log at is a malformed request.
  for (const int bad : {0, 2, 8, 255}) {
    request.logLevel = log::Level(bad);
    CHECK_FALSE(decodeFetchRequest(encodeFetchRequest(request)).has_value());
  }
}

TEST_CASE("fetch child: logs at the daemon's level", "[daemon][fetch-child]") {
  TempDir dir;
  std::ofstream(dir.path / "cal.ics") << calendar(2);
  const log::Level was = log::level();
  // The child writes to the daemon's stderr: a file here for the two fetches.
  const std::string path = (dir.path / "stderr").string();
  const int saved = ::dup(STDERR_FILENO);
  REQUIRE(saved >= 0);
  std::string logged[2];
  for (const log::Level level : {log::Level::Info, log::Level::Debug}) {
    const int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    REQUIRE(file >= 0);
    REQUIRE(::dup2(file, STDERR_FILENO) == STDERR_FILENO);
    ::close(file);
    log::setLevel(level);
    ChildFeedLoader loader(testOptions(), testLimits());
    const FetchResult o = fetchWith(loader, source((dir.path / "cal.ics").string()));
    log::setLevel(was);
    REQUIRE(::dup2(saved, STDERR_FILENO) == STDERR_FILENO);
    CHECK(o.kind == Kind::Updated);
    logged[level == log::Level::Debug] = fileText(path);
  }
  ::close(saved);
  INFO("info: " << logged[0] << "\ndebug: " << logged[1]);
  CHECK(logged[0].find("fenced") == std::string::npos);
  CHECK(logged[1].find("fetch child") != std::string::npos);
  CHECK(logged[1].find("fenced (limits, no new privileges") != std::string::npos);
}

TEST_CASE("fetch child: whole first fetch after a start, conditional after that",
          "[daemon][fetch-child]") {
  TempDir state;
  HttpServer server;
  server.route("/cal.ics",
               [](const HttpRequest& req) { return test::conditionalReply(req, calendar(3)); });
  server.route("/gone", [](const HttpRequest&) {
    return HttpReply::withStatus(503).header("Retry-After", "90");
  });
  for (int run = 0; run < 2; ++run) {  // the second run is a daemon restart
    INFO("run " << run);
    // Patient: a loaded machine (or qemu) may take longer than testOptions' 500 ms stall
    // limit to answer, and no stall is tested here.
    ChildFeedLoader loader(patientOptions(state.path), testLimits());
    FetchResult o = fetchWith(loader, source(server.url("/cal.ics")));
    REQUIRE(o.kind == Kind::Updated);
    CHECK(o.store->eventCount() == 3);
    CHECK(o.bytes == calendar(3).size());
    CHECK(server.requests().back().header("If-None-Match").empty());
    o = fetchWith(loader, source(server.url("/cal.ics")));
    CHECK(o.kind == Kind::NotModified);  // the child kept the validators in the state dir
    CHECK_FALSE(o.store.has_value());
    CHECK_FALSE(server.requests().back().header("If-None-Match").empty());
    o = fetchWith(loader, source(server.url("/gone")));
    INFO("error: " << o.error);
    CHECK(o.kind == Kind::Failed);
    CHECK(o.error.find("HTTP 503") != std::string::npos);
    CHECK(o.retryAfter == seconds(90));
    CHECK(loader.childrenStarted() == 3);
  }
}

TEST_CASE("fetch child: fenced (no new privileges, limits, none of the daemon's files)",
          "[daemon][fetch-child]") {
  TempDir dir;
  // A descriptor the daemon holds (like the framebuffer or the GPIO chip), inheritable.
  const fs::path marker = dir.path / "display-device";
  std::ofstream(marker) << "x";
  const int held = ::open(marker.c_str(), O_RDONLY);
  REQUIRE(held >= 0);
  HttpServer server;
  routeStall(server);
  ChildLimits limits = testLimits();
  limits.cpu = seconds(77);
  limits.openFiles = 33;
  ChildFeedLoader loader(patientOptions(), limits);
  std::optional<FetchResult> out;
  const pid_t pid = startStalled(loader, server, out);

  const std::string status = fileText(fmt::format("/proc/{}/status", pid));
  CHECK(status.find("NoNewPrivs:\t1") != std::string::npos);
  // A filter is loaded; under qemu-user, which has none, the loader said so (its own test).
  CHECK(status.find(underQemuUser() ? "Seccomp:\t0" : "Seccomp:\t2") != std::string::npos);
  rlimit r{};
  REQUIRE(::prlimit(pid, RLIMIT_CPU, nullptr, &r) == 0);
  CHECK(r.rlim_cur == 77);
  REQUIRE(::prlimit(pid, RLIMIT_NOFILE, nullptr, &r) == 0);
  CHECK(r.rlim_cur == 33);
  for (__rlimit_resource resource : {RLIMIT_AS, RLIMIT_DATA}) {
    if (underQemuUser()) break;  // qemu takes these limits and applies none
    REQUIRE(::prlimit(pid, resource, nullptr, &r) == 0);
    CHECK((r.rlim_cur != RLIM_INFINITY) == childAddressSpaceLimited());
  }
  int fds = 0;
  for (const auto& e : fs::directory_iterator(fmt::format("/proc/{}/fd", pid))) {
    ++fds;
    std::error_code ec;
    CHECK(fs::read_symlink(e.path(), ec) != marker);
  }
  CHECK(fds <= 8);  // stdio, the result pipe, the socket, libcurl's own few

  loader.cancelAll();  // the daemon's SIGTERM: the child ends with it
  CHECK(loader.childPids().empty());
  CHECK(::kill(pid, 0) != 0);  // killed and reaped
  CHECK_FALSE(out.has_value());
  ::close(held);
}

TEST_CASE("fetch child: kill -9 mid-fetch is one failed refresh that names the signal",
          "[daemon][fetch-child]") {
  HttpServer server;
  routeStall(server);
  ChildFeedLoader loader(patientOptions(), testLimits());
  std::optional<FetchResult> out;
  const pid_t pid = startStalled(loader, server, out);
  REQUIRE(::kill(pid, SIGKILL) == 0);
  drive(loader, [&] { return out.has_value(); });
  CHECK(out->kind == Kind::Failed);
  CHECK_FALSE(out->store.has_value());
  CHECK(out->error == fmt::format("work: http://127.0.0.1:{}/…: the fetch child was killed by "
                                  "signal 9 (SIGKILL)",
                                  server.port()));
  CHECK(loader.childPids().empty());
}

TEST_CASE("fetch child: one that hangs is ended at the daemon's deadline",
          "[daemon][fetch-child]") {
  HttpServer server;
  routeStall(server);
  FetcherOptions o = patientOptions();
  o.connectTimeout = milliseconds(500);
  o.maxTime = seconds(1);
  ChildLimits limits = testLimits();
  limits.grace = milliseconds(100);
  ChildFeedLoader loader(o, limits);
  std::optional<FetchResult> out;
  const pid_t pid = startStalled(loader, server, out);
  REQUIRE(::kill(pid, SIGSTOP) == 0);  // stuck where libcurl's own limits cannot act
  drive(loader, [&] { return out.has_value(); });
  CHECK(out->kind == Kind::Failed);
  CHECK(out->error.ends_with("the fetch child did not finish within 1 s and was killed"));
  CHECK(::kill(pid, 0) != 0);  // reaped
}

TEST_CASE("fetch child: a feed past its memory limit costs one failed refresh",
          "[daemon][fetch-child]") {
  if (!childAddressSpaceLimited()) {
    WARN("sanitizer build: the child has no address-space limit to test");
    return;
  }
  if (underQemuUser()) {
    WARN("qemu-user accepts RLIMIT_AS/RLIMIT_DATA and applies neither: nothing to test");
    return;
  }
  TempDir dir;
  const fs::path big = dir.path / "big.ics";
  std::ofstream(big) << calendar(20000, std::string(600, 'x'));
  FetcherOptions o = testOptions();
  o.maxBodyBytes = 64u << 20;
  ChildLimits limits = testLimits();
  limits.memoryBytes = 4u << 20;
  ChildFeedLoader loader(o, limits);
  const FetchResult r = fetchWith(loader, source(big.string()));
  CHECK(r.kind == Kind::Failed);
  CHECK_FALSE(r.store.has_value());
  CHECK(r.error.find("memory limit (4 MiB, fetch.child_memory_mb)") != std::string::npos);
  // The same feed with room to spare is fine: the limit, not the feed, failed it.
  ChildFeedLoader roomy(o, testLimits());
  CHECK(fetchWith(roomy, source(big.string())).kind == Kind::Updated);
}

TEST_CASE("fetch seccomp: the filter loads unless an emulator without seccomp runs us",
          "[daemon][fetch-child]") {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0)
    ::_exit(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && installFetchSeccomp().empty() ? 0 : 1);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  // Test machines' kernels have seccomp: a load fails only under qemu-user, and only there
  // do the fetch children go without it.
  CHECK((WEXITSTATUS(status) == 0) != underQemuUser());
  if (underQemuUser()) {
    WARN("qemu-user has no seccomp: the fetch children run without their allow-list here");
    ChildFeedLoader loader(testOptions(), testLimits());
    TempDir dir;
    const fs::path feed = dir.path / "cal.ics";
    std::ofstream(feed) << calendar(2);
    CHECK(fetchWith(loader, source(feed.string())).kind == Kind::Updated);
  }
}

TEST_CASE("fetch seccomp: what a fetch needs runs; exec and the like kill the process",
          "[daemon][fetch-child]") {
  if (underQemuUser()) {
    WARN("qemu-user has no seccomp: the allow-list cannot be tried here");
    return;
  }
  // Each probe in a fork of its own: a filter cannot be removed once loaded.
  const auto probe = [](const std::function<int()>& body) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || !installFetchSeccomp().empty())
        ::_exit(100);
      ::_exit(body());
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    return status;
  };
  const int fine = probe([] {
    const int fd = ::open("/etc/hosts", O_RDONLY | O_CLOEXEC);
    const int sock = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    return fd >= 0 && sock >= 0 && ::close(fd) == 0 && ::close(sock) == 0 ? 0 : 1;
  });
  CHECK(WIFEXITED(fine));
  CHECK(WEXITSTATUS(fine) == 0);
  const int exec = probe([] {
    char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
    ::execv("/bin/true", argv);
    return 2;
  });
  CHECK(WIFSIGNALED(exec));
  CHECK(WTERMSIG(exec) == SIGSYS);
  const int signalOthers = probe([] { return ::kill(::getppid(), 0) == 0 ? 3 : 4; });
  CHECK(WIFSIGNALED(signalOthers));
  CHECK(WTERMSIG(signalOthers) == SIGSYS);
}

namespace {

// Whether `needle` is anywhere in the readable memory of `pid` (a child of this process).
bool memoryHolds(pid_t pid, std::string_view needle) {
  std::ifstream maps(fmt::format("/proc/{}/maps", pid));
  const hal::UniqueFd mem(::open(fmt::format("/proc/{}/mem", pid).c_str(), O_RDONLY | O_CLOEXEC));
  REQUIRE(mem.valid());
  std::string line;
  std::string chunk;
  while (std::getline(maps, line)) {
    unsigned long from = 0, to = 0;
    char perms[5] = {};
    if (std::sscanf(line.c_str(), "%lx-%lx %4s", &from, &to, perms) != 3 || perms[0] != 'r')
      continue;
    // Past 1 GiB is AddressSanitizer's shadow (terabytes, not populated: a scan would outlast
    // the child); the child's own heap is far smaller (its limits) in every build.
    if (to - from > (1ul << 30)) continue;
    // Step through in pieces that overlap by the needle's length.
    constexpr unsigned long kPiece = 1 << 20;
    for (unsigned long at = from; at < to; at += kPiece) {
      const unsigned long n = std::min(kPiece + needle.size(), to - at);
      chunk.resize(n);
      const ssize_t got = ::pread(mem.get(), chunk.data(), n, off_t(at));
      if (got > 0 &&
          std::string_view(chunk.data(), std::size_t(got)).find(needle) != std::string_view::npos)
        return true;
    }
  }
  return false;
}

std::string nulSeparated(const std::string& path) {
  std::string s = fileText(path);
  std::replace(s.begin(), s.end(), '\0', ' ');
  return s;
}

}  // namespace

TEST_CASE("fetch child: exec'd with one source's request; another's credentials never reach it",
          "[daemon][fetch-child]") {
  TempDir dir;
  const std::string secretA = "PASSWORD-OF-SOURCE-A-7f3e";
  const std::string secretB = "TOKEN-OF-SOURCE-B-91c2";
  std::ofstream(dir.path / "a.secret") << secretA << "\n";
  std::ofstream(dir.path / "b.secret") << secretB << "\n";
  HttpServer server;
  routeStall(server);
  server.route("/b", [](const HttpRequest&) { return HttpReply::ok(calendar(2)); });
  ChildFeedLoader loader(patientOptions(dir.path / "state"), testLimits());

  // B first, whole: the daemon read B's token from its file and sent it to B's child.
  SourceConfig b = source(server.url("/b"), "b");
  b.tokenFile = (dir.path / "b.secret").string();
  REQUIRE(fetchWith(loader, b).kind == Kind::Updated);
  CHECK(server.requests().back().header("Authorization") == "Bearer " + secretB);

  // Then A, stalled mid-fetch: its child is a fresh image with A's request only.
  SourceConfig a = source(server.url("/stall"), "a");
  a.username = "alice";
  a.passwordFile = (dir.path / "a.secret").string();
  std::optional<FetchResult> out;
  loader.start(a, {}, [&](FetchResult o) { out = std::move(o); });
  const auto giveUp = steady_clock::now() + seconds(30);
  while (server.requests().size() < 2) {
    REQUIRE(steady_clock::now() < giveUp);
    std::vector<pollfd> fds = loader.pollFds();
    REQUIRE(::poll(fds.data(), fds.size(), 20) >= 0);
    loader.process(fds);
  }
  CHECK(server.requests().back().header("Authorization").starts_with("Basic "));
  REQUIRE(loader.childPids().size() == 1);
  const pid_t pid = loader.childPids().front();

  // exec'd: its own program image and argv; nothing secret on argv or in the environment.
  const std::string cmdline = nulSeparated(fmt::format("/proc/{}/cmdline", pid));
  if (underQemuUser()) {
    // qemu-user (binfmt_misc): the kernel runs the interpreter, which /proc shows as the
    // image, with its own path and the program's before the child's argv.
    CHECK(cmdline.ends_with(fmt::format(" {} calendarbot fetch-child ", std::getenv("CB_BINARY"))));
  } else {
    std::error_code ec;
    CHECK(fs::equivalent(fs::read_symlink(fmt::format("/proc/{}/exe", pid), ec),
                         std::getenv("CB_BINARY"), ec));
    CHECK(cmdline == "calendarbot fetch-child ");
  }
  const std::string environment = nulSeparated(fmt::format("/proc/{}/environ", pid));
  CHECK(environment.find(secretA) == std::string::npos);
  CHECK(environment.find(secretB) == std::string::npos);
  // Its memory holds A's password (libcurl needs it), and not B's token, which the
  // daemon's heap saw when it prepared B's request: a forked child would inherit it.
  if (underQemuUser()) {
    // /proc/PID/mem is the interpreter's: its own mappings plus the guest's reserved address
    // space (gigabytes on armhf), which a scan did not get through in 9 minutes. The native
    // run scans the child's real memory.
    WARN("qemu-user: the child's memory is not scanned for credentials");
  } else {
    CHECK(memoryHolds(pid, secretA));
    CHECK_FALSE(memoryHolds(pid, secretB));
  }
  loader.cancelAll();
  CHECK_FALSE(out.has_value());
}

TEST_CASE("fetch child's Landlock fence: what a fetch reads, nothing of the state dir",
          "[daemon][fetch-child]") {
  TempDir dir;
  const fs::path state = dir.path / "state";
  fs::create_directories(state / "snapshots");
  std::ofstream(state / "snapshots" / "work.snap") << "last good data";
  std::ofstream(dir.path / "other.secret") << "another source's password";
  const fs::path feed = dir.path / "feeds" / "cal.ics";
  fs::create_directories(feed.parent_path());
  std::ofstream(feed) << calendar(1);
  const std::vector<std::string> readable =
      fetchReadablePaths(testOptions(state), source(feed.string()));

  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const LandlockOutcome fence = restrictFilesystem(readable);
    if (!fence.error.empty()) ::_exit(100);
    if (!fence.applied) ::_exit(77);
    const auto opens = [](const fs::path& p, int flags) {
      const int fd = ::open(p.c_str(), flags | O_CLOEXEC, 0600);
      if (fd >= 0) ::close(fd);
      return fd >= 0;
    };
    int bad = 0;
    if (!opens(feed, O_RDONLY)) bad |= 1;          // its own feed
    if (!opens("/etc/hosts", O_RDONLY)) bad |= 2;  // the resolver's
    if (opens(state / "snapshots" / "work.snap", O_RDONLY)) bad |= 4;
    if (opens(state / "new", O_WRONLY | O_CREAT)) bad |= 8;  // no writing there
    if (opens(feed, O_WRONLY)) bad |= 16;                    // nor to its feed
    if (opens(dir.path / "other.secret", O_RDONLY)) bad |= 32;
    if (opens("/dev/null", O_WRONLY)) bad |= 64;  // no devices (fb, gpiochip)
    ::_exit(bad);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) {
    WARN("no Landlock in this kernel (or under qemu-user): nothing to test");
    return;
  }
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("fetch child: a feed that never ends meets the CPU limit: one failed refresh",
          "[daemon][fetch-child]") {
  HttpServer server;
  server.route("/endless", [](const HttpRequest&) {
    std::string filler = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n";
    for (int i = 0; i < 256; ++i) filler += "X-FILLER:" + std::string(100, 'x') + "\r\n";
    HttpReply r = HttpReply::ok(filler);
    r.mode = HttpReply::Mode::Endless;
    r.sendBytes = filler.size() - 31;  // the X-FILLER lines, again and again
    r.interval = milliseconds(0);
    return r;
  });
  FetcherOptions o = patientOptions();
  o.maxBodyBytes = 1ull << 40;  // only the CPU limit can end it
  o.maxTime = std::chrono::hours(1);
  ChildLimits limits = testLimits();
  limits.cpu = seconds(1);
  ChildFeedLoader loader(o, limits);
  std::optional<FetchResult> out;
  loader.start(source(server.url("/endless")), {}, [&](FetchResult r) { out = std::move(r); });
  const auto giveUp = steady_clock::now() + minutes(5);  // 1 s of CPU, however slow the machine
  while (!out) {
    REQUIRE(steady_clock::now() < giveUp);
    std::vector<pollfd> fds = loader.pollFds();
    REQUIRE(::poll(fds.data(), fds.size(), 100) >= 0);
    loader.process(fds);
  }
  CHECK(out->kind == Kind::Failed);
  CHECK_FALSE(out->store.has_value());
  CHECK(
      out->error.ends_with("the fetch child used up its CPU time limit (1 s, fetch.child_cpu_s)"));
  CHECK(loader.childPids().empty());
}
