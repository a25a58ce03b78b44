// TimeZone: tzdata's TZif files and VTIMEZONEs as offset tables; ISO 8601 parsing and formatting.
#include "ics/time.hpp"

#include <fmt/format.h>

#include <stdlib.h>
#include <strings.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "ics/ical_handles.hpp"
#include "ics/ical_time.hpp"
#include "ics/rrule.hpp"
#include "ics/rrule_subdaily.hpp"
#include "ics/tzif.hpp"

namespace cb::ics {
namespace {

using namespace std::chrono;

icaltimezone* zoneOf(void* z) {
  return static_cast<icaltimezone*>(z);
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  const char* b = s.data() + pos;
  auto [p, ec] = std::from_chars(b, b + n, out);
  return ec == std::errc{} && p == b + n;
}

// Seconds since the epoch of a civil time read as if it were UTC.
std::int64_t civilSeconds(int y, int mo, int d, int h, int mi, int sec) {
  const sys_days days{year{y} / mo / d};
  return std::int64_t(days.time_since_epoch().count()) * 86400 + h * 3600 + mi * 60 + sec;
}

std::int64_t civilSeconds(const icaltimetype& t) {
  return fromIcal(t).time_since_epoch().count();
}

bool emptyList(const short* list) {
  return list[0] == ICAL_RECURRENCE_ARRAY_MAX;
}

// FREQ=YEARLY;BYMONTH=m;BYDAY=±nDAY with an optional UNTIL: what VTIMEZONE rules
// nearly always say, and what we expand without libical's recurrence iterator.
bool isSimpleYearlyRule(const icalrecurrencetype& r) {
  if (r.freq != ICAL_YEARLY_RECURRENCE || r.interval != 1 || r.count != 0) return false;
  if (r.rscale != nullptr && strcasecmp(r.rscale, "GREGORIAN") != 0) return false;
  if (r.skip != ICAL_SKIP_OMIT) return false;
  if (!emptyList(r.by_second) || !emptyList(r.by_minute) || !emptyList(r.by_hour) ||
      !emptyList(r.by_month_day) || !emptyList(r.by_year_day) || !emptyList(r.by_week_no) ||
      !emptyList(r.by_set_pos))
    return false;
  if (r.by_month[0] < 1 || r.by_month[0] > 12 || r.by_month[1] != ICAL_RECURRENCE_ARRAY_MAX)
    return false;
  if (emptyList(r.by_day) || r.by_day[1] != ICAL_RECURRENCE_ARRAY_MAX) return false;
  const int pos = dayPosition(r.by_day[0]);
  const int dow = dayOfWeek(r.by_day[0]);
  return pos != 0 && pos >= -5 && pos <= 5 && dow >= 1 && dow <= 7;
}

// The day of the rule in year y, if that year has one (a 5th Sunday may not exist).
std::optional<year_month_day> simpleRuleDay(const icalrecurrencetype& r, int y) {
  const int pos = dayPosition(r.by_day[0]);
  const weekday wd{unsigned(dayOfWeek(r.by_day[0]) - 1)};
  const year_month ym = year{y} / month{unsigned(r.by_month[0])};
  if (pos > 0) {
    const year_month_weekday nth = ym / wd[unsigned(pos)];
    if (!nth.ok()) return std::nullopt;
    return year_month_day{sys_days{nth}};
  }
  const sys_days last{ym / wd[std::chrono::last]};
  const year_month_day d{last - days{7 * (-pos - 1)}};
  if (d.month() != ym.month()) return std::nullopt;
  return d;
}

// Instances of one observance's RRULE we list at most (libical's iterator is cut there too).
constexpr std::size_t kObservanceBudget = 100000;

// Whether DTSTART is itself an instance of the rule. The same rule from 400 * INTERVAL years
// earlier has the same instances from DTSTART's period on (the Gregorian calendar repeats its
// dates and weekdays every 400 years, and the shift is a whole number of intervals); started
// at DTSTART, it also yields the instances of that period before DTSTART.
bool isInstance(const icalrecurrencetype& rule, LocalSeconds dtstart) {
  const local_days day = floor<days>(dtstart);
  const year_month_day ymd{day};
  const int shift = 400 * std::max(1, int(rule.interval));
  if (int(ymd.year()) - shift < int(year::min())) return true;  // as RFC 5545 counts it
  const local_days earlier{ymd - years{shift}};
  std::optional<RruleIterator> it = RruleIterator::create(rule, earlier + (dtstart - day));
  if (!it) return true;
  it->setStart(dtstart);
  for (std::size_t i = 0; i < kObservanceBudget; ++i) {
    const std::optional<LocalSeconds> t = it->next();
    if (!t || *t > dtstart) return false;
    if (*t == dtstart) return true;
  }
  return false;
}

// The offset changes of one STANDARD or DAYLIGHT observance, the way libical's
// icaltimezone_expand_vtimezone() lists them. False when we cannot reproduce it.
bool expandObservance(icalcomponent* comp, int endYear, std::vector<TimeZone::Change>& out) {
  const IcalLib& lib = ical();
  TimeZone::Change change;
  const icalcomponent_kind kind = lib.icalcomponent_isa(comp);
  if (kind == ICAL_XSTANDARD_COMPONENT)
    change.daylight = false;
  else if (kind == ICAL_XDAYLIGHT_COMPONENT)
    change.daylight = true;
  else
    return true;
  icaltimetype dtstart = nullIcalTime();
  bool hasStart = false, hasTo = false, hasFrom = false, hasRdate = false, hasRrule = false;
  for (icalproperty* p = lib.icalcomponent_get_first_property(comp, ICAL_ANY_PROPERTY);
       p != nullptr; p = lib.icalcomponent_get_next_property(comp, ICAL_ANY_PROPERTY)) {
    switch (lib.icalproperty_isa(p)) {
      case ICAL_DTSTART_PROPERTY:
        dtstart = lib.icalproperty_get_dtstart(p);
        hasStart = true;
        break;
      case ICAL_TZOFFSETTO_PROPERTY:
        change.offset = lib.icalproperty_get_tzoffsetto(p);
        hasTo = true;
        break;
      case ICAL_TZOFFSETFROM_PROPERTY:
        change.prevOffset = lib.icalproperty_get_tzoffsetfrom(p);
        hasFrom = true;
        break;
      case ICAL_RDATE_PROPERTY:
        hasRdate = true;
        break;
      case ICAL_RRULE_PROPERTY:
        hasRrule = true;
        break;
      default:
        break;
    }
  }
  if (hasTo && !hasFrom) {  // Outlook for Mac, for zones without DST
    change.prevOffset = change.offset;
    hasFrom = true;
  }
  if (!hasStart || !hasTo || !hasFrom) return true;  // libical ignores the observance too
  if (isNullIcalTime(dtstart) || dtstart.year < 1 || dtstart.year > 9999) return false;
  const std::int64_t start = civilSeconds(dtstart);
  auto add = [&](std::int64_t utc) {
    change.utc = utc;
    out.push_back(change);
  };
  if (!hasRrule) add(start - change.prevOffset);
  if (!hasRdate && !hasRrule) return true;
  for (icalproperty* p = lib.icalcomponent_get_first_property(comp, ICAL_ANY_PROPERTY);
       p != nullptr; p = lib.icalcomponent_get_next_property(comp, ICAL_ANY_PROPERTY)) {
    const icalproperty_kind pk = lib.icalproperty_isa(p);
    if (pk == ICAL_RDATE_PROPERTY) {
      const icaldatetimeperiodtype rdate = lib.icalproperty_get_rdate(p);
      const icaltimetype& t = rdate.time;
      if (isNullIcalTime(t) || t.year < 1 || t.year > 9999) return false;  // a PERIOD
      if (t.is_date != 0)
        add(civilSeconds(t.year, t.month, t.day, dtstart.hour, dtstart.minute, dtstart.second) -
            change.prevOffset);
      else if (lib.icaltime_is_utc(t))
        add(civilSeconds(t));
      else
        add(civilSeconds(t) - change.prevOffset);
    } else if (pk == ICAL_RRULE_PROPERTY) {
      icalrecurrencetype rule = lib.icalproperty_get_rrule(p);
      if (rule.freq == ICAL_NO_RECURRENCE) return false;
      // Offsets that change more than daily are no time zone: such a rule (FREQ=SECONDLY from
      // year 1 would list billions of changes, and libical's iterator would hang on it) is
      // refused, and the observance counts from its DTSTART alone.
      if (rule.freq == ICAL_SECONDLY_RECURRENCE || rule.freq == ICAL_MINUTELY_RECURRENCE ||
          rule.freq == ICAL_HOURLY_RECURRENCE) {
        add(start - change.prevOffset);
        continue;
      }
      if (!isNullIcalTime(rule.until) && lib.icaltime_is_utc(rule.until)) {
        lib.icaltime_adjust(&rule.until, 0, 0, 0, change.prevOffset);
        rule.until.zone = nullptr;
      }
      add(start - change.prevOffset);
      // libical's iterator: no instance after a DATE-TIME UNTIL, none on a DATE UNTIL's day
      // (icaltime_compare() ranks a DATE-TIME of that day after it).
      const bool hasUntil = !isNullIcalTime(rule.until);
      const std::int64_t until = hasUntil ? civilSeconds(rule.until) : 0;
      auto pastUntil = [&](std::int64_t local) {
        return hasUntil && (rule.until.is_date ? local >= until : local > until);
      };
      if (isSimpleYearlyRule(rule)) {
        const std::int64_t timeOfDay = dtstart.hour * 3600 + dtstart.minute * 60 + dtstart.second;
        for (int y = dtstart.year; y <= endYear; ++y) {
          const auto day = simpleRuleDay(rule, y);
          if (!day) continue;
          const std::int64_t local =
              std::int64_t(sys_days{*day}.time_since_epoch().count()) * 86400 + timeOfDay;
          if (local <= start) continue;
          if (pastUntil(local)) break;
          add(local - change.prevOffset);
        }
      } else if (std::optional<RruleIterator> ours =
                     RruleIterator::create(rule, LocalSeconds{seconds{start}})) {
        // libical counts DTSTART towards COUNT only when it is an instance of the rule.
        int n = rule.count > 0 && isInstance(rule, LocalSeconds{seconds{start}}) ? 1 : 0;
        for (std::size_t i = 0; i < kObservanceBudget; ++i) {
          const std::optional<LocalSeconds> occ = ours->next();
          if (!occ) break;
          const std::int64_t local = occ->time_since_epoch().count();
          if (int(year_month_day{floor<days>(*occ)}.year()) > endYear || pastUntil(local) ||
              (rule.count > 0 && ++n > rule.count))
            break;
          add(local - change.prevOffset);
        }
      } else {
        // A shape our iterator does not know: libical's (it opens an ICU calendar), unless no
        // day can match, which libical would search for until year 2582 inside one call.
        if (neverMatches(rule, LocalSeconds{seconds{start}})) continue;
        const IcalRecurIteratorPtr theirs(lib.icalrecur_iterator_new(rule, dtstart));
        if (theirs == nullptr) return false;
        for (std::size_t i = 0; i < kObservanceBudget; ++i) {
          const icaltimetype occ = lib.icalrecur_iterator_next(theirs.get());
          if (isNullIcalTime(occ) || occ.year > endYear) break;
          if (lib.icaltime_compare(dtstart, occ) == 0) continue;
          add(civilSeconds(occ) - change.prevOffset);
        }
      }
    }
  }
  return true;
}

// Every change of a VTIMEZONE component up to endYear, sorted; nullopt when one
// of its observances is beyond us (libical then answers for the zone).
std::optional<std::vector<TimeZone::Change>> expandZone(icalcomponent* vtimezone, int endYear) {
  if (vtimezone == nullptr) return std::nullopt;
  const IcalLib& lib = ical();
  std::vector<TimeZone::Change> changes;
  for (icalcomponent* c = lib.icalcomponent_get_first_component(vtimezone, ICAL_ANY_COMPONENT);
       c != nullptr; c = lib.icalcomponent_get_next_component(vtimezone, ICAL_ANY_COMPONENT))
    if (!expandObservance(c, endYear, changes) || changes.size() > TimeZone::kMaxTableChanges)
      return std::nullopt;
  std::stable_sort(changes.begin(), changes.end(),
                   [](const auto& a, const auto& b) { return a.utc < b.utc; });
  changes.shrink_to_fit();
  return changes;
}

}  // namespace

void TimeZone::IcalZoneFree::operator()(void* zone) const noexcept {
  ical().icaltimezone_free(zoneOf(zone), 1);
}

TimeZone::TimeZone(std::string name, void* icalZone)
    : name_(std::move(name)), zone_(icalZone), ownedZone_(icalZone) {}

TimeZone::TimeZone(std::string name, std::vector<Change> changes, int endYear)
    : name_(std::move(name)),
      zone_(nullptr),
      utc_(changes.empty()),  // no change: offset 0 throughout
      table_(true),
      tableEndYear_(endYear),
      changes_(std::move(changes)) {}

// libical's icaltimezone_get_utc_offset_of_utc_time(): the last change at or before t.
std::int32_t TimeZone::offsetAtUtc(std::int64_t t) const {
  if (changes_.empty()) return 0;
  auto it = std::upper_bound(changes_.begin(), changes_.end(), t,
                             [](std::int64_t v, const Change& c) { return v < c.utc; });
  if (it == changes_.begin()) return changes_.front().prevOffset;
  return std::prev(it)->offset;
}

// A wall-clock time's offset as RFC 5545 3.3.5 defines it, not as libical answers: a time
// that occurs twice (clocks go back) is its first occurrence, and a time that never occurs
// (clocks go forward) is read with the offset before the gap — the change's own "before"
// (TZOFFSETFROM) both times. Elsewhere the last change whose wall-clock times have begun
// applies, as in libical. (libical, and pytz in the oracle, take the later instant in an
// overlap: a 01:30-02:30 meeting on the autumn night lasted two hours.)
std::int32_t TimeZone::offsetOfLocal(std::int64_t local) const {
  if (changes_.empty()) return 0;
  // No offset exceeds 26 h, so no change past local + 26 h has begun, and the walk back
  // stops within a couple of changes.
  auto it = std::upper_bound(changes_.begin(), changes_.end(), local + kMaxOffset,
                             [](std::int64_t v, const Change& c) { return v < c.utc; });
  while (it != changes_.begin()) {
    const Change& c = *--it;
    // Changes at one instant (a VTIMEZONE whose observances all start on one day) are one
    // change, from the first one's "before" to the last one's "after".
    auto first = it;
    while (first != changes_.begin() && std::prev(first)->utc == c.utc) --first;
    const std::int32_t before = first->prevOffset;
    if (local < c.utc + std::min(c.offset, before)) continue;
    return local < c.utc + std::max(c.offset, before) ? before : c.offset;
  }
  return changes_.front().prevOffset;
}

TimeZone::~TimeZone() = default;

namespace {

// Names come from feeds: never let one walk the file system. tzdata's names are ASCII letters,
// digits, '.', '-', '_', '+' and '/' (Outlook's "W. Europe Standard Time" goes elsewhere without
// a look at the disk).
bool safeZoneName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.find("..") != std::string_view::npos ||
      name.front() == '/')
    return false;
  for (char c : name)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '-' || c == '_' || c == '+' || c == '/'))
      return false;
  for (std::size_t from = 0; from <= name.size();) {
    const std::size_t slash = std::min(name.find('/', from), name.size());
    const std::string_view part = name.substr(from, slash - from);
    if (part.empty() || part == ".") return false;
    from = slash + 1;
  }
  return true;
}

