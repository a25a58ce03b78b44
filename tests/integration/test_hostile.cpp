// Integration: hostile and unlucky input through the real binary (`occurrences --stats`,
// `check-config`, `render`, `run --once`): bounds asserted by the counters the code prints.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "process.hpp"
#include "support.hpp"

using namespace cb;
namespace fs = std::filesystem;

namespace {

std::string event(const std::string& uid, const std::string& body) {
  return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20250101T000000Z\r\n" + body +
         "SUMMARY:" + uid + "\r\nEND:VEVENT\r\n";
}

std::string calendar(const std::string& body, const std::string& zones = "") {
  return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n" + zones + body +
         "END:VCALENDAR\r\n";
}

std::string plain() {
  return event("plain", "DTSTART:20250303T090000Z\r\nDTEND:20250303T100000Z\r\n");
}

fs::path write(const fs::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
  return file;
}

// `occurrences --stats` over the first week of March 2025: the lines and the counters.
struct Expanded {
  test::RunResult run;
  std::map<std::string, std::uint64_t> stats;
};

Expanded occurrences(const fs::path& ics) {
  Expanded e;
  e.run =
      test::run(test::calendarbot(), {"occurrences", ics.string(), "--from", "2025-03-01T00:00:00Z",
                                      "--to", "2025-03-08T00:00:00Z", "--stats"});
  std::istringstream in(e.run.err);
  for (std::string line; std::getline(in, line);) {
    const auto tab = line.find('\t');
    if (tab != std::string::npos && line.find(' ') == std::string::npos)
      e.stats[line.substr(0, tab)] = std::stoull(line.substr(tab + 1));
  }
  return e;
}

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

}  // namespace

TEST_CASE("rules that can never match cost a handful of steps, not a search to 2582",
          "[integration]") {
  const fs::path dir = test::tempDir("it-never");
  std::string body;
  for (const char* freq : {"SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY"})
    for (int i = 0; i < 20; ++i)
      body += event(std::string("never-") + freq + std::to_string(i),
                    std::string("DTSTART:20250101T000000Z\r\nRRULE:FREQ=") + freq +
                        ";BYMONTH=2;BYMONTHDAY=30\r\n");
  // Sub-daily with a time of day the INTERVAL's grid never reaches.
  body +=
      event("grid", "DTSTART:20250101T030000Z\r\nRRULE:FREQ=SECONDLY;INTERVAL=86400;BYHOUR=5\r\n");
  const Expanded e = occurrences(write(dir / "never.ics", calendar(body + plain())));
  INFO(e.run.err);
  REQUIRE(e.run.exitCode == 0);
  CHECK(has(e.run.out, "\tplain\t"));
  CHECK(e.stats.at("series-dropped") == 0);
  // Each rule is found never-matching before any iteration: a few steps per series.
  CHECK(e.stats.at("expansion-steps") <= 121 * 4);
}

TEST_CASE("sub-daily rules with day parts expand without libical, in bounded steps",
          "[integration]") {
  const fs::path dir = test::tempDir("it-subdaily");
  const std::string body =
      event("leap-hours",
            "DTSTART:20200101T000000Z\r\nRRULE:FREQ=HOURLY;BYMONTH=3;BYMONTHDAY=4;"
            "BYHOUR=9,17\r\n") +
      event("half-hours",
            "DTSTART:20250301T083000Z\r\nRRULE:FREQ=MINUTELY;INTERVAL=30;"
            "BYDAY=WE;BYHOUR=8,9\r\n");
  const Expanded e = occurrences(write(dir / "sub.ics", calendar(body)));
  INFO(e.run.err);
  REQUIRE(e.run.exitCode == 0);
  CHECK(e.run.out ==
        "2025-03-01T08:30:00Z\t2025-03-01T08:30:00Z\thalf-hours\t\t\thalf-hours\n"  // DTSTART
        "2025-03-04T09:00:00Z\t2025-03-04T09:00:00Z\tleap-hours\t\t\tleap-hours\n"
        "2025-03-04T17:00:00Z\t2025-03-04T17:00:00Z\tleap-hours\t\t\tleap-hours\n"
        "2025-03-05T08:00:00Z\t2025-03-05T08:00:00Z\thalf-hours\t\t\thalf-hours\n"
        "2025-03-05T08:30:00Z\t2025-03-05T08:30:00Z\thalf-hours\t\t\thalf-hours\n"
        "2025-03-05T09:00:00Z\t2025-03-05T09:00:00Z\thalf-hours\t\t\thalf-hours\n"
        "2025-03-05T09:30:00Z\t2025-03-05T09:30:00Z\thalf-hours\t\t\thalf-hours\n");
  CHECK(e.stats.at("series-steps-max") < 1000);
}

