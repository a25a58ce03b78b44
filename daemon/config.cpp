// Config loading with toml++: every key is checked; unknown keys are errors.
#include "daemon/config.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "hal/eink_model.hpp"
#include "ics/time.hpp"
#include "layouts/layout.hpp"

namespace cb::daemon {
namespace {

class Checker {
 public:
  Checker(const std::string& file, std::vector<std::string>& errors)
      : file_(file), errors_(errors) {}

  void fail(const toml::node& node, std::string_view key, std::string_view what) {
    errors_.push_back(fmt::format("{}:{}: {}: {}", file_, node.source().begin.line, clip(key, 100),
                                  clip(what, 400)));
  }

  // A message quotes values: a huge one is cut, not echoed whole.
  static std::string clip(std::string_view s, std::size_t max) {
    if (s.size() <= max) return std::string(s);
    return fmt::format("{}… ({} bytes)", s.substr(0, max), s.size());
  }

  // Reports keys of `table` that are not in `known`.
  void unknownKeys(const toml::table& table, std::string_view prefix,
                   std::initializer_list<std::string_view> known) {
    for (const auto& [k, v] : table) {
      if (std::find(known.begin(), known.end(), k.str()) == known.end())
        fail(v, join(prefix, k.str()), "unknown key");
    }
  }

  static std::string join(std::string_view prefix, std::string_view key) {
    return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
  }

  bool string(const toml::table& t, std::string_view prefix, std::string_view key,
              std::string& out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return false;
    if (!n->is_string()) {
      fail(*n, join(prefix, key), "expected a string");
      return false;
    }
    out = *n->value<std::string>();
    return true;
  }

  bool integer(const toml::table& t, std::string_view prefix, std::string_view key, int& out,
               long lo, long hi) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return false;
    // Only an integer node is converted: value<long>() on a float such as 844e44 would convert
    // a value out of long's range (undefined behaviour; found by fuzz_config).
    const auto v = n->is_integer() ? n->value<long>() : std::nullopt;
    if (!v || *v < lo || *v > hi) {
      fail(*n, join(prefix, key), fmt::format("expected an integer from {} to {}", lo, hi));
      return false;
    }
    out = int(*v);
    return true;
  }

  bool boolean(const toml::table& t, std::string_view prefix, std::string_view key, bool& out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return false;
    if (!n->is_boolean()) {
      fail(*n, join(prefix, key), "expected true or false");
      return false;
    }
    out = *n->value<bool>();
    return true;
  }

  bool stringList(const toml::table& t, std::string_view prefix, std::string_view key,
                  std::vector<std::string>& out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return false;
    const toml::array* arr = n->as_array();
    if (arr == nullptr) {
      fail(*n, join(prefix, key), "expected a list of strings");
      return false;
    }
    out.clear();
    for (const toml::node& e : *arr) {
      if (!e.is_string()) {
        fail(e, join(prefix, key), "expected a list of strings");
        return false;
      }
      out.push_back(*e.value<std::string>());
    }
    return true;
  }

  const toml::table* subTable(const toml::table& t, std::string_view key) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return nullptr;
    if (!n->is_table()) {
      fail(*n, key, "expected a table");
      return nullptr;
    }
    return n->as_table();
  }

 private:
  const std::string& file_;
  std::vector<std::string>& errors_;
};

// A credentials file name: relative ones come from systemd's LoadCredential=
// directory when the service has one, else from the config file's directory.
std::string credentialPath(const std::string& value, const std::string& configPath) {
  const std::filesystem::path p(value);
  if (p.is_absolute()) return p.lexically_normal().string();
  if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY"); dir != nullptr && *dir != '\0')
    return (std::filesystem::path(dir) / p).lexically_normal().string();
  return (std::filesystem::path(configPath).parent_path() / p).lexically_normal().string();
}