std::filesystem::path zoneinfoDir() {
  const char* dir = secure_getenv("TZDIR");  // as glibc: tests point it elsewhere
  return dir != nullptr && dir[0] != '\0' ? dir : "/usr/share/zoneinfo";
}

// The whole file if it opens; empty when bigger than any TZif file (tzdata's are < 4 KiB).
std::optional<std::string> readSmallFile(const std::filesystem::path& path) {
  constexpr std::size_t kMax = 1 << 20;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string bytes;
  char buffer[4096];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    bytes.append(buffer, std::size_t(in.gcount()));
    if (bytes.size() > kMax) return std::string{};
  }
  return bytes;
}

// tzdata names are case-sensitive file names; calendars write "Europe/lisbon". The file
// name, one directory level at a time, or nullopt.
std::optional<std::string> findIgnoringCase(const std::filesystem::path& dir,
                                            std::string_view name) {
  std::filesystem::path at = dir;
  std::string found;
  for (std::size_t from = 0; from <= name.size();) {
    const std::size_t slash = std::min(name.find('/', from), name.size());
    const std::string_view part = name.substr(from, slash - from);
    from = slash + 1;
    std::error_code ec;
    std::filesystem::directory_iterator it(at, ec);
    for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      const std::string entry = it->path().filename().string();
      if (entry.size() == part.size() && strncasecmp(entry.data(), part.data(), part.size()) == 0)
        break;
    }
    if (ec || it == std::filesystem::directory_iterator()) return std::nullopt;
    const std::string entry = it->path().filename().string();
    at /= entry;
    found += found.empty() ? entry : "/" + entry;
  }
  return found;
}

