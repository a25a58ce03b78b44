// bench_fetch: a feed downloaded over loopback through the Fetcher — speed, peak RSS, 304 cost.
//
// usage: bench_fetch --httpd PATH_TO_cb_test_httpd [--now ISO8601] FILE
//
// Serves FILE with cb_test_httpd (its own process, so its memory is not counted here), then
// fetches it with cb::daemon::Fetcher through a poll() loop, the daemon's way: plain, then
// gzip-encoded, then once more with the ETag (a 304). Prints wall time, MB/s of decoded bytes,
// events kept and this process's peak RSS (getrusage), which shows that the body is streamed
// into the store and never held whole. It prints figures; it never fails on a budget.
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "daemon/fetcher.hpp"
#include "daemon/log.hpp"
#include "ics/time.hpp"

extern char** environ;

namespace {

using namespace std::chrono;
namespace fs = std::filesystem;
using cb::daemon::FetchResult;

double peakRssMiB() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_maxrss) / 1024.0;
}

double currentRssMiB() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

int threadCount() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("Threads:")) return std::atoi(line.c_str() + 8);
  return 0;
}

// cb_test_httpd serving `dir` in a child process.
class Server {
 public:
  Server(const std::string& exe, const fs::path& dir) {
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    const std::string d = dir.string();
    char* argv[] = {const_cast<char*>(exe.c_str()), const_cast<char*>("--quiet"),
                    const_cast<char*>(d.c_str()), nullptr};
    if (posix_spawn(&pid_, exe.c_str(), &fa, nullptr, argv, environ) != 0)
      throw std::runtime_error("cannot start " + exe);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    std::string line;
    char c = 0;
    while (read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    close(out[0]);
    port_ = std::atoi(line.c_str());
    if (port_ <= 0) throw std::runtime_error("cb_test_httpd printed no port");
  }
  ~Server() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  [[nodiscard]] std::string url(const std::string& path) const {
    // A host name, not an address: libcurl's resolver (and its thread) takes part.
    return fmt::format("http://localhost:{}{}", port_, path);
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

void report(const char* what, const FetchResult& r, steady_clock::duration wall, double before) {
  const double s = duration<double>(wall).count();
  const double mb = double(r.bytes) / (1024.0 * 1024.0);
  if (r.kind == FetchResult::Kind::Failed) {
    fmt::print("{:<9} FAILED: {}\n", what, r.error);
    return;
  }
  fmt::print(
      "{:<9} {:>11} HTTP {}  {:8.2f} MB decoded in {:7.3f} s = {:7.1f} MB/s  {:>7} events  "
      "RSS {:5.1f} MB now, peak {:5.1f} MB (before {:4.1f} MB)\n",
      what, r.kind == FetchResult::Kind::Updated ? "Updated" : "NotModified", r.httpStatus, mb, s,
      s > 0 ? mb / s : 0.0, r.store ? r.store->eventCount() : 0, currentRssMiB(), peakRssMiB(),
      before);
}

}  // namespace

int main(int argc, char** argv) {
  std::string httpd, file, now = "2026-06-01T00:00:00Z";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--httpd" && i + 1 < argc)
      httpd = argv[++i];
    else if (a == "--now" && i + 1 < argc)
      now = argv[++i];
    else
      file = a;
  }
  if (httpd.empty() || file.empty()) {
    std::fputs("usage: bench_fetch --httpd PATH_TO_cb_test_httpd [--now ISO8601] FILE\n", stderr);
    return 2;
  }
  cb::log::setLevel(cb::log::Level::Error);  // a generated feed's warnings are not the subject
  const fs::path dir = fs::temp_directory_path() / fmt::format("cb-bench-fetch-{}", getpid());
  fs::create_directories(dir);
  fs::create_symlink(fs::absolute(file), dir / "feed.ics");
  fs::create_symlink(fs::absolute(file), dir / "feed-gz.ics");
  std::ofstream(dir / "feed-gz.ics.mode") << "gzip\n";
  int rc = 0;
  try {
    Server server(httpd, dir);
    cb::ics::IngestOptions options;
    options.now = cb::ics::parseIsoInstant(now, cb::ics::TimeZone::utc());
    options.ownerEmails = {"me@example.com"};
    cb::daemon::FetcherOptions fo;
    fo.stateDir = dir / "state";
    fo.maxBodyBytes = 1ull << 30;
    cb::daemon::Fetcher fetcher(fo);
    fmt::print("feed: {} ({:.1f} MB), served by cb_test_httpd over loopback\n", file,
               double(fs::file_size(file)) / (1024.0 * 1024.0));
    const cb::daemon::SourceConfig plain{.name = "bench", .url = server.url("/feed.ics")};
    const cb::daemon::SourceConfig gz{.name = "bench-gz", .url = server.url("/feed-gz.ics")};
    for (const auto& [what, src, conditional] :
         {std::tuple{"identity", plain, false}, std::tuple{"gzip", gz, false},
          std::tuple{"etag", plain, true}}) {
      const double before = currentRssMiB();
      const auto t0 = steady_clock::now();
      std::optional<FetchResult> result;
      fetcher.start(
          src, options, [&](FetchResult r) { result = std::move(r); }, conditional);
      int threads = threadCount();
      while (!result) {
        std::vector<pollfd> fds = fetcher.pollFds();
        if (poll(fds.data(), fds.size(), fetcher.timeoutMs()) < 0 && errno != EINTR) break;
        threads = std::max(threads, threadCount());
        fetcher.process(fds);
        threads = std::max(threads, threadCount());
      }
      report(what, *result, steady_clock::now() - t0, before);
      fmt::print("{:<9} threads: at most {} seen during the fetch (sampled every wake-up)\n", "",
                 threads);
    }
    fmt::print("fetcher: {} parses, {:.1f} MB parsed in all\n", fetcher.stats().parses,
               double(fetcher.stats().bytesParsed) / (1024.0 * 1024.0));
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_fetch: {}\n", e.what());
    rc = 1;
  }
  fs::remove_all(dir);
  return rc;
}