TEST_CASE("costly series are dropped at their budget, the feed's budget holds for all",
          "[integration]") {
  const fs::path dir = test::tempDir("it-budget");
  // COUNT rules are walked from DTSTART: a year of minutes before the window, each.
  std::string body;
  for (int i = 0; i < 30; ++i)
    body += event(fmt::format("walk{}", i),
                  "DTSTART:20240101T000000Z\r\nRRULE:FREQ=MINUTELY;COUNT=100000000\r\n");
  const Expanded e = occurrences(write(dir / "walk.ics", calendar(plain() + body)));
  INFO(e.run.err.substr(0, 3000));
  REQUIRE(e.run.exitCode == 0);
  CHECK(has(e.run.out, "\tplain\t"));
  CHECK(e.stats.at("series-steps-max") <= 200000);  // maxExpansionStepsPerSeries
  CHECK(e.stats.at("expansion-steps") <= 4000000);  // ...PerFeed (30 x 200,000 would be more)
  CHECK(e.stats.at("series-dropped") == 30);
  // Named by UID, ten at most, then counted.
  CHECK(has(e.run.err, "recurring event UID \"walk0\" (walk0) left out: its rule takes more"));
  CHECK(has(e.run.err, "20 more recurring events left out for their expansion cost"));
}

TEST_CASE("minutely series by the hundred: the window's total is capped", "[integration]") {
  const fs::path dir = test::tempDir("it-minutely");
  std::string body;
  for (int i = 0; i < 250; ++i)
    body += event(fmt::format("m{}", i), "DTSTART:20250101T000000Z\r\nRRULE:FREQ=MINUTELY\r\n");
  const Expanded e = occurrences(write(dir / "minutely.ics", calendar(plain() + body)));
  INFO(e.run.err.substr(0, 2000));
  REQUIRE(e.run.exitCode == 0);
  CHECK(has(e.run.out, "\tplain\t"));
  // `occurrences` lists at most 200,000 occurrences of a window (the daemon: 20,000).
  CHECK(std::count(e.run.out.begin(), e.run.out.end(), '\n') == 200000);
  CHECK(e.stats.at("window-cut") == 250 - 40);  // the plain event and 39 whole series fit
  CHECK(has(e.run.err, "the window holds more than 200000 occurrences"));
}

TEST_CASE("sub-daily VTIMEZONE observances are refused, the zone still stands", "[integration]") {
  const fs::path dir = test::tempDir("it-zone");
  const std::string zone =
      "BEGIN:VTIMEZONE\r\nTZID:Bomb\r\nBEGIN:STANDARD\r\nDTSTART:00010101T000000\r\n"
      "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\n"
      "DTSTART:00010101T000000\r\nRRULE:FREQ=MINUTELY\r\nTZOFFSETFROM:+0100\r\n"
      "TZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700101T000000\r\n"
      "RRULE:FREQ=SECONDLY\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\n"
      "END:VTIMEZONE\r\n";
  const Expanded e = occurrences(
      write(dir / "zone.ics",
            calendar(event("z", "DTSTART;TZID=Bomb:20250303T100000\r\n") + plain(), zone)));
  INFO(e.run.err);
  REQUIRE(e.run.exitCode == 0);
  CHECK(has(e.run.out, "\tz\t"));
  CHECK(has(e.run.out, "\tplain\t"));
}

