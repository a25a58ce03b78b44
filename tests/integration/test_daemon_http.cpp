// Integration: the real daemon against a loopback HTTP server that misbehaves in every way.
#include <fmt/format.h>
#include <signal.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "http_server.hpp"
#include "notify_socket.hpp"
#include "process.hpp"
#include "render/frame.hpp"
#include "support.hpp"

using namespace cb;
using namespace std::chrono;
namespace fs = std::filesystem;

namespace {

// `n` one-hour meetings starting every two hours from the next full hour (UTC).
std::string calendarAroundNow(int n, const std::string& title) {
  const auto base = floor<hours>(system_clock::now()) + hours{1};
  std::string ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calendarbot//tests//EN\r\n";
  for (int i = 0; i < n; ++i) {
    const auto start = floor<seconds>(base + hours{2 * i});
    const auto stamp = [](sys_seconds t) {
      const auto d = floor<days>(t);
      const year_month_day ymd{d};
      const hh_mm_ss hms{t - d};
      return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", int(ymd.year()), unsigned(ymd.month()),
                         unsigned(ymd.day()), long(hms.hours().count()),
                         long(hms.minutes().count()), long(hms.seconds().count()));
    };
    ics += "BEGIN:VEVENT\r\nUID:http-" + std::to_string(i) + "@tests\r\nDTSTAMP:" + stamp(start) +
           "\r\nDTSTART:" + stamp(start) + "\r\nDTEND:" + stamp(start + hours{1}) +
           "\r\nSUMMARY:" + title + " " + std::to_string(i) + "\r\nEND:VEVENT\r\n";
  }
  return ics + "END:VCALENDAR\r\n";
}

// What /feed answers; the test switches it between fetches.
struct Script {
  std::mutex mutex;
  std::string mode = "good";
  std::string body;
};

test::HttpReply answer(Script& script, const test::HttpRequest& req) {
  std::lock_guard lock(script.mutex);
  const std::string& m = script.mode;
  if (m == "good") return test::conditionalReply(req, script.body);
  if (m == "404") return test::HttpReply::withStatus(404, "no such calendar\n");
  if (m == "500") return test::HttpReply::withStatus(500, "internal error\n");
  if (m == "garbage") return test::HttpReply::ok("<html><body>Sign in to continue</body></html>\n");
  if (m == "redirect-loop") return test::HttpReply::redirect("/feed?again");
  if (m == "oversize") return test::HttpReply::ok(calendarAroundNow(3000, std::string(600, 'x')));
  test::HttpReply r = test::HttpReply::ok(script.body);
  if (m == "stall") r.mode = test::HttpReply::Mode::Stall;
  if (m == "endless") {  // a calendar that streams forever: an ingest that never finishes
    std::string filler;
    for (int i = 0; i < 100; ++i) filler += "X-FILLER:" + std::string(100, 'x') + "\r\n";
    r = test::HttpReply::ok(script.body.substr(0, script.body.find("BEGIN:VEVENT")) + filler);
    r.mode = test::HttpReply::Mode::Endless;
    r.sendBytes = filler.size();
    r.interval = milliseconds(1);  // about 10 MB/s: max_feed_mb would take minutes
  }
  if (m == "truncated") {
    r.mode = test::HttpReply::Mode::Truncate;
    r.sendBytes = script.body.size() / 2;  // mid-event
  }
  return r;
}

