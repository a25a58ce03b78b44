// Config: the TOML file of DESIGN.md, validated with file:line messages.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hal/button.hpp"
#include "hal/display.hpp"

namespace cb::daemon {

struct SourceConfig {
  std::string name;
  std::string url;  // https, http, webcal or a file path
  std::chrono::seconds refresh{300};
  // HTTP credentials: basic auth (username + password read from a file) or a
  // bearer token read from a file. Paths are absolute after loading: relative
  // ones are taken from $CREDENTIALS_DIRECTORY (systemd LoadCredential=) when
  // it is set, else from the config file's directory.
  std::string username{};
  std::string passwordFile{};
  std::string tokenFile{};
};

// [fetch]: limits and time-outs shared by every source.
struct FetchConfig {
  std::chrono::seconds connectTimeout{15};
  std::chrono::seconds stallTimeout{30};  // no data for this long: the fetch fails
  std::chrono::seconds maxTime{600};      // one whole transfer
  int maxFeedMb = 128;                    // decoded body size
  int maxRedirects = 5;
  std::string caFile;  // empty: the system's CA bundle
  // The fetch child's limits: memory beyond its start-up image (RLIMIT_DATA) and CPU
  // time (SIGXCPU). Past either, that refresh fails and the last good data stays.
  int childMemoryMb = 256;
  std::chrono::seconds childCpu{120};
  // A feed that drops to no events (or loses most) is confirmed by a fetch this much later
  // before its last good data is replaced (fetch.confirm_drop; "0s": at once).
  std::chrono::seconds confirmDrop{30 * 60};
};

// [button]: chip, line, debounce_ms, long_press_ms, active_low, bias (hal/button.hpp).
using ButtonConfig = hal::ButtonConfig;

struct Config {
  std::string path;  // the file it came from
  std::string timezone = "UTC";
  std::string profile = "pi-zero";
  std::string stateDir = "/var/lib/calendarbot";
  std::vector<std::string> ownerEmails;  // lower-case
  std::string logLevel = "info";
  int horizonDays = 31;  // events further ahead are not kept (pi-zero: 31, development: 62)
  bool use24h = true;

  hal::DisplayConfig display;
  int width = 480;
  int height = 800;
  int dpi = 0;  // display.dpi: the panel's density; 0: unknown (text sized for 4–5" at 480×800)
  std::string theme = "lcd";

  std::vector<SourceConfig> sources;
  FetchConfig fetch;
  std::vector<std::string> cycle{"whats-next", "4x8"};
  bool hideFree = true;
  bool maskPrivate = false;
  std::optional<ButtonConfig> button;
  int rssTargetMb = 150;
  bool monitoring = false;
};

struct ConfigResult {
  Config config;
  std::vector<std::string> errors;  // "file:line: key: what is wrong", one per problem
  [[nodiscard]] bool ok() const { return errors.empty(); }
};

// More [[source]] blocks than this are a config error, and so is a bigger config file.
inline constexpr std::size_t kMaxSources = 64;
inline constexpr std::uintmax_t kMaxConfigBytes = 1 << 20;

// Why `url` cannot be a source (empty: it can): a scheme we do not fetch, control characters,
// blanks in a url.
[[nodiscard]] std::string urlProblem(std::string_view url);

[[nodiscard]] ConfigResult loadConfig(const std::string& path);
// "5m", "30s", "1h", "90" (seconds) → seconds.
[[nodiscard]] std::optional<std::chrono::seconds> parseInterval(std::string_view text);

}  // namespace cb::daemon