TEST_CASE("numbers that overflow and repeated duration units are errors", "[integration]") {
  const fs::path dir = test::tempDir("it-numbers");
  const std::string body =
      event("interval", "DTSTART:20250301T090000Z\r\nRRULE:FREQ=DAILY;INTERVAL=4294967297\r\n") +
      event("count", "DTSTART:20250301T090000Z\r\nRRULE:FREQ=DAILY;COUNT=99999999999\r\n") +
      event("duration", "DTSTART:20250301T090000Z\r\nDURATION:P1000000D1000000D1000000D\r\n") +
      event("weeks", "DTSTART:20250301T090000Z\r\nDURATION:PT1H1H\r\n");
  const Expanded e = occurrences(write(dir / "numbers.ics", calendar(body + plain())));
  INFO(e.run.err);
  REQUIRE(e.run.exitCode == 0);
  // The rules are ignored with a warning (DTSTART stands alone), not read as INTERVAL=1.
  CHECK(e.run.out ==
        "2025-03-01T09:00:00Z\t2025-03-01T09:00:00Z\tcount\t\t\tcount\n"
        "2025-03-01T09:00:00Z\t2025-03-01T09:00:00Z\tinterval\t\t\tinterval\n"
        "2025-03-03T09:00:00Z\t2025-03-03T10:00:00Z\tplain\t\t\tplain\n");
  CHECK(has(e.run.err, "unreadable RRULE \"FREQ=DAILY;INTERVAL=4294967297\" ignored"));
  CHECK(has(e.run.err, "unreadable DURATION \"P1000000D1000000D1000000D\" skipped"));
}

TEST_CASE("check-config refuses bad urls, too many sources and echoes no huge value",
          "[integration]") {
  const fs::path dir = test::tempDir("it-check");
  auto check = [&](const std::string& text) {
    return test::run(test::calendarbot(),
                     {"check-config", "--config", write(dir / "c.toml", text).string()});
  };
  auto source = [](const std::string& url) {
    return "[[source]]\nname = \"s\"\nurl = \"" + url + "\"\n";
  };
  for (const char* bad : {"https://example.com/a\\r\\nX-Injected: 1", "https://exa mple.com/",
                          "ftp://example.com/cal.ics", "gopher://example.com/", "https://"}) {
    const auto r = check("timezone = \"UTC\"\n" + source(bad));
    INFO(bad << "\n" << r.out << r.err);
    CHECK(r.exitCode != 0);
    CHECK(has(r.out + r.err, "source.url"));
  }
  CHECK(check("timezone = \"UTC\"\n" + source("webcal://example.com/c.ics")).exitCode == 0);
  CHECK(check("timezone = \"UTC\"\n" + source("/srv/my calendar.ics")).exitCode == 0);

  std::string many = "timezone = \"UTC\"\n";
  for (int i = 0; i < 65; ++i)
    many += fmt::format("[[source]]\nname = \"s{}\"\nurl = \"/tmp/a.ics\"\n", i);
  const auto tooMany = check(many);
  CHECK(tooMany.exitCode != 0);
  CHECK(has(tooMany.out + tooMany.err, "at most 64"));

  const auto huge = check("timezone = \"" + std::string(200000, 'x') + "\"\n");
  CHECK(huge.exitCode != 0);
  CHECK(huge.out.size() + huge.err.size() < 4096);
}

TEST_CASE("frames replace no symlink, device or directory and follow no planted link",
          "[integration]") {
  const fs::path dir = test::tempDir("it-clobber");
  const fs::path victim = write(dir / "victim.txt", "precious");
  auto render = [&](const fs::path& out) {
    return test::run(test::calendarbot(),
                     {"render", "--ics", test::fixture("meeting-day.ics"), "--layout", "whats-next",
                      "--at", "2025-03-10T09:30:00", "--out", out.string()});
  };
  // A symlink at the target: refused, the file it points to untouched.
  fs::create_symlink(victim, dir / "link.png");
  CHECK(render(dir / "link.png").exitCode != 0);
  REQUIRE(fs::is_symlink(dir / "link.png"));
  // A FIFO (a device would do the same) and a directory: refused, left as they were.
  REQUIRE(::mkfifo((dir / "fifo.png").c_str(), 0600) == 0);
  CHECK(render(dir / "fifo.png").exitCode != 0);
  CHECK(fs::is_fifo(dir / "fifo.png"));
  fs::create_directory(dir / "dir.png");
  CHECK(render(dir / "dir.png").exitCode != 0);
  // The old fixed temp name, planted as a link: nothing follows it.
  fs::create_symlink(victim, dir / "frame.png.tmp");
  REQUIRE(render(dir / "frame.png").exitCode == 0);
  CHECK(fs::is_regular_file(dir / "frame.png"));
  std::ifstream in(victim);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(content == "precious");
  // No temp file is left beside the frames.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  CHECK(entries == 6);  // victim, link, fifo, dir, frame.png.tmp, frame.png
}