std::int64_t yearStart(int y) {
  return std::int64_t(sys_days{year{y} / 1 / 1}.time_since_epoch().count()) * 86400;
}

// Past its table a zone's yearly rules go on as in the table's last years: any year has the
// calendar (leap or not, the weekday of January 1) of one of the 28 years before the table's end
// year, a century's last (2100, 2200), and those 28 are in one century. The seconds to go back
// from `v` (a UTC or wall-clock time in a year past the table) to the same moment of that year.
std::int64_t backToTable(std::int64_t v, int endYear) {
  const sys_days day{days{v >= 0 ? v / 86400 : (v - 86399) / 86400}};
  const year y = year_month_day{day}.year();
  const weekday jan1{sys_days{y / 1 / 1}};
  for (year other = year{endYear - 28}; other < year{endYear}; ++other) {
    if (other.is_leap() == y.is_leap() && weekday{sys_days{other / 1 / 1}} == jan1)
      return std::int64_t((sys_days{y / 1 / 1} - sys_days{other / 1 / 1}).count()) * 86400;
  }
  return 0;  // unreachable: 28 years of one century hold all 14 calendars
}

// Whether a table's 28 years before `endYear` repeat the 28 before them, to the second: they do
// for tzdata's footer rules and a VTIMEZONE's yearly rules, not while explicit changes go on
// (Gaza's and Morocco's around Ramadan, listed through 2087).
bool lastYearsRepeat(std::span<const TimeZone::Change> changes, int endYear) {
  const std::int64_t from = yearStart(endYear - 56), middle = yearStart(endYear - 28),
                     end = yearStart(endYear);
  const std::int64_t shift = end - middle;  // == middle - from: same days in one century
  auto it = std::lower_bound(changes.begin(), changes.end(), from,
                             [](const TimeZone::Change& c, std::int64_t v) { return c.utc < v; });
  std::size_t earlier = 0, later = 0;
  for (auto c = it; c != changes.end() && c->utc < end; ++c) ++(c->utc < middle ? earlier : later);
  if (earlier != later) return false;
  for (std::size_t i = 0; i < later; ++i)
    if (it[i].utc + std::int64_t(shift) != it[later + i].utc ||
        it[i].offset != it[later + i].offset)
      return false;
  return true;
}