class Daemon {
 public:
  Daemon(const fs::path& config, const fs::path& notifySocket)
      : child_(test::env("CB_BINARY"), {"run", "--config", config},
               {"NOTIFY_SOCKET=" + notifySocket.string()}) {}
  // Waits until the log has a line containing `needle` after what was seen so far.
  bool waitForLog(const std::string& needle, milliseconds timeout = seconds{10}) {
    const auto end = steady_clock::now() + timeout;
    while (steady_clock::now() < end) {
      child_.drainErr(log_);
      const std::size_t at = log_.find(needle, seen_);
      if (at != std::string::npos) {
        seen_ = at + needle.size();
        return true;
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    return false;
  }
  void refresh() { child_.signal(SIGUSR2); }
  bool alive() { return kill(child_.pid(), 0) == 0; }
  [[nodiscard]] int pid() const { return child_.pid(); }
  test::RunResult stop() {
    child_.signal(SIGTERM);
    auto r = child_.wait();
    r.err = log_ + r.err;
    return r;
  }
  const std::string& log() const { return log_; }

 private:
  test::Child child_;
  std::string log_;
  std::size_t seen_ = 0;
};

int agendaInk(const fs::path& png) {
  render::Frame f;
  if (!render::readPng(png.string(), f)) return -1;
  int dark = 0;
  for (auto p : f.pixels()) dark += (p & 0xff) < 0x80;
  return dark;
}

// The frame is drawn just after the log line that announces new data: the ink once it has
// stopped changing for a while (or once it differs from `unlike`), within a few seconds.
int settledInk(const fs::path& png, std::optional<int> unlike = std::nullopt) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::seconds{5};
  int last = agendaInk(png);
  auto since = Clock::now();
  while (Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
    const int now = agendaInk(png);
    if (now != last) {
      last = now;
      since = Clock::now();
    }
    const bool differs = !unlike || (last > 0 && last != *unlike);
    if (differs && Clock::now() - since >= std::chrono::milliseconds{300}) break;
  }
  return last;
}

// The daemon's children now (its fetch child, while one runs).
std::vector<int> childrenOf(int pid) {
  std::ifstream in(fmt::format("/proc/{0}/task/{0}/children", pid));
  std::vector<int> pids;
  for (int p; in >> p;) pids.push_back(p);
  return pids;
}

// Waits until the daemon has exactly one child and returns it (0: none came).
int waitForChild(int pid) {
  const auto end = steady_clock::now() + seconds{10};
  while (steady_clock::now() < end) {
    if (const auto c = childrenOf(pid); c.size() == 1) return c.front();
    std::this_thread::sleep_for(milliseconds(10));
  }
  return 0;
}

}  // namespace

TEST_CASE("every network fault keeps the last good data; the daemon recovers", "[integration]") {
  const fs::path dir = test::tempDir("it-http");
  Script script;
  script.body = calendarAroundNow(3, "Planning");
  test::HttpServer server;
  server.route("/feed", [&](const test::HttpRequest& req) { return answer(script, req); });
  const std::string url = server.url("/feed") + "?token=SECRET-TOKEN";
  const fs::path config = dir / "config.toml";
  std::ofstream(config) << "timezone = \"UTC\"\nlog_level = \"debug\"\nstate_dir = \""
                        << dir.string() << "\"\n[display]\nkind = \"png\"\npath = \""
                        << (dir / "frame.png").string()
                        << "\"\nwidth = 480\nheight = 800\n[layouts]\ncycle = [\"4x8\"]\n"
                        << "[[source]]\nname = \"work\"\nurl = \"" << url
                        << "\"\nrefresh = \"1h\"\n"
                        << "[fetch]\nstall_timeout = \"1s\"\nmax_feed_mb = 1\nmax_redirects = 3\n";
  test::NotifySocket sd(dir / "notify.sock");
  Daemon daemon(config, dir / "notify.sock");
  REQUIRE(daemon.waitForLog("work: updated, 3 events kept"));
  // libcurl and TLS ran in the fetch child, never in the daemon.
  CHECK_FALSE(test::mapsFile(daemon.pid(), "libcurl"));
  CHECK_FALSE(test::mapsFile(daemon.pid(), "libssl"));
  CHECK_FALSE(test::mapsFile(daemon.pid(), "libgnutls"));
  REQUIRE(sd.waitStatus("1 source, 3 events", seconds{30}));  // drawn (see below)
  const int inkWithData = settledInk(dir / "frame.png");
  REQUIRE(inkWithData > 0);

  daemon.refresh();  // the server answers 304 to our ETag: nothing is parsed
  REQUIRE(daemon.waitForLog("work: not modified"));

  const std::vector<std::pair<std::string, std::string>> faults = {
      {"404", "HTTP 404"},         {"500", "HTTP 500"},    {"stall", "work: "},
      {"truncated", "work: "},     {"oversize", "work: "}, {"garbage", "work: "},
      {"redirect-loop", "work: "},
  };
  for (const auto& [mode, reason] : faults) {
    INFO("fault " << mode << "\n" << daemon.log());
    {
      std::lock_guard lock(script.mutex);
      script.mode = mode;
    }
    daemon.refresh();
    REQUIRE(daemon.waitForLog(reason));
    REQUIRE(daemon.waitForLog("keeping the last good data"));
    CHECK(daemon.alive());
    // Still the three meetings, and systemd's status line says the source is offline.
    CHECK(sd.lastStatus().find("1 source, 3 events") == 0);
    CHECK(sd.lastStatus().find("1 offline") != std::string::npos);
  }

  {  // the server recovers, with a changed feed
    std::lock_guard lock(script.mutex);
    script.mode = "good";
    script.body = calendarAroundNow(4, "Review");
  }
  daemon.refresh();
  REQUIRE(daemon.waitForLog("work: updated, 4 events kept"));
  REQUIRE(daemon.waitForLog("back online after 7 failed fetches"));
  CHECK(settledInk(dir / "frame.png", inkWithData) != inkWithData);  // the new titles show
  CHECK(sd.waitStatus("1 source, 4 events", seconds{5}));
  const auto r = daemon.stop();
  CHECK(r.exitCode == 0);
  CHECK(r.err.find("SECRET-TOKEN") == std::string::npos);  // never a URL's secret parts
  CHECK(r.err.find("/feed") == std::string::npos);
}

