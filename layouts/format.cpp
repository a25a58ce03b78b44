// Clock, date, countdown and location strings.
#include "layouts/format.hpp"

#include <fmt/format.h>
#include <fribidi.h>
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

std::string dayMonYear(ics::Date d) {
  const year_month_day ymd{d};
  return fmt::format("{} {:.3} {}", unsigned(ymd.day()), kMonths[unsigned(ymd.month()) - 1],
                     int(ymd.year()));
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

std::string stamp(ics::Instant t, ics::Instant now, const ics::TimeZone& zone, bool use24h) {
  const ics::Date day = zone.dateOf(t);
  const ics::Date today = zone.dateOf(now);
  const std::string clock = clockTime(t, zone, use24h);
  if (day == today) return clock;
  if (day == today - days{1}) return "yesterday " + clock;
  if (day < today && day > today - days{7})
    return fmt::format("{:.3} {}", kWeekdays[weekday{day}.c_encoding()], clock);
  const year_month_day ymd{day};
  return fmt::format("{} {:.3} {}", unsigned(ymd.day()), kMonths[unsigned(ymd.month()) - 1], clock);
}

std::string clockOn(ics::Instant t, ics::Date day, const ics::TimeZone& zone, bool use24h) {
  const ics::Date d = zone.dateOf(t);
  if (d == day) return clockTime(t, zone, use24h);
  return fmt::format("{:.3} {}", kWeekdays[weekday{d}.c_encoding()], clockTime(t, zone, use24h));
}

std::string eventTimes(ics::Instant start, ics::Instant end, ics::Date day,
                       const ics::TimeZone& zone, bool use24h) {
  const ics::Date from = zone.dateOf(start);
  // An end at midnight belongs to the day before it ("Mon 22:00 – 24:00" reads as Monday).
  const ics::Date to = end > start ? zone.dateOf(end - seconds{1}) : from;
  auto withDay = [&](ics::Instant t, ics::Date d) {
    return fmt::format("{:.3} {}", kWeekdays[weekday{d}.c_encoding()], clockTime(t, zone, use24h));
  };
  if (end <= start) return from == day ? clockTime(start, zone, use24h) : withDay(start, from);
  if (from == day && to == day) return timeRange(start, end, zone, use24h);
  return fmt::format("{} – {}", withDay(start, from), withDay(end, to));
}

bool firstStrongIsRtl(std::string_view text) {
  int isolates = 0;  // UAX #9 P2: what an isolate inside the field holds does not count
  for (const char* p = text.data(); p < text.data() + text.size();) {
    const gunichar c = g_utf8_get_char_validated(p, text.data() + text.size() - p);
    if (c == gunichar(-1) || c == gunichar(-2)) return false;
    p = g_utf8_next_char(p);
    const FriBidiCharType t = fribidi_get_bidi_type(c);
    if (FRIBIDI_IS_ISOLATE(t)) {
      isolates += t == FRIBIDI_TYPE_PDI ? (isolates > 0 ? -1 : 0) : 1;
    } else if (isolates == 0 && FRIBIDI_IS_LETTER(t)) {
      return FRIBIDI_IS_RTL(t);
    }
  }
  return false;
}

std::string isolate(std::string_view field) {
  return fmt::format("\u200e{}{}\u202c\u200e", firstStrongIsRtl(field) ? "\u202b" : "\u202a",
                     field);
}

std::string ltrField(std::string_view field) {
  return ltrLine(isolate(field));
}

std::string ltrLine(std::string_view line) {
  return fmt::format("\u200e{}", line);
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

// The same units and rounding as countdown(): minutes below an hour, hours and
// minutes below a day, days and hours beyond.
std::string duration(seconds left) {
  const long mins = std::max<long>(1, minutesLeft(left));
  if (mins < 60) return fmt::format("{} min", mins);
  const long hrs = mins / 60;
  if (hrs < 24) {
    if (mins % 60 == 0) return fmt::format("{} h", hrs);
    return fmt::format("{} h {} min", hrs, mins % 60);
  }
  const long d = hrs / 24;
  const char* unit = d == 1 ? "day" : "days";
  if (hrs % 24 == 0) return fmt::format("{} {}", d, unit);
  return fmt::format("{} {} {} h", d, unit, hrs % 24);
}

std::string startsIn(seconds left) {
  return "in " + duration(left);
}

std::string remaining(seconds left) {
  return duration(left) + " left";
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

namespace {

// The code point of an HTML character reference at the start of `s` ("&amp;",
// "&#8211;", "&#x2013;"), and its length; 0 when `s` does not start with one.
std::pair<gunichar, std::size_t> characterReference(std::string_view s) {
  static constexpr std::array<std::pair<std::string_view, gunichar>, 7> kNamed = {{
      {"&amp;", '&'},
      {"&lt;", '<'},
      {"&gt;", '>'},
      {"&quot;", '"'},
      {"&apos;", '\''},
      {"&nbsp;", ' '},
      {"&ndash;", 0x2013},
  }};
  for (const auto& [name, cp] : kNamed)
    if (s.starts_with(name)) return {cp, name.size()};
  if (!s.starts_with("&#")) return {0, 0};
  const bool hex = s.size() > 2 && (s[2] == 'x' || s[2] == 'X');
  std::size_t i = hex ? 3 : 2;
  unsigned long cp = 0;
  const std::size_t first = i;
  for (; i < s.size() && i < first + 7; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (hex && std::isxdigit(c))
      cp = cp * 16 + unsigned(std::isdigit(c) ? c - '0' : (std::tolower(c) - 'a' + 10));
    else if (!hex && std::isdigit(c))
      cp = cp * 10 + unsigned(c - '0');
    else
      break;
  }
  if (i == first || i >= s.size() || s[i] != ';') return {0, 0};
  if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return {0, 0};
  return {gunichar(cp), i + 1};
}

std::string decodeReferences(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '&') {
      const auto [cp, len] = characterReference(text.substr(i));
      if (len > 0) {
        char buf[6];
        out.append(buf, std::size_t(g_unichar_to_utf8(cp, buf)));
        i += len;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

}  // namespace

std::string cleanText(std::string_view raw) {
  std::string valid;
  std::string_view text = raw;
  if (!g_utf8_validate(text.data(), gssize(text.size()), nullptr)) {
    gchar* fixed = g_utf8_make_valid(text.data(), gssize(text.size()));
    valid = fixed;
    g_free(fixed);
    text = valid;
  }
  std::string decoded;
  if (text.find('&') != std::string_view::npos) {
    decoded = decodeReferences(text);
    text = decoded;
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