// The spelling of an IANA zone's TZif file name that `name` resolves to (tzdata's own case),
// and the file's bytes; nullopt when there is no such file.
std::optional<std::pair<std::string, std::string>> findTzif(std::string_view name) {
  const std::filesystem::path dir = zoneinfoDir();
  std::string file(name);
  std::optional<std::string> bytes = readSmallFile(dir / file);
  if (!bytes) {
    std::optional<std::string> found = findIgnoringCase(dir, name);
    if (!found) return std::nullopt;
    file = std::move(*found);
    bytes = readSmallFile(dir / file);
    if (!bytes) return std::nullopt;
  }
  return std::pair{std::move(file), std::move(*bytes)};
}

// The IANA zone `name` from its TZif file's bytes; nullptr when they are not valid.
std::unique_ptr<TimeZone> loadTzif(const std::string& name, const std::string& bytes) {
  int endYear = TimeZone::kTableEndYear;
  std::optional<std::vector<TimeZone::Change>> changes = readTzif(bytes, endYear);
  if (changes && !lastYearsRepeat(*changes, endYear)) {  // explicit changes into the 2080s
    endYear += 100;
    changes = readTzif(bytes, endYear);
  }
  if (!changes) return nullptr;
  return std::make_unique<TimeZone>(name, std::move(*changes), endYear);
}