TEST_CASE("a restart shows the snapshot before the network answers; a corrupt one is ignored",
          "[integration]") {
  const fs::path dir = test::tempDir("it-snapshot");
  Script script;
  script.body = calendarAroundNow(3, "Standup");
  test::HttpServer server;
  server.route("/feed", [&](const test::HttpRequest& req) { return answer(script, req); });
  const fs::path config = dir / "config.toml";
  std::ofstream(config) << "timezone = \"UTC\"\nstate_dir = \"" << dir.string()
                        << "\"\n[display]\nkind = \"png\"\npath = \""
                        << (dir / "frame.png").string()
                        << "\"\n[[source]]\nname = \"work\"\nurl = \"" << server.url("/feed")
                        << "\"\n[fetch]\nstall_timeout = \"30s\"\n";
  {
    test::NotifySocket sd(dir / "notify.sock");
    Daemon first(config, dir / "notify.sock");
    REQUIRE(first.waitForLog("work: updated, 3 events kept"));
    CHECK(first.stop().exitCode == 0);
  }
  fs::path snapshot;
  for (const auto& e : fs::directory_iterator(dir / "snapshots")) snapshot = e.path();
  REQUIRE(fs::exists(snapshot));

  {  // The network is dead now (the server never answers): the snapshot is drawn at once.
    std::lock_guard lock(script.mutex);
    script.mode = "stall";
  }
  {
    test::NotifySocket sd(dir / "notify.sock");
    Daemon second(config, dir / "notify.sock");
    REQUIRE(sd.waitFor("READY=1", seconds{5}));
    CHECK(sd.lastStatus().find("1 source, 3 events") == 0);
    CHECK(second.waitForLog("work: 3 events from the snapshot"));
    CHECK(second.stop().exitCode == 0);
  }

  {  // One flipped byte: the snapshot is refused, said so, and the screen waits for data.
    std::fstream f(snapshot, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-1, std::ios::end);
    f.put('#');
  }
  {
    test::NotifySocket sd(dir / "notify.sock");
    Daemon third(config, dir / "notify.sock");
    REQUIRE(sd.waitFor("READY=1", seconds{5}));
    CHECK(sd.lastStatus().find("1 source, 0 events") == 0);
    CHECK(third.waitForLog("ignored: checksum mismatch"));
    CHECK(third.stop().exitCode == 0);
  }
}

