// bench_ingest: ingest speed and peak memory of our engine against libical's whole-file parse.
//
// usage: bench_ingest [--engine ours|libical] [--now ISO8601|none] [--chunk BYTES] FILE
//
// Without --engine it runs itself twice, once per engine, each in its own process so that the
// peak RSS (getrusage ru_maxrss of that process) belongs to one engine only, and prints a table
// with the ratio. It prints figures; it never fails on a budget.
//  * ours: cb::ics::Ingest fed from read(2) in --chunk pieces (64 KiB, as a download arrives),
//    with the daemon's options: "now" = --now (default 2026-06-01T00:00:00Z, gen_feed's anchor),
//    default horizon, owner me@example.com. Time counts reading and ingesting.
//  * libical: the file read whole into memory, then icalparser_parse_string(); the time counts
//    the parse only (reading and freeing excluded), the peak RSS counts the whole process.
// MB means MiB (2^20 bytes), as gen_feed's --size-mb.
#include <fcntl.h>
#include <fmt/format.h>
#include <libical/ical.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ics/store.hpp"

extern char** environ;

namespace cb::perf {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kMiB = 1024.0 * 1024.0;

long peakRssKb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

struct Result {
  std::uint64_t bytes = 0;
  double seconds = 0;
  std::uint64_t events = 0;  // VEVENTs seen
  std::uint64_t kept = 0;
  std::uint64_t skipped = 0;
  std::uint64_t dropped = 0;
  std::uint64_t warnings = 0;
  long peakKb = 0;
};

// The measured region; callgrind's --toggle-collect='*runOurs*' counts exactly this.
[[gnu::noinline]] Result runOurs(int fd, const ics::IngestOptions& options, std::size_t chunk) {
  Result r;
  std::uint64_t warnings = 0;
  std::vector<char> buffer(chunk);
  const auto t0 = Clock::now();
  ics::Ingest ingest(options, [&warnings](std::string_view) { ++warnings; });
  for (;;) {
    const ssize_t n = read(fd, buffer.data(), buffer.size());
    if (n <= 0) break;
    ingest.feed(std::string_view(buffer.data(), std::size_t(n)));
  }
  const ics::EventStore store = ingest.finish();
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const ics::IngestStats& s = store.stats();
  r.bytes = s.bytes;
  r.kept = s.events;
  r.skipped = s.skipped;
  r.dropped = s.dropped;
  r.events = s.events + s.skipped + s.dropped;
  r.warnings = warnings;
  return r;
}

struct ComponentFree {
  void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};

std::optional<Result> runLibical(int fd) {
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    text.append(buffer, std::size_t(n));
  }
  Result r;
  r.bytes = text.size();
  const auto t0 = Clock::now();
  std::unique_ptr<icalcomponent, ComponentFree> root(icalparser_parse_string(text.c_str()));
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (root) {
    const icalcomponent_kind kind = icalcomponent_isa(root.get());
    if (kind == ICAL_VCALENDAR_COMPONENT) {
      r.events = std::uint64_t(icalcomponent_count_components(root.get(), ICAL_VEVENT_COMPONENT));
    } else if (kind == ICAL_XROOT_COMPONENT) {
      for (icalcomponent* c = icalcomponent_get_first_component(root.get(), ICAL_ANY_COMPONENT);
           c != nullptr; c = icalcomponent_get_next_component(root.get(), ICAL_ANY_COMPONENT))
        r.events += std::uint64_t(icalcomponent_count_components(c, ICAL_VEVENT_COMPONENT));
    }
  }
  r.kept = r.events;
  r.peakKb = peakRssKb();
  return r;
}

void printRecord(std::string_view engine, const Result& r) {
  fmt::print(
      "RESULT engine={} bytes={} seconds={:.6f} events={} kept={} skipped={} dropped={} "
      "warnings={} peak_rss_kb={}\n",
      engine, r.bytes, r.seconds, r.events, r.kept, r.skipped, r.dropped, r.warnings, r.peakKb);
}

