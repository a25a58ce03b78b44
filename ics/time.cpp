// TimeZone on top of libical's tzdata reader; ISO 8601 parsing and formatting.
#include "ics/time.hpp"

#include <fmt/format.h>
#include <libical/ical.h>

#include <strings.h>

#include <charconv>
#include <map>
#include <mutex>

namespace cb::ics {
namespace {

using namespace std::chrono;

icaltimezone* zoneOf(void* z) {
  return static_cast<icaltimezone*>(z);
}

LocalSeconds fromIcal(const icaltimetype& tt) {
  const auto days = local_days{year{tt.year} / tt.month / tt.day};
  return days + hours{tt.hour} + minutes{tt.minute} + seconds{tt.second};
}

icaltimetype toIcal(LocalSeconds local, icaltimezone* zone) {
  const auto days = floor<std::chrono::days>(local);
  const year_month_day ymd{days};
  const hh_mm_ss hms{local - days};
  icaltimetype tt = icaltime_null_time();
  tt.year = int(ymd.year());
  tt.month = int(unsigned(ymd.month()));
  tt.day = int(unsigned(ymd.day()));
  tt.hour = int(hms.hours().count());
  tt.minute = int(hms.minutes().count());
  tt.second = int(hms.seconds().count());
  tt.zone = zone;
  return tt;
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  const char* b = s.data() + pos;
  auto [p, ec] = std::from_chars(b, b + n, out);
  return ec == std::errc{} && p == b + n;
}

}  // namespace

TimeZone::TimeZone(std::string name, void* icalZone, bool owned)
    : name_(std::move(name)),
      zone_(icalZone),
      owned_(owned),
      utc_(icalZone == icaltimezone_get_utc_timezone()) {
  if (!utc_ && zone_ != nullptr) {
    // libical re-expands a zone's rules from their first year (1601 in Outlook's
    // VTIMEZONEs) whenever a later year is asked for: ask for the last one first.
    icaltimetype far = icaltime_null_time();
    far.year = 2045;
    far.month = 1;
    far.day = 1;
    int isDaylight = 0;
    (void)icaltimezone_get_utc_offset(zoneOf(zone_), &far, &isDaylight);
  }
}

TimeZone::~TimeZone() {
  if (owned_) icaltimezone_free(zoneOf(zone_), 1);
}

const TimeZone* TimeZone::locate(std::string_view name) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<TimeZone>, std::less<>> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(name); it != cache.end()) return it->second.get();
  // Names come from feeds: never let one walk the file system.
  if (name.empty() || name.size() > 64 || name.find("..") != std::string_view::npos ||
      name.front() == '/')
    return nullptr;
  std::string key(name);
  icaltimezone* zone = nullptr;
  if (key == "UTC" || key == "Etc/UTC" || key == "Z" || key == "GMT" || key == "Etc/GMT" ||
      key == "UCT" || key == "Zulu" || key == "Etc/Zulu" || key == "Universal")
    zone = icaltimezone_get_utc_timezone();
  else
    zone = icaltimezone_get_builtin_timezone(key.c_str());
  if (zone == nullptr) {
    // tzdata names are case-sensitive files; calendars write "Europe/lisbon".
    icalarray* all = icaltimezone_get_builtin_timezones();
    for (std::size_t i = 0; all != nullptr && i < all->num_elements; ++i) {
      auto* z = static_cast<icaltimezone*>(icalarray_element_at(all, i));
      const char* loc = icaltimezone_get_location(z);
      if (loc != nullptr && strcasecmp(loc, key.c_str()) == 0) {
        zone = icaltimezone_get_builtin_timezone(loc);
        break;
      }
    }
  }
  if (zone == nullptr) {
    if (cache.size() < 4096) cache.emplace(std::move(key), nullptr);  // remember misses
    return nullptr;
  }
  auto tz = std::make_unique<TimeZone>(key, zone);
  const TimeZone* result = tz.get();
  cache.emplace(std::move(key), std::move(tz));
  return result;
}

