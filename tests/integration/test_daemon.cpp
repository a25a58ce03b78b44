// Integration: the daemon under systemd's protocols — notify, watchdog, journal, signals.
#include <fmt/format.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "notify_socket.hpp"
#include "process.hpp"
#include "render/frame.hpp"
#include "support.hpp"

using namespace cb;
using namespace std::chrono;
namespace fs = std::filesystem;

namespace {

fs::path writeConfig(const fs::path& dir, const std::string& extra = "") {
  const fs::path config = dir / "config.toml";
  std::ofstream(config) << "timezone = \"Europe/Berlin\"\nprofile = \"pi-zero\"\nstate_dir = \""
                        << dir.string() << "\"\n[display]\nkind = \"png\"\npath = \""
                        << (dir / "frame.png").string() << "\"\n[[source]]\nname = \"fixture\"\n"
                        << "url = \"" << test::fixture("meeting-day.ics") << "\"\n"
                        << extra;
  return config;
}

std::uint64_t frameHash(const fs::path& png) {
  render::Frame f;
  return render::readPng(png.string(), f) ? f.hash() : 0;
}

bool waitUntil(const std::function<bool()>& cond, milliseconds timeout) {
  const auto end = steady_clock::now() + timeout;
  while (steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return cond();
}

}  // namespace

TEST_CASE("READY, STATUS and WATCHDOG reach systemd; SIGHUP with a broken config is refused",
          "[integration]") {
  const fs::path dir = test::tempDir("it-notify");
  const fs::path config = writeConfig(dir);
  test::NotifySocket sd(dir / "notify.sock");
  test::Child daemon(test::env("CB_BINARY"), {"run", "--config", config.string()},
                     {"NOTIFY_SOCKET=" + (dir / "notify.sock").string(), "WATCHDOG_USEC=200000"});
  REQUIRE(sd.waitFor("READY=1", seconds{5}));
  CHECK(sd.count("STATUS=1 source") >= 1);
  CHECK(fs::exists(dir / "frame.png"));  // the first frame is drawn before READY=1
  REQUIRE(sd.waitFor("WATCHDOG=1", seconds{2}));
  REQUIRE(sd.waitFor("WATCHDOG=1", seconds{2}));

  // A broken config: refused, the old one keeps running.
  std::ofstream(config) << "[display]\nkind = \"hologram\"\n";
  daemon.signal(SIGHUP);
  REQUIRE(sd.waitFor("RELOADING=1", seconds{5}));
  REQUIRE(sd.waitFor("READY=1", seconds{5}));
  const int pings = sd.count("WATCHDOG=1");
  REQUIRE(sd.waitFor("WATCHDOG=1", seconds{2}));
  CHECK(sd.count("WATCHDOG=1") > pings);  // still alive and looping

  const auto t0 = steady_clock::now();
  daemon.signal(SIGTERM);
  const auto r = daemon.wait();
  CHECK(steady_clock::now() - t0 < seconds{1});
  CHECK(r.exitCode == 0);
  CHECK(r.err.find("reload refused") != std::string::npos);
  CHECK(r.err.find("display.kind") != std::string::npos);
  CHECK(sd.waitFor("STOPPING=1", milliseconds{500}));
}

TEST_CASE("SIGUSR1 shows the next layout; a good SIGHUP applies the new config", "[integration]") {
  const fs::path dir = test::tempDir("it-signals");
  const fs::path config = writeConfig(dir);
  test::Child daemon(test::env("CB_BINARY"), {"run", "--config", config.string()});
  const fs::path png = dir / "frame.png";
  REQUIRE(waitUntil([&] { return frameHash(png) != 0; }, seconds{5}));
  const std::uint64_t first = frameHash(png);
  // A daemon on local files never loads libcurl or a TLS library.
  CHECK_FALSE(test::mapsFile(daemon.pid(), "libcurl"));
  CHECK_FALSE(test::mapsFile(daemon.pid(), "libssl"));
  CHECK_FALSE(test::mapsFile(daemon.pid(), "libgnutls"));
  daemon.signal(SIGUSR1);
  REQUIRE(waitUntil([&] { return frameHash(png) != first && frameHash(png) != 0; }, seconds{5}));
  const std::uint64_t second = frameHash(png);

  // Same layouts, a different size: the new config must take effect.
  writeConfig(dir);
  std::string text;
  {
    std::ifstream in(config);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  text.replace(text.find("[display]\n"), 10, "[display]\nwidth = 800\nheight = 480\n");
  std::ofstream(config) << text;
  daemon.signal(SIGHUP);
  REQUIRE(waitUntil(
      [&] {
        render::Frame f;
        return render::readPng(png.string(), f) && f.width() == 800;
      },
      seconds{5}));
  CHECK(frameHash(png) != second);
  daemon.signal(SIGTERM);
  const auto r = daemon.wait();
  CHECK(r.exitCode == 0);
  CHECK(r.err.find("config reloaded") != std::string::npos);
}

TEST_CASE("under journald, log lines carry sd-daemon priorities", "[integration]") {
  const fs::path dir = test::tempDir("it-journal");
  const fs::path config = writeConfig(dir);
  const auto r = test::run(test::env("CB_BINARY"), {"run", "--config", config.string(), "--once"},
                           {"JOURNAL_STREAM=@stderr"});
  REQUIRE(r.exitCode == 0);
  // Every line carries one (under qemu-user the first is the warning that the fetch children
  // go without seccomp there), and the ordinary ones are info.
  int lines = 0, info = 0;
  std::istringstream in(r.err);
  for (std::string line; std::getline(in, line); ++lines) {
    INFO(line);
    CHECK(
        (line.size() > 3 && line[0] == '<' && line[1] >= '0' && line[1] <= '7' && line[2] == '>'));
    info += line.starts_with("<6>");
  }
  CHECK(lines >= 2);
  CHECK(info >= 2);
  const auto plain =
      test::run(test::env("CB_BINARY"), {"run", "--config", config.string(), "--once"},
                {"JOURNAL_STREAM=1:1"});  // not our stderr: plain lines
  CHECK(plain.err.find("<6>") == std::string::npos);
}

namespace {

// A feed as Outlook writes one: its own VTIMEZONE (not a tzdata name) and the rule shapes
// feeds use, recurring through this week whenever the test runs; among them shapes only
// libical expands (every other weekend with weeks from Monday, the last weekday of the month,
// a birthday on the 31st) or reads (lower case), which the fetch child hands over as their
// instances.
std::string outlookFeed() {
  std::string ics =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft Corporation//Outlook 16.0//EN\r\n"
      "BEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\nBEGIN:STANDARD\r\n"
      "DTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
      "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\n"
      "DTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
      "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";
  const char* const rules[] = {"FREQ=DAILY",
                               "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;WKST=MO",
                               "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA,SU",
                               "FREQ=MONTHLY;BYDAY=1MO,2TU,3WE,-1FR",
                               "FREQ=MONTHLY;BYMONTHDAY=5",
                               "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
                               "FREQ=YEARLY;BYMONTH=1,3,5,7,8,10,12;BYMONTHDAY=31",
                               "freq=weekly;byday=mo,we"};
  int n = 0;
  for (const char* rule : rules) {
    ics += fmt::format(
        "BEGIN:VEVENT\r\nUID:rule-{0}\r\nSUMMARY:Meeting {0}\r\n"
        "DTSTART;TZID=Customized Time Zone:20240101T{1:02}0000\r\n"
        "DTEND;TZID=Customized Time Zone:20240101T{1:02}3000\r\nRRULE:{2}\r\nEND:VEVENT\r\n",
        n, 8 + n, rule);
    ++n;
  }
  return ics + "END:VCALENDAR\r\n";
}

// A zone whose observance is an RDATE period: no table of ours, libical answers for it.
const char* const kPeriodZoneFeed =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTIMEZONE\r\nTZID:Period\r\n"
    "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\n"
    "RDATE;VALUE=PERIOD:19800101T000000/19800102T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\nUID:p\r\nSUMMARY:Period\r\nDTSTART;TZID=Period:20240101T090000\r\n"
    "DTEND;TZID=Period:20240101T100000\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

// Waits for the journal line `line` (the data swapped in) and for both layouts drawn after it.
void drawnWithData(test::Child& daemon, const fs::path& png, std::string& err,
                   const std::string& line) {
  REQUIRE(waitUntil(
      [&] {
        daemon.drainErr(err);
        return err.find(line) != std::string::npos;
      },
      seconds{20}));
  REQUIRE(waitUntil([&] { return frameHash(png) != 0; }, seconds{10}));
  const std::uint64_t first = frameHash(png);
  daemon.signal(SIGUSR1);  // 4x8: every day of the week expanded
  REQUIRE(waitUntil([&] { return frameHash(png) != first && frameHash(png) != 0; }, seconds{10}));
}

}  // namespace

TEST_CASE("the daemon reads stores and snapshots without libical or ICU", "[integration]") {
  const fs::path dir = test::tempDir("it-no-libical");
  const fs::path feed = dir / "outlook.ics";
  const fs::path config = dir / "config.toml";
  std::ofstream(config) << "timezone = \"Europe/Berlin\"\nprofile = \"pi-zero\"\nstate_dir = \""
                        << dir.string() << "\"\n[display]\nkind = \"png\"\npath = \""
                        << (dir / "frame.png").string() << "\"\n[[source]]\nname = \"fixture\"\n"
                        << "url = \"" << feed.string() << "\"\n";
  const fs::path png = dir / "frame.png";
  std::string err;
  {
    std::ofstream(feed, std::ios::binary) << outlookFeed();
    fs::remove(png);  // the last run's 4x8 may be this one's to the pixel
    test::Child daemon(test::env("CB_BINARY"), {"run", "--config", config.string()});
    drawnWithData(daemon, png, err, "fixture: updated");
    // The child parsed the feed with libical; the daemon expanded its rules and zone alone.
    INFO(err);
    CHECK_FALSE(test::mapsFile(daemon.pid(), "libical"));
    CHECK_FALSE(test::mapsFile(daemon.pid(), "libicu"));
    daemon.signal(SIGTERM);
    CHECK(daemon.wait().exitCode == 0);
  }
  {
    // A restart reads the snapshot (the feed is gone): still no libical.
    fs::remove(feed);
    err.clear();
    fs::remove(png);  // the last run's 4x8 may be this one's to the pixel
    test::Child daemon(test::env("CB_BINARY"), {"run", "--config", config.string()});
    drawnWithData(daemon, png, err, "events from the snapshot");
    CHECK_FALSE(test::mapsFile(daemon.pid(), "libical"));
    daemon.signal(SIGTERM);
    CHECK(daemon.wait().exitCode == 0);
  }
  {
    // A zone only libical reads loads it in the daemon, which says so.
    std::ofstream(feed, std::ios::binary) << kPeriodZoneFeed;
    err.clear();
    fs::remove(png);  // the last run's 4x8 may be this one's to the pixel
    test::Child daemon(test::env("CB_BINARY"), {"run", "--config", config.string()});
    drawnWithData(daemon, png, err, "fixture: updated");
    CHECK(test::mapsFile(daemon.pid(), "libical"));
    daemon.signal(SIGTERM);
    const auto r = daemon.wait();
    CHECK(r.exitCode == 0);
    CHECK((err + r.err).find("libical loaded for the time zone \"Period\"") != std::string::npos);
  }
}
