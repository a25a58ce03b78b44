// Integration: the built `calendarbot` binary, end to end, including its errors.
#include <signal.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "process.hpp"
#include "render/frame.hpp"
#include "support.hpp"

using namespace cb;
namespace fs = std::filesystem;

namespace {

int lineCount(const std::string& s) {
  return int(std::count(s.begin(), s.end(), '\n'));
}

// Distinct colours in the frame: a blank or single-colour frame has 1.
std::size_t distinctColours(const render::Frame& f) {
  std::vector<std::uint32_t> px(f.pixels().begin(), f.pixels().end());
  std::sort(px.begin(), px.end());
  return std::size_t(std::unique(px.begin(), px.end()) - px.begin());
}

}  // namespace

TEST_CASE("help lists every command, each with its own help", "[integration]") {
  const auto r = test::run(test::calendarbot(), {"--help"});
  CHECK(r.exitCode == 0);
  for (const char* cmd : {"run", "render", "occurrences", "check-config"}) {
    CHECK(r.out.find(cmd) != std::string::npos);
    const auto sub = test::run(test::calendarbot(), {cmd, "--help"});
    CHECK(sub.exitCode == 0);
    CHECK(sub.out.find("usage: calendarbot " + std::string(cmd)) != std::string::npos);
  }
  CHECK(test::run(test::calendarbot(), {"frobnicate"}).exitCode == 2);
}

TEST_CASE("render writes a 480x800 PNG that is not blank", "[integration]") {
  const fs::path dir = test::tempDir("it-render");
  for (const char* layout : {"whats-next", "4x8"}) {
    const std::string out = (dir / (std::string(layout) + ".png")).string();
    const auto r =
        test::run(test::calendarbot(),
                  {"render", "--ics", test::fixture("meeting-day.ics"), "--layout", layout, "--at",
                   "2025-03-10T09:30:00", "--tz", "Europe/Berlin", "--out", out});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    render::Frame f;
    REQUIRE(render::readPng(out, f));
    CHECK(f.width() == 480);
    CHECK(f.height() == 800);
    CHECK(distinctColours(f) > 4);
  }
  const std::string wide = (dir / "wide.png").string();
  const auto r =
      test::run(test::calendarbot(), {"render", "--ics", test::fixture("meeting-day.ics"),
                                      "--layout", "whats-next", "--at", "2025-03-10T09:30:00Z",
                                      "--size", "800x480", "--theme", "eink", "--out", wide});
  REQUIRE(r.exitCode == 0);
  render::Frame f;
  REQUIRE(render::readPng(wide, f));
  CHECK(f.width() == 800);
  CHECK(distinctColours(f) == 2);  // e-ink: black and white only
}

