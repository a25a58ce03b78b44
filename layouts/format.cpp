// Clock, date, countdown and location strings.
#include "layouts/format.hpp"

#include <fmt/format.h>
#include <glib.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace cb::layouts {
namespace {
using namespace std::chrono;
constexpr std::array<const char*, 7> kWeekdays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                  "Thursday", "Friday", "Saturday"};
constexpr std::array<const char*, 12> kMonths = {"January",   "February", "March",    "April",
                                                 "May",       "June",     "July",     "August",
                                                 "September", "October",  "November", "December"};

hh_mm_ss<seconds> localTime(ics::Instant t, const ics::TimeZone& zone) {
  const auto local = zone.toLocal(t);
  return hh_mm_ss{local - floor<days>(local)};
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Location parts that only say "this is an online meeting".
bool isOnlineNoise(std::string_view part) {
  const std::string p = lower(trim(part));
  if (p.empty()) return true;
  static constexpr std::array<std::string_view, 14> kExact = {"microsoft teams meeting",
                                                              "microsoft teams",
                                                              "teams meeting",
                                                              "teams",
                                                              "microsoft teams-besprechung",
                                                              "réunion microsoft teams",
                                                              "reunión de microsoft teams",
                                                              "zoom meeting",
                                                              "zoom",
                                                              "google meet",
                                                              "webex",
                                                              "webex meeting",
                                                              "skype meeting",
                                                              "online meeting"};
  if (std::find(kExact.begin(), kExact.end(), p) != kExact.end()) return true;
  if (p.starts_with("http://") || p.starts_with("https://")) return true;
  for (std::string_view host :
       {"teams.microsoft.com", "zoom.us/", "meet.google.com", "webex.com/", "teams.live.com"})
    if (p.find(host) != std::string::npos) return true;
  return false;
}

}  // namespace

std::string clockTime(ics::Instant t, const ics::TimeZone& zone, bool use24h) {
  const auto hms = localTime(t, zone);
  const long h = hms.hours().count();
  const long m = hms.minutes().count();
  if (use24h) return fmt::format("{:02}:{:02}", h, m);
  return fmt::format("{}:{:02} {}", h % 12 == 0 ? 12 : h % 12, m, h < 12 ? "AM" : "PM");
}

std::string timeRange(ics::Instant start, ics::Instant end, const ics::TimeZone& zone,
                      bool use24h) {
  if (use24h)
    return fmt::format("{} – {}", clockTime(start, zone, true), clockTime(end, zone, true));
  const bool sameHalf =
      (localTime(start, zone).hours().count() < 12) == (localTime(end, zone).hours().count() < 12);
  std::string from = clockTime(start, zone, false);
  if (sameHalf) from.resize(from.size() - 3);  // "10:00 AM" → "10:00"
  return fmt::format("{} – {}", from, clockTime(end, zone, false));
}

std::string longDate(ics::Instant t, const ics::TimeZone& zone) {
  const auto day = floor<days>(zone.toLocal(t));
  const year_month_day ymd{day};
  const weekday wd{day};
  return fmt::format("{}, {} {}", kWeekdays[wd.c_encoding()], unsigned(ymd.day()),
                     kMonths[unsigned(ymd.month()) - 1]);
}

std::string weekdayName(ics::Date d) {
  return kWeekdays[weekday{d}.c_encoding()];
}

std::string dayMonthYear(ics::Date d) {
  const year_month_day ymd{d};
  return fmt::format("{} {} {}", unsigned(ymd.day()), kMonths[unsigned(ymd.month()) - 1],
                     int(ymd.year()));
}

std::string shortDate(ics::Date d) {
  const year_month_day ymd{d};
  const weekday wd{d};
  return fmt::format("{:.3} {} {:.3}", kWeekdays[wd.c_encoding()], unsigned(ymd.day()),
                     kMonths[unsigned(ymd.month()) - 1]);
}

std::string dayHeading(ics::Date d, ics::Date today) {
  if (d == today) return "Today";
  if (d == today + days{1}) return "Tomorrow";
  const year_month_day ymd{d};
  return fmt::format("{} {} {}", kWeekdays[weekday{d}.c_encoding()], unsigned(ymd.day()),
                     kMonths[unsigned(ymd.month()) - 1]);
}

long minutesLeft(seconds left) {
  return std::max<long>(0, (left.count() + 59) / 60);
}

Countdown countdown(seconds left) {
  const long mins = minutesLeft(left);
  if (mins < 60) return {fmt::format("{}", mins), mins == 1 ? "MINUTE" : "MINUTES"};
  const long hrs = mins / 60;
  if (hrs < 24) {
    const long rest = mins % 60;
    const char* unit = hrs == 1 ? "HOUR" : "HOURS";
    if (rest == 0) return {fmt::format("{}", hrs), unit};
    return {fmt::format("{}", hrs),
            fmt::format("{} {} {}", unit, rest, rest == 1 ? "MINUTE" : "MINUTES")};
  }
  const long d = hrs / 24;
  const long h = hrs % 24;
  if (h == 0) return {fmt::format("{}", d), d == 1 ? "DAY" : "DAYS"};
  return {fmt::format("{}", d),
          fmt::format("{} {} {}", d == 1 ? "DAY" : "DAYS", h, h == 1 ? "HOUR" : "HOURS")};
}

static std::string hoursMinutes(long mins) {
  if (mins < 60) return fmt::format("{} min", mins);
  if (mins % 60 == 0) return fmt::format("{} h", mins / 60);
  return fmt::format("{} h {} min", mins / 60, mins % 60);
}

std::string startsIn(seconds left) {
  return "in " + hoursMinutes(std::max<long>(1, minutesLeft(left)));
}

std::string remaining(seconds left) {
  return hoursMinutes(std::max<long>(1, minutesLeft(left))) + " left";
}

std::string displayLocation(std::string_view location) {
  std::string out;
  std::size_t pos = 0;
  while (pos <= location.size()) {
    std::size_t end = location.find(';', pos);
    if (end == std::string_view::npos) end = location.size();
    const std::string_view part = trim(location.substr(pos, end - pos));
    if (!isOnlineNoise(part)) {
      if (!out.empty()) out += "; ";
      out += part;
    }
    pos = end + 1;
  }
  return out;
}

std::string cleanText(std::string_view text) {
  std::string valid;
  if (!g_utf8_validate(text.data(), gssize(text.size()), nullptr)) {
    gchar* fixed = g_utf8_make_valid(text.data(), gssize(text.size()));
    valid = fixed;
    g_free(fixed);
    text = valid;
  }
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += ch;
  }
  return out;
}

}  // namespace cb::layouts