bool utcAlias(std::string_view n) {
  return n == "UTC" || n == "Etc/UTC" || n == "Z" || n == "GMT" || n == "Etc/GMT" || n == "UCT" ||
         n == "Zulu" || n == "Etc/Zulu" || n == "Universal";
}

// locate()'s memory: each zone once, by the name it resolves to (there are as many as tzdata
// has files), and the spellings asked for, hits and misses, up to kSpellings of them: calendars
// spell one TZID in any case, and a feed of 5,000 casings must not keep 5,000 zones.
struct ZoneCache {
  static constexpr std::size_t kSpellings = 4096;
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<TimeZone>, std::less<>> zones;
  std::map<std::string, const TimeZone*, std::less<>> spellings;
  std::uint64_t loads = 0;

  static ZoneCache& get() {
    static ZoneCache cache;
    return cache;
  }
  const TimeZone* remember(std::string_view spelling, const TimeZone* zone) {
    if (spellings.size() < kSpellings) spellings.emplace(std::string(spelling), zone);
    return zone;
  }
};

}  // namespace

const TimeZone* TimeZone::locate(std::string_view name) {
  ZoneCache& cache = ZoneCache::get();
  std::lock_guard lock(cache.mutex);
  if (auto it = cache.spellings.find(name); it != cache.spellings.end()) return it->second;
  if (!safeZoneName(name)) return nullptr;
  std::string resolved = "UTC";
  std::optional<std::string> bytes;
  if (!utcAlias(name)) {
    auto found = findTzif(name);
    if (!found) return cache.remember(name, nullptr);
    resolved = std::move(found->first);
    bytes = std::move(found->second);
  }
  if (auto it = cache.zones.find(resolved); it != cache.zones.end())
    return cache.remember(name, it->second.get());
  std::unique_ptr<TimeZone> tz = bytes
                                     ? loadTzif(resolved, *bytes)
                                     : std::make_unique<TimeZone>(resolved, std::vector<Change>{});
  if (tz == nullptr) return cache.remember(name, nullptr);
  ++cache.loads;
  const TimeZone* zone = tz.get();
  cache.zones.emplace(std::move(resolved), std::move(tz));
  return cache.remember(name, zone);
}