// username + password_file (basic auth) or token_file (bearer), for http(s) sources only.
void sourceCredentials(Checker& ck, const toml::table& t, const toml::node& block,
                       const std::string& configPath, SourceConfig& src) {
  std::string password, token;
  const bool haveUser = ck.string(t, "source", "username", src.username);
  const bool havePassword = ck.string(t, "source", "password_file", password);
  const bool haveToken = ck.string(t, "source", "token_file", token);
  if (!haveUser && !havePassword && !haveToken) return;
  const bool remote = src.url.find("://") != std::string::npos && !src.url.starts_with("file://");
  if (!remote) {
    ck.fail(block, "source",
            "username, password_file and token_file need an http(s) or webcal url");
    return;
  }
  if (haveToken && (haveUser || havePassword)) {
    ck.fail(*t.get("token_file"), "source.token_file",
            "use either token_file (bearer) or username + password_file (basic), not both");
    return;
  }
  if (haveUser && (src.username.empty() || src.username.find(':') != std::string::npos))
    ck.fail(*t.get("username"), "source.username", "expected a non-empty name without ':'");
  if (haveUser != havePassword)
    ck.fail(haveUser ? *t.get("username") : *t.get("password_file"),
            haveUser ? "source.username" : "source.password_file",
            "basic auth needs both username and password_file");
  if (havePassword) {
    if (password.empty())
      ck.fail(*t.get("password_file"), "source.password_file", "expected a file name");
    else
      src.passwordFile = credentialPath(password, configPath);
  }
  if (haveToken) {
    if (token.empty())
      ck.fail(*t.get("token_file"), "source.token_file", "expected a file name");
    else
      src.tokenFile = credentialPath(token, configPath);
  }
}

}  // namespace

std::optional<std::chrono::seconds> parseInterval(std::string_view text) {
  long n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || n <= 0) return std::nullopt;
  const std::string_view unit(p, std::size_t(text.data() + text.size() - p));
  if (unit.empty() || unit == "s") return std::chrono::seconds{n};
  if (unit == "m") return std::chrono::minutes{n};
  if (unit == "h") return std::chrono::hours{n};
  if (unit == "d") return std::chrono::days{n};
  return std::nullopt;
}

std::string urlProblem(std::string_view url) {
  const bool hasScheme = url.find("://") != std::string_view::npos;
  for (char ch : url) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return "control characters (CR, LF, TAB…) have no place in a url";
    if (c == ' ' && hasScheme) return "a url has no spaces (write %20)";
  }
  if (!hasScheme) return {};
  auto scheme = [&](std::string_view s) {
    if (url.size() < s.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(url[i])) != s[i]) return false;
    return true;
  };
  for (std::string_view s : {"https://", "http://", "webcal://", "webcals://", "file://"})
    if (scheme(s)) return url.size() > s.size() ? std::string{} : "a url needs a host or path";
  return "only https, http, webcal and file urls (or a file path) are fetched";
}