std::optional<Result> parseRecord(std::string_view out) {
  const std::size_t at = out.find("RESULT ");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view line = out.substr(at + 7);
  line = line.substr(0, line.find('\n'));
  std::map<std::string, std::string, std::less<>> kv;
  while (!line.empty()) {
    const std::size_t sp = line.find(' ');
    const std::string_view item = line.substr(0, sp);
    const std::size_t eq = item.find('=');
    if (eq != std::string_view::npos)
      kv.emplace(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
    if (sp == std::string_view::npos) break;
    line.remove_prefix(sp + 1);
  }
  auto u = [&kv](const char* key) -> std::uint64_t {
    auto it = kv.find(key);
    return it == kv.end() ? 0 : std::stoull(it->second);
  };
  Result r;
  r.bytes = u("bytes");
  r.events = u("events");
  r.kept = u("kept");
  r.skipped = u("skipped");
  r.dropped = u("dropped");
  r.warnings = u("warnings");
  r.peakKb = long(u("peak_rss_kb"));
  auto it = kv.find("seconds");
  r.seconds = it == kv.end() ? 0 : std::stod(it->second);
  return r;
}

// Runs this program again with `args`; returns its RESULT record.
std::optional<Result> runChild(const std::vector<std::string>& args) {
  int pipeFds[2];
  if (pipe(pipeFds) != 0) return std::nullopt;
  Fd readEnd(pipeFds[0]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipeFds[1], 1);
  posix_spawn_file_actions_addclose(&actions, pipeFds[0]);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipeFds[1]);
  if (rc != 0) return std::nullopt;
  std::string out;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(readEnd.get(), buffer, sizeof buffer);
    if (n <= 0) break;
    out.append(buffer, std::size_t(n));
  }
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fmt::print(stderr, "bench_ingest: {} failed\n", args[2]);
    return std::nullopt;
  }
  auto r = parseRecord(out);
  if (r) r->peakKb = std::max(r->peakKb, ru.ru_maxrss);
  return r;
}

int usage() {
  std::fputs(
      "usage: bench_ingest [--engine ours|libical] [--now ISO8601|none] [--chunk BYTES] FILE\n",
      stderr);
  return 2;
}

}  // namespace
}  // namespace cb::perf

int main(int argc, char** argv) {
  using namespace cb::perf;
  std::string engine, file, now = "2026-06-01T00:00:00Z";
  std::size_t chunk = 64 * 1024;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if ((a == "--engine" || a == "--now" || a == "--chunk") && i + 1 < argc) {
      const std::string_view v = argv[++i];
      if (a == "--engine") engine = v;
      if (a == "--now") now = v;
      if (a == "--chunk" &&
          (std::from_chars(v.data(), v.data() + v.size(), chunk).ec != std::errc{} || chunk == 0))
        return usage();
    } else if (!a.starts_with("--") && file.empty()) {
      file = a;
    } else {
      return usage();
    }
  }
  if (file.empty()) return usage();

  if (engine == "ours" || engine == "libical") {
    Fd fd(open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
      std::perror(file.c_str());
      return 1;
    }
    std::optional<Result> r;
    if (engine == "ours") {
      cb::ics::IngestOptions options;
      options.ownerEmails = {"me@example.com"};
      if (now != "none") {
        options.now = cb::ics::parseIsoInstant(now, cb::ics::TimeZone::utc());
        if (!options.now) return usage();
      }
      r = runOurs(fd.get(), options, chunk);
      r->peakKb = peakRssKb();
    } else {
      r = runLibical(fd.get());
    }
    if (!r) {
      std::perror(file.c_str());
      return 1;
    }
    printRecord(engine, *r);
    return 0;
  }
  if (!engine.empty()) return usage();

  const std::vector<std::string> common = {"--now", now, "--chunk", std::to_string(chunk), file};
  auto args = [&](const char* which) {
    std::vector<std::string> v = {"bench_ingest", "--engine", which};
    v.insert(v.end(), common.begin(), common.end());
    return v;
  };
  const auto ours = runChild(args("ours"));
  const auto lib = runChild(args("libical"));
  if (!ours || !lib) return 1;
  const double mb = double(ours->bytes) / kMiB;
  fmt::print("file {} ({:.1f} MB), now {}, chunks of {} bytes\n", file, mb, now, chunk);
  fmt::print("{:<8} {:>9} {:>9} {:>11} {:>8} {:>8} {:>8} {:>12}\n", "engine", "seconds", "MB/s",
             "events/s", "kept", "skipped", "dropped", "peak RSS MB");
  auto row = [mb](std::string_view name, const Result& r) {
    fmt::print("{:<8} {:>9.3f} {:>9.1f} {:>11.0f} {:>8} {:>8} {:>8} {:>12.1f}\n", name, r.seconds,
               mb / r.seconds, double(r.events) / r.seconds, r.kept, r.skipped, r.dropped,
               double(r.peakKb) / 1024.0);
  };
  row("ours", *ours);
  row("libical", *lib);
  fmt::print("ratio: ours is {:.1f}x faster than libical, uses {:.1f}x less peak memory\n",
             lib->seconds / ours->seconds, double(lib->peakKb) / double(ours->peakKb));

  const double allowed = 0.2 * mb / 100.0;
  const double ratio = lib->seconds / ours->seconds;
  const double rssMb = double(ours->peakKb) / 1024.0;
  auto verdict = [](bool ok) { return ok ? "met" : "MISSED"; };
  fmt::print(
      "budget: time {:.3f} s for 0.2 s/100 MB ({:.3f} s here): {}; peak RSS {:.1f} MB of 32: {};"
      " {:.1f}x of >= 25x libical: {}\n",
      ours->seconds, allowed, verdict(ours->seconds <= allowed), rssMb, verdict(rssMb <= 32), ratio,
      verdict(ratio >= 25));
  return 0;
}
