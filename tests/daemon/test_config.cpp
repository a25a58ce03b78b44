// daemon: config loading names the file, line and key of every problem.
#include <catch2/catch.hpp>

#include <fstream>

#include "daemon/config.hpp"

using namespace cb::daemon;

namespace {
std::string writeConfig(const std::string& name, const std::string& text) {
  std::ofstream(name) << text;
  return name;
}
bool hasError(const ConfigResult& r, const std::string& needle) {
  for (const auto& e : r.errors)
    if (e.find(needle) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("a complete config loads", "[daemon]") {
  const auto path = writeConfig("good.toml", R"(timezone = "Europe/Berlin"
profile = "pi-zero"
state_dir = "/tmp/cb"
owner_emails = ["Me@Example.com", "mailto:other@example.com"]

[display]
kind = "png"
path = "/tmp/x.png"
width = 800
height = 480
rotation = 90
theme = "eink"

[[source]]
name = "work"
url = "https://example.com/cal.ics"
refresh = "10m"

[[source]]
name = "home"
url = "/tmp/home.ics"

[layouts]
cycle = ["4x8", "whats-next"]

[button]
chip = "gpiochip0"
line = 26

[governor]
rss_target_mb = 100

[monitoring]
enabled = true
)");
  const ConfigResult r = loadConfig(path);
  INFO((r.errors.empty() ? "" : r.errors[0]));
  REQUIRE(r.ok());
  const Config& c = r.config;
  CHECK(c.timezone == "Europe/Berlin");
  CHECK(c.ownerEmails == std::vector<std::string>{"me@example.com", "other@example.com"});
  CHECK(c.display.rotation == 90);
  CHECK(c.width == 800);
  CHECK(c.theme == "eink");
  REQUIRE(c.sources.size() == 2);
  CHECK(c.sources[0].refresh == std::chrono::minutes{10});
  CHECK(c.sources[1].refresh == std::chrono::minutes{5});
  CHECK(c.cycle.front() == "4x8");
  REQUIRE(c.button);
  CHECK(c.button->line == 26);
  CHECK(c.rssTargetMb == 100);
  CHECK(c.monitoring);
}

TEST_CASE("unknown keys and bad values name file, line and key", "[daemon]") {
  const auto path = writeConfig("bad.toml", R"(timezone = "Mars/Olympus"
colour = "blue"

[display]
kind = "hologram"
rotation = 45

[[source]]
url = "https://example.com/a.ics"
refresh = "soon"

[layouts]
cycle = ["whats-next", "5x9"]
)");
  const ConfigResult r = loadConfig(path);
  CHECK_FALSE(r.ok());
  CHECK(hasError(r, "bad.toml:1: timezone: unknown time zone \"Mars/Olympus\""));
  CHECK(hasError(r, "bad.toml:2: colour: unknown key"));
  CHECK(hasError(r, "bad.toml:5: display.kind:"));
  CHECK(hasError(r, "bad.toml:6: display.rotation:"));
  CHECK(hasError(r, "source.name: every [[source]] needs a non-empty name"));
  CHECK(hasError(r, "bad.toml:10: source.refresh:"));
  CHECK(hasError(r, "bad.toml:13: layouts.cycle: unknown layout \"5x9\""));
}

TEST_CASE("TOML syntax errors and missing files are reported", "[daemon]") {
  const ConfigResult syntax = loadConfig(writeConfig("syntax.toml", "timezone = \n"));
  REQUIRE(syntax.errors.size() == 1);
  CHECK(syntax.errors[0].rfind("syntax.toml:1:", 0) == 0);
  const ConfigResult missing = loadConfig("/nonexistent/config.toml");
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors[0].find("/nonexistent/config.toml") != std::string::npos);
}

TEST_CASE("intervals", "[daemon]") {
  CHECK(parseInterval("5m") == std::chrono::minutes{5});
  CHECK(parseInterval("90") == std::chrono::seconds{90});
  CHECK(parseInterval("2h") == std::chrono::hours{2});
  CHECK_FALSE(parseInterval("-5m"));
  CHECK_FALSE(parseInterval("5x"));
}