ConfigResult loadConfig(const std::string& path) {
  ConfigResult r;
  r.config.path = path;
  std::vector<std::string>& errors = r.errors;
  std::error_code ec;
  if (const auto size = std::filesystem::file_size(path, ec); !ec && size > kMaxConfigBytes) {
    errors.push_back(
        fmt::format("{}: {} bytes; a config file has at most {}", path, size, kMaxConfigBytes));
    return r;
  }
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    if (e.source().begin.line == 0)
      errors.push_back(fmt::format("{}: {}", path, e.description()));
    else
      errors.push_back(fmt::format("{}:{}: {}", path, e.source().begin.line, e.description()));
    return r;
  }
  Checker ck(path, errors);
  Config& c = r.config;
  ck.unknownKeys(
      root, "",
      {"timezone", "profile", "state_dir", "owner_emails", "log_level", "clock_24h", "display",
       "source", "layouts", "button", "governor", "monitoring", "filters", "fetch"});

  if (ck.string(root, "", "timezone", c.timezone) && ics::TimeZone::locate(c.timezone) == nullptr)
    ck.fail(*root.get("timezone"), "timezone", fmt::format("unknown time zone \"{}\"", c.timezone));
  if (ck.string(root, "", "profile", c.profile) && c.profile != "pi-zero" &&
      c.profile != "development")
    ck.fail(*root.get("profile"), "profile", "expected \"pi-zero\" or \"development\"");
  // Profiles set defaults; explicit keys below override them.
  if (c.profile == "development") {
    c.logLevel = "debug";
    c.horizonDays = 62;
    c.monitoring = true;
  }
  ck.string(root, "", "state_dir", c.stateDir);
  if (ck.stringList(root, "", "owner_emails", c.ownerEmails)) {
    for (std::string& e : c.ownerEmails) {
      std::transform(e.begin(), e.end(), e.begin(),
                     [](unsigned char ch) { return std::tolower(ch); });
      if (e.starts_with("mailto:")) e.erase(0, 7);
    }
  }
  if (ck.string(root, "", "log_level", c.logLevel)) {
    static const std::set<std::string> levels{"error", "warning", "notice", "info", "debug"};
    if (!levels.contains(c.logLevel))
      ck.fail(*root.get("log_level"), "log_level",
              "expected error, warning, notice, info or debug");
  }
  ck.boolean(root, "", "clock_24h", c.use24h);
  ck.integer(root, "", "horizon_days", c.horizonDays, 1, 366);

  if (const toml::table* d = ck.subTable(root, "display")) {
    ck.unknownKeys(*d, "display",
                   {"kind",
                    "path",
                    "width",
                    "height",
                    "rotation",
                    "dpi",
                    "theme",
                    "fit",
                    "tty",
                    "model",
                    "gpio_chip",
                    "pin_rst",
                    "pin_dc",
                    "pin_busy",
                    "pin_pwr",
                    "spi_speed_hz",
                    "partial_refresh",
                    "full_every_partials",
                    "full_every_hours",
                    "busy_timeout_s",
                    "min_refresh_s",
                    "min_full_refresh_s",
                    "max_refreshes_per_day"});
    if (ck.string(*d, "display", "kind", c.display.kind) && c.display.kind != "png" &&
        c.display.kind != "framebuffer" && c.display.kind != "eink")
      ck.fail(*d->get("kind"), "display.kind", "expected \"png\", \"framebuffer\" or \"eink\"");
    if (c.display.kind == "framebuffer") c.display.path = "/dev/fb0";
    if (c.display.kind == "eink") {
      c.display.path = "/dev/spidev0.0";
      c.theme = "eink";  // 1-bit panel: the theme drawn for thresholding
    }
    ck.string(*d, "display", "path", c.display.path);
    ck.integer(*d, "display", "width", c.width, 64, 4096);
    ck.integer(*d, "display", "height", c.height, 64, 4096);
    ck.integer(*d, "display", "dpi", c.dpi, 0, 1200);
    if (ck.integer(*d, "display", "rotation", c.display.rotation, 0, 270) &&
        c.display.rotation % 90 != 0)
      ck.fail(*d->get("rotation"), "display.rotation", "expected 0, 90, 180 or 270");
    if (ck.string(*d, "display", "theme", c.theme) && c.theme != "lcd" && c.theme != "eink")
      ck.fail(*d->get("theme"), "display.theme", "expected \"lcd\" or \"eink\"");
    // Framebuffer.
    if (ck.string(*d, "display", "fit", c.display.fit) && c.display.fit != "center" &&
        c.display.fit != "scale")
      ck.fail(*d->get("fit"), "display.fit", "expected \"center\" or \"scale\"");
    if (ck.string(*d, "display", "tty", c.display.tty) && !c.display.tty.empty() &&
        !c.display.tty.starts_with("/dev/"))
      ck.fail(*d->get("tty"), "display.tty",
              "expected a console device such as \"/dev/tty1\", or \"\" to leave it alone");
    // E-ink.
    hal::EinkSettings& e = c.display.eink;
    if (ck.string(*d, "display", "model", e.model) && hal::findEinkModel(e.model) == nullptr) {
      std::string known;
      for (const hal::EinkModel& m : hal::einkModels())
        known += fmt::format("{}\"{}\" ({})", known.empty() ? "" : ", ", m.name, m.description);
      ck.fail(*d->get("model"), "display.model",
              fmt::format("unknown e-ink model \"{}\"; known: {}", e.model, known));
    }
    ck.string(*d, "display", "gpio_chip", e.gpioChip);
    struct Pin {
      const char* key;
      int* value;
    };
    const Pin pins[] = {{"pin_rst", &e.pinRst},
                        {"pin_dc", &e.pinDc},
                        {"pin_busy", &e.pinBusy},
                        {"pin_pwr", &e.pinPwr}};
    for (const Pin& p : pins)
      ck.integer(*d, "display", p.key, *p.value, std::string_view(p.key) == "pin_pwr" ? -1 : 0,
                 1023);
    for (std::size_t i = 0; c.display.kind == "eink" && i < std::size(pins); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (*pins[i].value >= 0 && *pins[i].value == *pins[j].value) {
          // Name the key the file sets (the other may be a default).
          const bool iSet = d->get(pins[i].key) != nullptr;
          const Pin& named = iSet ? pins[i] : pins[j];
          const Pin& other = iSet ? pins[j] : pins[i];
          const toml::node* n = d->get(named.key);
          ck.fail(n ? *n : *d, fmt::format("display.{}", named.key),
                  fmt::format("line {} is also {}", *named.value, other.key));
        }
    int speed = int(e.spiSpeedHz);
    if (ck.integer(*d, "display", "spi_speed_hz", speed, 100'000, 32'000'000))
      e.spiSpeedHz = std::uint32_t(speed);
    ck.boolean(*d, "display", "partial_refresh", e.partialRefresh);
    ck.integer(*d, "display", "full_every_partials", e.fullEveryPartials, 0, 1000);
    ck.integer(*d, "display", "full_every_hours", e.fullEveryHours, 0, 720);
    ck.integer(*d, "display", "busy_timeout_s", e.busyTimeoutSeconds, 1, 600);
    ck.integer(*d, "display", "min_refresh_s", e.minRefreshSeconds, 0, 3600);
    ck.integer(*d, "display", "min_full_refresh_s", e.minFullRefreshSeconds, 0, 86400);
    ck.integer(*d, "display", "max_refreshes_per_day", e.maxRefreshesPerDay, 0, 100000);
  }

  if (const toml::node* s = root.get("source")) {
    const toml::array* arr = s->as_array();
    if (arr == nullptr || !arr->is_array_of_tables()) {
      ck.fail(*s, "source", "expected [[source]] blocks");
    } else {
      std::set<std::string> names;
      if (arr->size() > kMaxSources)
        ck.fail(*s, "source",
                fmt::format("{} [[source]] blocks; at most {} (each is fetched, parsed and "
                            "kept in memory on a 512 MB device)",
                            arr->size(), kMaxSources));
      for (const toml::node& n : *arr) {
        const toml::table& t = *n.as_table();
        SourceConfig src;
        ck.unknownKeys(t, "source",
                       {"name", "url", "refresh", "username", "password_file", "token_file"});
        if (!ck.string(t, "source", "name", src.name) || src.name.empty())
          ck.fail(n, "source.name", "every [[source]] needs a non-empty name");
        else if (!names.insert(src.name).second)
          ck.fail(*t.get("name"), "source.name", fmt::format("duplicate source \"{}\"", src.name));
        if (!ck.string(t, "source", "url", src.url) || src.url.empty())
          ck.fail(n, "source.url", "every [[source]] needs a url (https, http, webcal or a path)");
        else if (const std::string why = urlProblem(src.url); !why.empty())
          ck.fail(*t.get("url"), "source.url", why);
        // A relative file path is relative to the config file, not to the working directory.
        if (src.url.find("://") == std::string::npos && !src.url.empty() && src.url[0] != '/')
          src.url =
              (std::filesystem::path(path).parent_path() / src.url).lexically_normal().string();
        std::string refresh;
        if (ck.string(t, "source", "refresh", refresh)) {
          const auto iv = parseInterval(refresh);
          if (!iv || *iv < std::chrono::seconds{30})
            ck.fail(*t.get("refresh"), "source.refresh",
                    "expected an interval of at least 30s such as \"5m\", \"30m\" or \"1h\"");
          else
            src.refresh = *iv;
        }
        sourceCredentials(ck, t, n, path, src);
        c.sources.push_back(std::move(src));
      }
    }
  }

  if (const toml::table* f = ck.subTable(root, "fetch")) {
    ck.unknownKeys(*f, "fetch",
                   {"connect_timeout", "stall_timeout", "max_time", "max_feed_mb", "max_redirects",
                    "ca_file", "confirm_drop", "child_memory_mb", "child_cpu_s"});
    auto interval = [&](std::string_view key, std::chrono::seconds& out, std::chrono::seconds lo,
                        std::chrono::seconds hi) {
      std::string text;
      if (!ck.string(*f, "fetch", key, text)) return;
      const auto iv = parseInterval(text);
      if (!iv || *iv < lo || *iv > hi)
        ck.fail(*f->get(key), Checker::join("fetch", key),
                fmt::format("expected an interval from {}s to {}s such as \"30s\" or \"2m\"",
                            lo.count(), hi.count()));
      else
        out = *iv;
    };
    interval("connect_timeout", c.fetch.connectTimeout, std::chrono::seconds{1},
             std::chrono::minutes{5});
    interval("stall_timeout", c.fetch.stallTimeout, std::chrono::seconds{1},
             std::chrono::minutes{30});
    interval("max_time", c.fetch.maxTime, std::chrono::seconds{5}, std::chrono::hours{6});
    interval("confirm_drop", c.fetch.confirmDrop, std::chrono::seconds{0}, std::chrono::hours{24});
    ck.integer(*f, "fetch", "max_feed_mb", c.fetch.maxFeedMb, 1, 4096);
    ck.integer(*f, "fetch", "max_redirects", c.fetch.maxRedirects, 0, 20);
    ck.integer(*f, "fetch", "child_memory_mb", c.fetch.childMemoryMb, 16, 4096);
    int cpu = int(c.fetch.childCpu.count());
    if (ck.integer(*f, "fetch", "child_cpu_s", cpu, 1, 3600))
      c.fetch.childCpu = std::chrono::seconds{cpu};
    if (ck.string(*f, "fetch", "ca_file", c.fetch.caFile) && !c.fetch.caFile.empty() &&
        c.fetch.caFile[0] != '/')
      c.fetch.caFile =
          (std::filesystem::path(path).parent_path() / c.fetch.caFile).lexically_normal().string();
  }

  if (const toml::table* l = ck.subTable(root, "layouts")) {
    ck.unknownKeys(*l, "layouts", {"cycle"});
    if (ck.stringList(*l, "layouts", "cycle", c.cycle)) {
      if (c.cycle.empty()) ck.fail(*l->get("cycle"), "layouts.cycle", "needs at least one layout");
      for (const std::string& name : c.cycle)
        if (layouts::findLayout(name) == nullptr)
          ck.fail(*l->get("cycle"), "layouts.cycle",
                  fmt::format("unknown layout \"{}\" (known: whats-next, 4x8)", name));
    }
  }

  if (const toml::table* f = ck.subTable(root, "filters")) {
    ck.unknownKeys(*f, "filters", {"hide_free", "mask_private"});
    ck.boolean(*f, "filters", "hide_free", c.hideFree);
    ck.boolean(*f, "filters", "mask_private", c.maskPrivate);
  }

  if (const toml::table* b = ck.subTable(root, "button")) {
    ck.unknownKeys(
        *b, "button",
        {"chip", "line", "debounce_ms", "long_press_ms", "double_press_ms", "active_low", "bias"});
    ButtonConfig bc;
    ck.string(*b, "button", "chip", bc.chip);
    ck.integer(*b, "button", "line", bc.line, 0, 1023);
    ck.integer(*b, "button", "debounce_ms", bc.debounceMs, 1, 1000);
    ck.integer(*b, "button", "double_press_ms", bc.doublePressMs, 0, 2000);
    if (ck.integer(*b, "button", "long_press_ms", bc.longPressMs, 200, 60000) &&
        bc.longPressMs <= bc.debounceMs)
      ck.fail(*b->get("long_press_ms"), "button.long_press_ms",
              "must be longer than button.debounce_ms");
    ck.boolean(*b, "button", "active_low", bc.activeLow);
    if (ck.string(*b, "button", "bias", bc.bias) && bc.bias != "pull-up" &&
        bc.bias != "pull-down" && bc.bias != "disable" && bc.bias != "as-is")
      ck.fail(*b->get("bias"), "button.bias",
              "expected \"pull-up\", \"pull-down\", \"disable\" or \"as-is\"");
    // The e-ink HAT's lines are taken: a button there would fight the panel.
    const hal::EinkSettings& e = c.display.eink;
    if (c.display.kind == "eink" && bc.chip == e.gpioChip &&
        (bc.line == e.pinRst || bc.line == e.pinDc || bc.line == e.pinBusy || bc.line == e.pinPwr))
      ck.fail(b->get("line") ? *b->get("line") : *b, "button.line",
              fmt::format("line {} is one of the e-ink panel's pins", bc.line));
    c.button = bc;
  }

  if (const toml::table* g = ck.subTable(root, "governor")) {
    ck.unknownKeys(*g, "governor", {"rss_target_mb"});
    ck.integer(*g, "governor", "rss_target_mb", c.rssTargetMb, 8, 4096);
  }

  if (const toml::table* m = ck.subTable(root, "monitoring")) {
    ck.unknownKeys(*m, "monitoring", {"enabled"});
    ck.boolean(*m, "monitoring", "enabled", c.monitoring);
  }
  return r;
}

}  // namespace cb::daemon