const TimeZone& TimeZone::utc() {
  static const TimeZone* z = locate("UTC");
  return *z;
}

std::shared_ptr<const TimeZone> TimeZone::fromVtimezone(std::string_view text,
                                                        std::string_view name) {
  const std::string copy(text);
  icalcomponent* comp = icalparser_parse_string(copy.c_str());
  if (comp == nullptr) return nullptr;
  if (icalcomponent_isa(comp) != ICAL_VTIMEZONE_COMPONENT ||
      icalcomponent_get_first_component(comp, ICAL_ANY_COMPONENT) == nullptr) {
    icalcomponent_free(comp);
    return nullptr;
  }
  icaltimezone* zone = icaltimezone_new();
  if (zone == nullptr) {
    icalcomponent_free(comp);
    return nullptr;
  }
  if (icaltimezone_set_component(zone, comp) == 0) {  // takes `comp` only on success
    icalcomponent_free(comp);
    icaltimezone_free(zone, 1);
    return nullptr;
  }
  return std::make_shared<const TimeZone>(std::string(name), zone, true);
}

LocalSeconds TimeZone::toLocal(Instant t) const {
  if (utc_) return LocalSeconds{t.time_since_epoch()};
  const icaltimetype tt = icaltime_from_timet_with_zone(
      static_cast<time_t>(t.time_since_epoch().count()), 0, zoneOf(zone_));
  return fromIcal(tt);
}

Instant TimeZone::toInstant(LocalSeconds local) const {
  if (utc_) return Instant{local.time_since_epoch()};
  const icaltimetype tt = toIcal(local, zoneOf(zone_));
  return Instant{seconds{icaltime_as_timet_with_zone(tt, zoneOf(zone_))}};
}

Instant TimeZone::startOfDay(Date d) const {
  return toInstant(LocalSeconds{d.time_since_epoch()});
}

Date TimeZone::dateOf(Instant t) const {
  return Date{floor<days>(toLocal(t)).time_since_epoch()};
}

std::optional<Instant> parseIsoInstant(std::string_view s, const TimeZone& tz) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return std::nullopt;
  const year_month_day ymd{year{y} / mo / d};
  if (!ymd.ok()) return std::nullopt;
  std::size_t pos = 10;
  if (pos < s.size()) {
    if ((s[pos] != 'T' && s[pos] != ' ') || !digits(s, pos + 1, 2, h) || pos + 3 >= s.size() ||
        s[pos + 3] != ':' || !digits(s, pos + 4, 2, mi))
      return std::nullopt;
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, sec)) return std::nullopt;
      pos += 3;
    }
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  }
  const LocalSeconds local = local_days{ymd} + hours{h} + minutes{mi} + seconds{sec};
  if (pos == s.size()) return tz.toInstant(local);
  if (s[pos] == 'Z' && pos + 1 == s.size()) return Instant{local.time_since_epoch()};
  if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.size() && s[pos + 3] == ':') {
    int oh = 0, om = 0;
    if (!digits(s, pos + 1, 2, oh) || !digits(s, pos + 4, 2, om)) return std::nullopt;
    const seconds offset = hours{oh} + minutes{om};
    const Instant asUtc{local.time_since_epoch()};
    return s[pos] == '+' ? asUtc - offset : asUtc + offset;
  }
  return std::nullopt;
}

std::string formatUtc(Instant t) {
  const auto days = floor<std::chrono::days>(t);
  const year_month_day ymd{days};
  const hh_mm_ss hms{t - days};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", int(ymd.year()), unsigned(ymd.month()),
                     unsigned(ymd.day()), hms.hours().count(), hms.minutes().count(),
                     hms.seconds().count());
}

std::string formatDate(Date d) {
  const year_month_day ymd{d};
  return fmt::format("{:04}-{:02}-{:02}", int(ymd.year()), unsigned(ymd.month()),
                     unsigned(ymd.day()));
}

}  // namespace cb::ics
