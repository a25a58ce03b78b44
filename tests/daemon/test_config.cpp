// daemon: config loading names the file, line and key of every problem.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "daemon/config.hpp"
#include "daemon/fetch_child.hpp"
#include "support.hpp"

using namespace cb::daemon;

namespace {
std::string writeConfig(const std::string& name, const std::string& text) {
  static const auto dir = cb::test::tempDir("config");
  const std::string path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
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
dpi = 300
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
double_press_ms = 300

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
  CHECK(c.dpi == 300);
  REQUIRE(c.button);
  CHECK(c.button->doublePressMs == 300);
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
  CHECK(syntax.errors[0].find("syntax.toml:1:") != std::string::npos);
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

TEST_CASE("e-ink display keys: defaults, values and validation", "[daemon]") {
  const ConfigResult defaults = loadConfig(writeConfig("eink-defaults.toml", R"([display]
kind = "eink"
)"));
  INFO((defaults.errors.empty() ? "" : defaults.errors[0]));
  REQUIRE(defaults.ok());
  const auto& d = defaults.config.display;
  CHECK(d.path == "/dev/spidev0.0");
  CHECK(defaults.config.theme == "eink");
  CHECK(d.eink.model == "7in5_v2");
  CHECK(d.eink.pinRst == 17);
  CHECK(d.eink.pinDc == 25);
  CHECK(d.eink.pinBusy == 24);
  CHECK(d.eink.pinPwr == 18);

  const ConfigResult custom = loadConfig(writeConfig("eink-custom.toml", R"([display]
kind = "eink"
model = "4in2_v2"
path = "/dev/spidev0.1"
gpio_chip = "gpiochip4"
pin_rst = 5
pin_dc = 6
pin_busy = 13
pin_pwr = -1
spi_speed_hz = 2000000
partial_refresh = false
full_every_partials = 10
full_every_hours = 6
busy_timeout_s = 20
min_refresh_s = 120
min_full_refresh_s = 600
max_refreshes_per_day = 200
theme = "lcd"
)"));
  INFO((custom.errors.empty() ? "" : custom.errors[0]));
  REQUIRE(custom.ok());
  const auto& e = custom.config.display.eink;
  CHECK(custom.config.display.path == "/dev/spidev0.1");
  CHECK(custom.config.theme == "lcd");
  CHECK(e.model == "4in2_v2");
  CHECK(e.gpioChip == "gpiochip4");
  CHECK(e.pinRst == 5);
  CHECK(e.pinDc == 6);
  CHECK(e.pinBusy == 13);
  CHECK(e.pinPwr == -1);
  CHECK(e.spiSpeedHz == 2'000'000);
  CHECK_FALSE(e.partialRefresh);
  CHECK(e.fullEveryPartials == 10);
  CHECK(e.fullEveryHours == 6);
  CHECK(e.busyTimeoutSeconds == 20);
  CHECK(e.minRefreshSeconds == 120);
  CHECK(e.minFullRefreshSeconds == 600);
  CHECK(e.maxRefreshesPerDay == 200);

  const ConfigResult bad = loadConfig(writeConfig("eink-bad.toml", R"([display]
kind = "eink"
model = "13in3_color"
pin_rst = 25
pin_busy = 2000
spi_speed_hz = 50
full_every_partials = -1
busy_timeout_s = 0
min_refresh_s = -5

[button]
line = 24
)"));
  CHECK_FALSE(bad.ok());
  CHECK(hasError(bad, "eink-bad.toml:3: display.model: unknown e-ink model \"13in3_color\""));
  CHECK(hasError(bad, "7in5_v2"));
  CHECK(hasError(bad, "eink-bad.toml:4: display.pin_rst: line 25 is also"));
  CHECK(hasError(bad, "eink-bad.toml:5: display.pin_busy: expected an integer from 0 to 1023"));
  CHECK(hasError(bad, "eink-bad.toml:6: display.spi_speed_hz:"));
  CHECK(hasError(bad, "eink-bad.toml:7: display.full_every_partials:"));
  CHECK(hasError(bad, "eink-bad.toml:8: display.busy_timeout_s:"));
  CHECK(hasError(bad, "eink-bad.toml:9: display.min_refresh_s:"));
  CHECK(hasError(bad, "eink-bad.toml:12: button.line: line 24 is one of the e-ink panel's pins"));
}

TEST_CASE("framebuffer display keys: fit and console tty", "[daemon]") {
  const ConfigResult r = loadConfig(writeConfig("fb.toml", R"([display]
kind = "framebuffer"
fit = "scale"
tty = ""
)"));
  INFO((r.errors.empty() ? "" : r.errors[0]));
  REQUIRE(r.ok());
  CHECK(r.config.display.path == "/dev/fb0");
  CHECK(r.config.display.fit == "scale");
  CHECK(r.config.display.tty.empty());
  CHECK(r.config.theme == "lcd");
  CHECK(loadConfig(writeConfig("fb-default.toml", "[display]\nkind = \"framebuffer\"\n"))
            .config.display.tty == "/dev/tty1");

  const ConfigResult bad = loadConfig(writeConfig("fb-bad.toml", R"([display]
kind = "framebuffer"
fit = "stretch"
tty = "tty1"
)"));
  CHECK(hasError(bad, "fb-bad.toml:3: display.fit: expected \"center\" or \"scale\""));
  CHECK(hasError(bad, "fb-bad.toml:4: display.tty:"));
}

TEST_CASE("button keys: debounce, long press, wiring", "[daemon]") {
  const ConfigResult r = loadConfig(writeConfig("button.toml", R"([button]
chip = "gpiochip0"
line = 5
debounce_ms = 50
long_press_ms = 3000
active_low = false
bias = "pull-down"
)"));
  INFO((r.errors.empty() ? "" : r.errors[0]));
  REQUIRE(r.ok());
  REQUIRE(r.config.button);
  CHECK(r.config.button->line == 5);
  CHECK(r.config.button->debounceMs == 50);
  CHECK(r.config.button->longPressMs == 3000);
  CHECK_FALSE(r.config.button->activeLow);
  CHECK(r.config.button->bias == "pull-down");

  const ConfigResult defaults = loadConfig(writeConfig("button-defaults.toml", "[button]\n"));
  REQUIRE(defaults.config.button);
  CHECK(defaults.config.button->debounceMs == 30);
  CHECK(defaults.config.button->longPressMs == 2000);
  CHECK(defaults.config.button->activeLow);
  CHECK(defaults.config.button->bias == "pull-up");

  const ConfigResult bad = loadConfig(writeConfig("button-bad.toml", R"([button]
debounce_ms = 0
long_press_ms = 100
bias = "sideways"
holdoff = 3
)"));
  CHECK(hasError(bad, "button-bad.toml:2: button.debounce_ms:"));
  CHECK(hasError(bad, "button-bad.toml:3: button.long_press_ms:"));
  CHECK(hasError(bad, "button-bad.toml:4: button.bias:"));
  CHECK(hasError(bad, "button-bad.toml:5: button.holdoff: unknown key"));
}

TEST_CASE("source credentials: basic auth or a bearer token from files", "[daemon][config]") {
  ::unsetenv("CREDENTIALS_DIRECTORY");
  const std::string text = R"([[source]]
name = "work"
url = "https://example.com/a.ics"
username = "alice"
password_file = "work.password"

[[source]]
name = "cloud"
url = "webcal://example.com/b.ics"
token_file = "/etc/calendarbot/cloud.token"
)";
  const auto path = writeConfig("creds.toml", text);
  ConfigResult r = loadConfig(path);
  INFO((r.errors.empty() ? "" : r.errors[0]));
  REQUIRE(r.ok());
  CHECK(r.config.sources[0].username == "alice");
  // Relative to the config file when systemd gave no credentials directory...
  CHECK(std::filesystem::path(r.config.sources[0].passwordFile) ==
        (std::filesystem::path(path).parent_path() / "work.password").lexically_normal());
  CHECK(r.config.sources[0].tokenFile.empty());
  CHECK(r.config.sources[1].tokenFile == "/etc/calendarbot/cloud.token");
  CHECK(r.config.sources[1].username.empty());

  // ... and to $CREDENTIALS_DIRECTORY (LoadCredential=) when it did.
  ::setenv("CREDENTIALS_DIRECTORY", "/run/credentials/calendarbot.service", 1);
  r = loadConfig(path);
  ::unsetenv("CREDENTIALS_DIRECTORY");
  REQUIRE(r.ok());
  CHECK(r.config.sources[0].passwordFile == "/run/credentials/calendarbot.service/work.password");
  CHECK(r.config.sources[1].tokenFile == "/etc/calendarbot/cloud.token");
}

TEST_CASE("source credentials: bad combinations are errors", "[daemon][config]") {
  const auto path = writeConfig("badcreds.toml", R"([[source]]
name = "a"
url = "https://example.com/a.ics"
username = "alice"

[[source]]
name = "b"
url = "https://example.com/b.ics"
password_file = "b.pw"

[[source]]
name = "c"
url = "https://example.com/c.ics"
username = "carol"
password_file = "c.pw"
token_file = "c.token"

[[source]]
name = "d"
url = "/srv/d.ics"
token_file = "d.token"

[[source]]
name = "e"
url = "https://example.com/e.ics"
username = "x:y"
password_file = ""
token = "inline"
)");
  const ConfigResult r = loadConfig(path);
  CHECK_FALSE(r.ok());
  CHECK(hasError(r, "badcreds.toml:4: source.username: basic auth needs both"));
  CHECK(hasError(r, "badcreds.toml:9: source.password_file: basic auth needs both"));
  CHECK(hasError(r, "badcreds.toml:16: source.token_file: use either token_file"));
  CHECK(hasError(r, "badcreds.toml:18: source: username, password_file and token_file need an"));
  CHECK(hasError(r, "badcreds.toml:26: source.username: expected a non-empty name without ':'"));
  CHECK(hasError(r, "badcreds.toml:27: source.password_file: expected a file name"));
  CHECK(hasError(r, "badcreds.toml:28: source.token: unknown key"));
}

TEST_CASE("[fetch] limits and time-outs", "[daemon][config]") {
  const std::string fetchPath = writeConfig("fetch.toml", R"([fetch]
connect_timeout = "5s"
stall_timeout = "1m"
max_time = "20m"
max_feed_mb = 32
max_redirects = 2
ca_file = "certs/ca.pem"
child_memory_mb = 64
child_cpu_s = 30
)");
  ConfigResult r = loadConfig(fetchPath);
  INFO((r.errors.empty() ? "" : r.errors[0]));
  REQUIRE(r.ok());
  const FetchConfig& f = r.config.fetch;
  CHECK(f.connectTimeout == std::chrono::seconds{5});
  CHECK(f.stallTimeout == std::chrono::minutes{1});
  CHECK(f.maxTime == std::chrono::minutes{20});
  CHECK(f.maxFeedMb == 32);
  CHECK(f.maxRedirects == 2);
  CHECK(f.childMemoryMb == 64);
  CHECK(f.childCpu == std::chrono::seconds{30});
  CHECK(childLimits(r.config).memoryBytes == 64u << 20);
  CHECK(childLimits(r.config).cpu == std::chrono::seconds{30});
  // Relative to the config file, like file sources.
  CHECK(f.caFile ==
        (std::filesystem::path(fetchPath).parent_path() / "certs/ca.pem").lexically_normal());

  r = loadConfig(writeConfig("fetchdefaults.toml", "timezone = \"UTC\"\n"));
  REQUIRE(r.ok());
  CHECK(r.config.fetch.maxFeedMb == 128);
  CHECK(r.config.fetch.stallTimeout == std::chrono::seconds{30});
  CHECK(r.config.fetch.childMemoryMb == 256);
  CHECK(r.config.fetch.childCpu == std::chrono::seconds{120});

  r = loadConfig(writeConfig("badfetch.toml", R"([fetch]
connect_timeout = "0s"
stall_timeout = "forever"
max_feed_mb = 0
max_redirects = 99
retries = 3
child_memory_mb = 8
child_cpu_s = 0
)"));
  CHECK(hasError(r, "badfetch.toml:2: fetch.connect_timeout: expected an interval"));
  CHECK(hasError(r, "badfetch.toml:3: fetch.stall_timeout: expected an interval"));
  CHECK(hasError(r, "badfetch.toml:4: fetch.max_feed_mb: expected an integer from 1 to 4096"));
  CHECK(hasError(r, "badfetch.toml:5: fetch.max_redirects: expected an integer from 0 to 20"));
  CHECK(hasError(r, "badfetch.toml:6: fetch.retries: unknown key"));
  CHECK(hasError(r, "badfetch.toml:7: fetch.child_memory_mb: expected an integer from 16 to 4096"));
  CHECK(hasError(r, "badfetch.toml:8: fetch.child_cpu_s: expected an integer from 1 to 3600"));

  // A float where an integer belongs is refused before any conversion (fuzz_config found
  // 844e44 converted out of long's range: undefined behaviour).
  r = loadConfig(writeConfig("floats.toml", R"([display]
height = 844e44
width = 480.0
)"));
  CHECK(hasError(r, "floats.toml:2: display.height: expected an integer from"));
  CHECK(hasError(r, "floats.toml:3: display.width: expected an integer from"));
}