TimeZone::LocateStats TimeZone::locateStats() {
  ZoneCache& cache = ZoneCache::get();
  std::lock_guard lock(cache.mutex);
  return {cache.zones.size(), cache.spellings.size(), cache.loads};
}

const TimeZone& TimeZone::utc() {
  static const TimeZone* z = locate("UTC");
  return *z;
}

std::shared_ptr<const TimeZone> TimeZone::fromVtimezone(std::string_view text,
                                                        std::string_view name) {
  const IcalLib& lib = ical();
  const std::string copy(text);
  IcalComponentPtr comp(lib.icalparser_parse_string(copy.c_str()));
  if (comp == nullptr || lib.icalcomponent_isa(comp.get()) != ICAL_VTIMEZONE_COMPONENT ||
      lib.icalcomponent_get_first_component(comp.get(), ICAL_ANY_COMPONENT) == nullptr)
    return nullptr;
  std::unique_ptr<void, IcalZoneFree> zone(lib.icaltimezone_new());
  if (zone == nullptr) return nullptr;
  // The zone takes the component only when it accepts it.
  if (lib.icaltimezone_set_component(zoneOf(zone.get()), comp.get()) == 0) return nullptr;
  (void)comp.release();
  // Expanded into our table, the zone needs libical no more (and is kept as the table alone).
  // A table beyond fromTable's bounds (an offset of 101 hours) is no zone: nullptr, as the
  // store image could not carry it (fuzz_ingest).
  if (auto changes = expandZone(lib.icaltimezone_get_component(zoneOf(zone.get())), kTableEndYear))
    return fromTable(std::string(name), std::move(*changes), kTableEndYear);
  return std::make_shared<const TimeZone>(std::string(name), zone.release());
}