TEST_CASE("run --once with no sources draws one frame and exits", "[integration]") {
  const fs::path dir = test::tempDir("it-nosources");
  const fs::path config =
      write(dir / "config.toml", "timezone = \"UTC\"\nstate_dir = \"" + dir.string() +
                                     "\"\n[display]\nkind = \"png\"\npath = \"" +
                                     (dir / "frame.png").string() + "\"\n");
  const auto r = test::run(test::calendarbot(), {"run", "--config", config.string(), "--once"});
  INFO(r.err);
  CHECK(r.exitCode == 0);
  CHECK(fs::is_regular_file(dir / "frame.png"));
}

// config.toml in `dir` for `run --once`: state in dir/state, the frame in dir/frame.png, one
// source "s" at `url`.
static fs::path oneSourceConfig(const fs::path& dir, const std::string& url) {
  return write(dir / "config.toml",
               "timezone = \"UTC\"\nstate_dir = \"" + (dir / "state").string() +
                   "\"\n[display]\nkind = \"png\"\npath = \"" + (dir / "frame.png").string() +
                   "\"\n[[source]]\nname = \"s\"\nurl = \"" + url + "\"\n");
}

TEST_CASE("snapshots and validators keep no part of a source's url", "[integration]") {
  const fs::path dir = test::tempDir("it-secret");
  const fs::path feedDir = dir / "token-s3cr3t-value";
  fs::create_directories(feedDir);
  write(feedDir / "cal.ics", calendar(plain()));
  const fs::path config = oneSourceConfig(dir, "file://" + (feedDir / "cal.ics").string());
  const auto r = test::run(test::calendarbot(), {"run", "--config", config.string(), "--once"});
  INFO(r.err);
  REQUIRE(r.exitCode == 0);
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir / "state")) {
    if (!e.is_regular_file()) continue;
    ++files;
    std::ifstream in(e.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(e.path());
    CHECK_FALSE(has(bytes, "s3cr3t"));
  }
  CHECK(files >= 1);  // the snapshot at least
  // And the next start uses that snapshot (the identity still matches).
  const auto again = test::run(test::calendarbot(), {"run", "--config", config.string(), "--once"});
  CHECK(has(again.err, "from the snapshot"));
}

TEST_CASE("a feed of more events than the screens can show: the nearest 160 kept",
          "[integration]") {
  const fs::path dir = test::tempDir("it-budget");
  // 25,000 events a minute apart from half a day ago: every one inside the ingest horizon.
  const auto first = std::chrono::floor<std::chrono::hours>(std::chrono::system_clock::now()) -
                     std::chrono::hours{12};
  std::string body;
  for (int i = 0; i < 25000; ++i) {
    const auto start = first + std::chrono::minutes{i};
    body += event(
        fmt::format("b{}", i),
        fmt::format("DTSTART:{:%Y%m%dT%H%M%SZ}\r\nDTEND:{:%Y%m%dT%H%M%SZ}\r\n",
                    std::chrono::floor<std::chrono::seconds>(start),
                    std::chrono::floor<std::chrono::seconds>(start) + std::chrono::minutes{30}));
  }
  write(dir / "busy.ics", calendar(body));
  const fs::path config = oneSourceConfig(dir, (dir / "busy.ics").string());
  const auto r = test::run(test::calendarbot(), {"run", "--config", config.string(), "--once"});
  INFO(r.err);
  REQUIRE(r.exitCode == 0);
  // ics::screen::kStoreEvents: what the layouts can draw, with their margins.
  CHECK(has(r.err, "160 events kept"));
  CHECK(has(r.err, "24840 events beyond what the screens can show left out (the 160 nearest"));
}