TEST_CASE(
    "a fetch child killed mid-fetch costs one refresh; SIGTERM ends an endless ingest at once",
    "[integration]") {
  const fs::path dir = test::tempDir("it-child");
  Script script;
  script.body = calendarAroundNow(3, "Planning");
  test::HttpServer server;
  server.route("/feed", [&](const test::HttpRequest& req) { return answer(script, req); });
  const fs::path config = dir / "config.toml";
  std::ofstream(config) << "timezone = \"UTC\"\nlog_level = \"debug\"\nstate_dir = \""
                        << dir.string() << "\"\n[display]\nkind = \"png\"\npath = \""
                        << (dir / "frame.png").string()
                        << "\"\n[[source]]\nname = \"work\"\nurl = \"" << server.url("/feed")
                        << "?token=SECRET-TOKEN\"\nrefresh = \"1h\"\n"
                        << "[fetch]\nstall_timeout = \"60s\"\nmax_feed_mb = 4096\n";
  test::NotifySocket sd(dir / "notify.sock");
  Daemon daemon(config, dir / "notify.sock");
  REQUIRE(daemon.waitForLog("work: updated, 3 events kept"));
  // The status follows the frame with the data (the log line comes before it is drawn:
  // under emulation the frame without data can still be the one on disk).
  REQUIRE(sd.waitStatus("1 source, 3 events", seconds{30}));
  const int inkWithData = settledInk(dir / "frame.png");
  REQUIRE(inkWithData > 0);
  {
    std::lock_guard lock(script.mutex);
    script.mode = "stall";  // the child waits for an answer that never comes
  }
  const std::size_t asked = server.requests().size();
  daemon.refresh();
  const int child = waitForChild(daemon.pid());
  REQUIRE(child > 0);
  for (int i = 0; i < 1000 && server.requests().size() == asked; ++i)
    std::this_thread::sleep_for(milliseconds(10));
  REQUIRE(server.requests().size() > asked);  // the child is mid-fetch
  CHECK(test::mapsFile(child, "libcurl"));    // where the network code lives
  CHECK_FALSE(test::mapsFile(daemon.pid(), "libcurl"));
  REQUIRE(::kill(child, SIGKILL) == 0);
  REQUIRE(daemon.waitForLog("the fetch child was killed by signal 9 (SIGKILL)"));
  REQUIRE(daemon.waitForLog("keeping the last good data"));
  CHECK(daemon.alive());
  CHECK(sd.lastStatus().find("1 source, 3 events") == 0);
  // The same data is still drawn. The minute may have ticked since inkWithData (the clock and
  // the countdowns redraw: ~400 pixels of ~38,000 here), while losing the three events' rows
  // would take far more than 2 %.
  const int inkAfter = settledInk(dir / "frame.png");
  CHECK(std::abs(inkAfter - inkWithData) * 50 <= inkWithData);
  CHECK(childrenOf(daemon.pid()).empty());  // reaped

  // A large ingest in progress (a feed that never ends): SIGTERM must not wait for it.
  {
    std::lock_guard lock(script.mutex);
    script.mode = "endless";
  }
  const std::size_t before = server.requests().size();
  daemon.refresh();
  const int second = waitForChild(daemon.pid());
  REQUIRE(second > 0);
  for (int i = 0; i < 1000 && server.requests().size() == before; ++i)
    std::this_thread::sleep_for(milliseconds(10));
  REQUIRE(server.requests().size() > before);  // streaming into the child now
  const auto r = daemon.stop();
  CHECK(r.exitCode == 0);
  CHECK(r.err.find("stopping on SIGTERM") != std::string::npos);
  CHECK(::kill(second, 0) != 0);  // gone with the daemon
  CHECK(r.err.find("SECRET-TOKEN") == std::string::npos);
}