std::shared_ptr<const TimeZone> TimeZone::fromTable(std::string name, std::vector<Change> changes,
                                                    int endYear) {
  if (changes.size() > kMaxTableChanges || endYear < 1 || endYear > 9999) return nullptr;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const Change& c = changes[i];
    if (std::abs(c.offset) > kMaxOffset || std::abs(c.prevOffset) > kMaxOffset ||
        std::abs(c.utc) > kMaxChangeUtc || (i > 0 && c.utc < changes[i - 1].utc))
      return nullptr;
  }
  return std::make_shared<const TimeZone>(std::move(name), std::move(changes), endYear);
}

// Where in the table a time `v` reads (ics/time.hpp): past the table, the same moment of a year
// of the same calendar when its last years repeat, else the time after its last change.
std::int64_t TimeZone::inTable(std::int64_t v) const {
  const std::int64_t end = yearStart(tableEndYear_);
  if (v < end) return v;
  if (lastYearsRepeat(changes_, tableEndYear_)) return v - backToTable(v, tableEndYear_);
  return std::max(end - 86400, changes_.empty() ? 0 : changes_.back().utc + 86400);
}

LocalSeconds TimeZone::toLocal(Instant t) const {
  if (utc_) return LocalSeconds{t.time_since_epoch()};
  const std::int64_t v = t.time_since_epoch().count();
  if (table_) return LocalSeconds{seconds{v + offsetAtUtc(inTable(v))}};
  // A VTIMEZONE we could not expand: libical's offsets, asked with civil times (no time_t).
  icaltimetype tt = toIcal(LocalSeconds{seconds{v}}, false);
  int daylight = 0;
  return LocalSeconds{
      seconds{v + ical().icaltimezone_get_utc_offset_of_utc_time(zoneOf(zone_), &tt, &daylight)}};
}

Instant TimeZone::toInstant(LocalSeconds local) const {
  if (utc_) return Instant{local.time_since_epoch()};
  const std::int64_t v = local.time_since_epoch().count();
  if (table_) return Instant{seconds{v - offsetOfLocal(inTable(v))}};
  icaltimetype tt = toIcal(local, false);
  int daylight = 0;
  const Instant theirs{
      seconds{v - ical().icaltimezone_get_utc_offset(zoneOf(zone_), &tt, &daylight)}};
  // libical answers with the later instant in an overlap and the offset after a gap;
  // offsetOfLocal()'s RFC 5545 3.3.5 reading asks for the offset before the change (a day
  // earlier: no zone changes twice in a day) wherever that reading is earlier.
  const Instant dayBefore = theirs - days{1};
  const std::int64_t before =
      (toLocal(dayBefore).time_since_epoch() - dayBefore.time_since_epoch()).count();
  const Instant first{seconds{v - before}};
  const bool theirsExists = toLocal(theirs) == local;
  if (first < theirs ? toLocal(first) == local || !theirsExists : !theirsExists) return first;
  return theirs;
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
