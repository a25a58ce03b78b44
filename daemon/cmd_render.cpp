// `calendarbot render`: ICS files → store → agenda → layout → Frame → PNG display.
#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <optional>

#include "daemon/args.hpp"
#include "daemon/cli.hpp"
#include "daemon/log.hpp"
#include "daemon/pipeline.hpp"
#include "hal/png_display.hpp"
#include "layouts/layout.hpp"
#include "render/theme.hpp"

namespace cb::daemon {
namespace {

constexpr const char* kHelp =
    "usage: calendarbot render --ics FILE_OR_URL... --layout NAME --at ISO8601 --out FRAME.png\n"
    "                          [--tz ZONE] [--theme lcd|eink] [--size WxH] [--12h]\n"
    "                          [--owner EMAIL]... [--show-free] [--private-busy]\n"
    "                          [--synced ISO8601] [--offline-since ISO8601] [--no-data]\n"
    "\n"
    "Draws exactly what the panel would show at that instant.\n"
    "  --ics FILE...    one or more ICS files or https/http/webcal URLs (all are merged)\n"
    "  --layout NAME    whats-next or 4x8\n"
    "  --at ISO8601     the instant: 2025-03-10T09:30:00 (wall clock in --tz), ...Z or ...+01:00\n"
    "  --tz ZONE        display time zone (IANA), default UTC\n"
    "  --theme NAME     lcd (greys, default) or eink (black and white)\n"
    "  --size WxH       logical size, default 480x800\n"
    "  --12h            12-hour clock times\n"
    "  --owner EMAIL    your address: meetings it declined are hidden (repeatable)\n"
    "  --show-free      also show free/transparent events (hidden by default)\n"
    "  --private-busy   show private events as \"Busy\"\n"
    "  --synced T       the last successful sync (default: --at)\n"
    "  --offline-since T  preview the stale-data state: offline since T\n"
    "  --no-data        preview the first-boot state (nothing fetched yet)\n"
    "  --out FILE       the PNG to write\n";

bool parseSize(std::string_view s, int& w, int& h) {
  const std::size_t x = s.find('x');
  if (x == std::string_view::npos) return false;
  auto [p1, e1] = std::from_chars(s.data(), s.data() + x, w);
  auto [p2, e2] = std::from_chars(s.data() + x + 1, s.data() + s.size(), h);
  return e1 == std::errc{} && e2 == std::errc{} && p1 == s.data() + x &&
         p2 == s.data() + s.size() && w >= 64 && h >= 64 && w <= 4096 && h <= 4096;
}

int usage(const std::string& message) {
  fmt::print(stderr, "calendarbot render: {}\n", message);
  return kUsage;
}

}  // namespace

int cmdRender(const std::vector<std::string_view>& argv) {
  Args args(
      argv,
      {"ics", "layout", "at", "tz", "theme", "size", "out", "owner", "synced", "offline-since"},
      {"help", "12h", "show-free", "private-busy", "no-data"});
  if (args.has("help")) {
    std::fputs(kHelp, stdout);
    return kOk;
  }
  if (!args.error().empty()) return usage(args.error());
  if (!args.positional().empty())
    return usage(fmt::format("unexpected argument \"{}\"", args.positional()[0]));
  const std::vector<std::string> files = args.values("ics");
  if (files.empty()) return usage("--ics FILE is required");
  const auto layoutName = args.value("layout");
  if (!layoutName) return usage("--layout is required (whats-next or 4x8)");
  const layouts::LayoutInfo* layout = layouts::findLayout(*layoutName);
  if (layout == nullptr)
    return usage(fmt::format("unknown layout \"{}\" (known: whats-next, 4x8)", *layoutName));
  const std::string tzName = args.value("tz").value_or("UTC");
  const ics::TimeZone* zone = ics::TimeZone::locate(tzName);
  if (zone == nullptr) return usage(fmt::format("unknown time zone \"{}\"", tzName));
  const auto atText = args.value("at");
  if (!atText) return usage("--at ISO8601 is required");
  const auto at = ics::parseIsoInstant(*atText, *zone);
  if (!at)
    return usage(fmt::format("bad --at \"{}\" (expected e.g. 2025-03-10T09:30:00)", *atText));
  const auto themeKind = render::parseThemeKind(args.value("theme").value_or("lcd"));
  if (!themeKind) return usage("--theme must be lcd or eink");
  int width = 480, height = 800;
  if (const auto size = args.value("size"); size && !parseSize(*size, width, height))
    return usage(fmt::format("bad --size \"{}\" (expected WxH, e.g. 480x800)", *size));
  const auto out = args.value("out");
  if (!out) return usage("--out FRAME.png is required");

  std::optional<ics::Instant> synced = *at, offlineSince;
  for (auto [name, target] :
       {std::pair{"synced", &synced}, std::pair{"offline-since", &offlineSince}}) {
    if (const auto text = args.value(name)) {
      *target = ics::parseIsoInstant(*text, *zone);
      if (!*target) return usage(fmt::format("bad --{} \"{}\" (expected ISO 8601)", name, *text));
    }
  }

  ics::IngestOptions options;
  options.displayZone = zone;
  for (std::string email : args.values("owner")) {
    if (email.starts_with("mailto:")) email.erase(0, 7);
    for (char& ch : email) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    options.ownerEmails.push_back(email);
  }
  options.now = *at;
  std::vector<ics::EventStore> stores;
  for (std::size_t i = 0; i < files.size(); ++i) {
    options.source = std::uint16_t(i);
    std::string error;
    auto store = loadCalendar(files[i], options, files[i], error);
    if (!store) {
      log::error("{}", error);
      return kFailure;
    }
    stores.push_back(std::move(*store));
  }
  std::vector<const ics::EventStore*> views;
  for (const auto& s : stores) views.push_back(&s);

  layouts::AgendaOptions agendaOptions;
  agendaOptions.hideFree = !args.has("show-free");
  agendaOptions.maskPrivate = args.has("private-busy");
  agendaOptions.warn = [](std::string_view w) { log::warning("{}", w); };
  const layouts::Agenda agenda = layouts::buildAgenda(views, *at, agendaOptions);
  layouts::LayoutContext context;
  context.now = *at;
  context.zone = zone;
  context.use24h = !args.has("12h");
  context.state.haveData = !args.has("no-data");
  context.state.lastSync = context.state.haveData ? synced : std::nullopt;
  context.state.offlineSince = offlineSince;
  const render::Frame frame =
      layouts::renderFrame(*layout, agenda, context, render::themeFor(*themeKind), width, height);
  hal::PngDisplay display(*out, 0);
  if (const int rc = display.show(toImage(frame, nullptr)); rc < 0) {
    log::error("cannot write {}: {}", *out, std::strerror(-rc));
    return kFailure;
  }
  return kOk;
}

}  // namespace cb::daemon