TEST_CASE("bad input is one line of error and a non-zero exit", "[integration]") {
  const fs::path dir = test::tempDir("it-bad");
  const std::string out = (dir / "x.png").string();
  const std::string good = test::fixture("meeting-day.ics");
  const std::vector<std::vector<std::string>> cases = {
      {"render", "--ics", "/nonexistent.ics", "--layout", "4x8", "--at", "2025-03-10T09:30:00",
       "--out", out},
      {"render", "--ics", test::fixture("not-a-calendar.txt"), "--layout", "4x8", "--at",
       "2025-03-10T09:30:00", "--out", out},
      {"render", "--ics", good, "--layout", "5x9", "--at", "2025-03-10T09:30:00", "--out", out},
      {"render", "--ics", good, "--layout", "4x8", "--at", "tomorrow-ish", "--out", out},
      {"render", "--ics", good, "--layout", "4x8", "--at", "2025-03-10T09:30:00", "--tz",
       "Mars/Base", "--out", out},
      {"render", "--ics", good, "--layout", "4x8", "--at", "2025-03-10T09:30:00", "--size", "big",
       "--out", out},
      {"render", "--ics", good, "--layout", "4x8", "--at", "2025-03-10T09:30:00", "--out",
       "/nonexistent/dir/x.png"},
      {"occurrences", "/nonexistent.ics", "--from", "2025-01-01", "--to", "2025-02-01"},
  };
  for (const auto& args : cases) {
    const auto r = test::run(test::calendarbot(), args);
    INFO(args[1] + " " + args[2] + " → " + r.err + r.out);
    CHECK(r.exitCode != 0);
    CHECK(r.signal == 0);
    CHECK(lineCount(r.err) + lineCount(r.out) == 1);
  }
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("occurrences prints the conformance TSV", "[integration]") {
  const auto r =
      test::run(test::calendarbot(), {"occurrences", test::fixture("meeting-day.ics"), "--from",
                                      "2025-03-10", "--to", "2025-03-11", "--tz", "Europe/Berlin"});
  REQUIRE(r.exitCode == 0);
  CHECK(r.out ==
        "2025-03-10\t2025-03-11\tallday-1@fixtures\t\t\tTeam offsite week\n"
        "2025-03-10T08:00:00Z\t2025-03-10T08:15:00Z\tstandup-1@fixtures\t\t\tDaily stand-up\n"
        "2025-03-10T09:00:00Z\t2025-03-10T10:00:00Z\tdesign-1@fixtures\t\tCONFIRMED\tDesign "
        "review, quarterly planning and a long title that is folded across two lines\n"
        "2025-03-10T11:00:00Z\t2025-03-10T12:00:00Z\tcancelled-1@fixtures\t\tCANCELLED\tCancelled "
        "sync\n"
        "2025-03-10T11:30:00Z\t2025-03-10T12:15:00Z\tlunch-1@fixtures\t\t\tLunch with Ana\n"
        "2025-03-10T13:00:00Z\t2025-03-10T14:00:00Z\tdeclined-1@fixtures\t\t\tDeclined vendor "
        "call\n");
  const auto bad =
      test::run(test::calendarbot(), {"occurrences", test::fixture("not-a-calendar.txt"), "--from",
                                      "2025-03-10", "--to", "2025-03-11"});
  CHECK(bad.exitCode == 3);
  CHECK(bad.out.rfind("ERROR\t", 0) == 0);
  CHECK(lineCount(bad.out) == 1);
  // A file that is not there is a failure (1), not "not a calendar" (3).
  const auto missing =
      test::run(test::calendarbot(), {"occurrences", test::fixture("no-such-file.ics"), "--from",
                                      "2025-03-10", "--to", "2025-03-11"});
  CHECK(missing.exitCode == 1);
  CHECK(missing.out.rfind("ERROR\t", 0) == 0);
  CHECK(lineCount(missing.out) == 1);
}

TEST_CASE("check-config explains errors; run --once draws; SIGTERM stops the daemon",
          "[integration]") {
  const fs::path dir = test::tempDir("it-run");
  const std::string png = (dir / "frame.png").string();
  const std::string config = (dir / "config.toml").string();
  std::ofstream(config) << "timezone = \"Europe/Berlin\"\nstate_dir = \"" << dir.string()
                        << "\"\n[display]\nkind = \"png\"\npath = \"" << png
                        << "\"\n[[source]]\nname = \"fixture\"\nurl = \""
                        << test::fixture("meeting-day.ics") << "\"\n";
  const auto ok = test::run(test::calendarbot(), {"check-config", "--config", config});
  INFO(ok.err);
  CHECK(ok.exitCode == 0);

  const std::string broken = (dir / "broken.toml").string();
  std::ofstream(broken) << "[display]\nkind = \"png\"\nwidht = 480\n";
  const auto bad = test::run(test::calendarbot(), {"check-config", "--config", broken});
  CHECK(bad.exitCode == 1);
  CHECK(bad.err.find(broken + ":3: display.widht: unknown key") != std::string::npos);

  const auto once = test::run(test::calendarbot(), {"run", "--config", config, "--once"});
  INFO(once.err);
  REQUIRE(once.exitCode == 0);
  render::Frame f;
  REQUIRE(render::readPng(png, f));
  CHECK(f.height() == 800);

  fs::remove(png);
  test::Child daemon(test::calendarbot(), {"run", "--config", config});
  for (int i = 0; i < 100 && !fs::exists(png); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(fs::exists(png));
  daemon.signal(SIGTERM);
  const auto r = daemon.wait();
  CHECK(r.exitCode == 0);
  CHECK(r.err.find("stopping on SIGTERM") != std::string::npos);
}
