// ics: our offset-change tables against references: glibc's localtime for tzdata's zones, for
// POSIX TZ rules and for broken TZif files; libical for VTIMEZONEs (Outlook's, rule shapes our
// RRULE iterator expands and, when present, every VTIMEZONE of the corpus).
#include <libical/ical.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine_support.hpp"
#include "ics/store.hpp"
#include "ics/time.hpp"
#include "ics/tzif.hpp"
#include "support.hpp"

using namespace cb::ics;
using namespace std::chrono;

namespace {

// 1902..2099: where libical's own time_t conversions are defined; with a 32-bit time_t (armhf)
// they end in 2038.
constexpr std::int64_t kFirst = -2145916800;  // 1902-01-01Z
constexpr std::int64_t kLast =
    sizeof(time_t) < 8 ? 2145916800 : 4102444800;  // 2038-01-01Z, 2100-01-01Z
// glibc answers for any 64-bit time_t: 1900..2100, tzdata's range and more.
constexpr std::int64_t kGlibcFirst = -2208988800;  // 1900-01-01Z
constexpr std::int64_t kGlibcLast = 4102444800;    // 2100-01-01Z

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Sets an environment variable (TZ, TZDIR) for one scope and has glibc read it again.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
    tzset();
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
    tzset();
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A directory of our own for TZif files (TZDIR), removed at the end.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cb-tzif-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  void write(const std::string& name, const std::string& bytes) const {
    std::filesystem::create_directories((path / name).parent_path());
    std::ofstream(path / name, std::ios::binary) << bytes;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// glibc's UTC offset at t for the zone TZ names (tzset() after setting it: localtime_r() does
// not look at TZ again).
long glibcOffset(std::int64_t t) {
  const time_t tt = time_t(t);
  struct tm tm {};
  if (localtime_r(&tt, &tm) == nullptr) return -1;
  return tm.tm_gmtoff;
}

std::int64_t ourOffset(const TimeZone& z, std::int64_t t) {
  return z.toLocal(Instant{seconds{t}}).time_since_epoch().count() - t;
}

// A wall-clock time two instants share: the clocks went back over it.
bool inOverlap(const TimeZone& z, std::int64_t local) {
  const auto changes = z.changes();
  auto it = std::lower_bound(changes.begin(), changes.end(), local - 2 * 86400,
                             [](const TimeZone::Change& c, std::int64_t v) { return c.utc < v; });
  for (; it != changes.end() && it->utc <= local + 2 * 86400; ++it)
    if (it->offset < it->prevOffset && local >= it->utc + it->offset &&
        local < it->utc + it->prevOffset)
      return true;
  return false;
}

// When `local` is a wall-clock time that a change repeats (an overlap) or skips (a gap): the
// offset before that change, which RFC 5545 3.3.5 uses for both.
std::optional<std::int32_t> offsetBeforeTransition(const TimeZone& z, std::int64_t local) {
  const auto changes = z.changes();
  auto it = std::lower_bound(changes.begin(), changes.end(), local - 2 * 86400,
                             [](const TimeZone::Change& c, std::int64_t v) { return c.utc < v; });
  for (; it != changes.end() && it->utc <= local + 2 * 86400; ++it) {
    const TimeZone::Change& c = *it;
    const std::int64_t from = c.utc + std::min(c.offset, c.prevOffset);
    const std::int64_t to = c.utc + std::max(c.offset, c.prevOffset);
    if (local >= from && local < to) return c.prevOffset;
  }
  return std::nullopt;
}

// toLocal() against glibc for the zone TZ names, 1900..2100: at every change of glibc's (found
// on a weekly walk, then to the second) and of ours, a second and an hour either side, and at
// random instants; and toInstant(toLocal(t)) == t wherever t's wall-clock time is not in an
// overlap. Returns the number of disagreements (and reports the first few). `except`: one
// instant glibc is known to answer differently.
int compareWithGlibc(const TimeZone& ours, std::mt19937_64& rng,
                     std::optional<std::int64_t> except = std::nullopt) {
  std::vector<std::int64_t> ts;
  auto around = [&](std::int64_t t) {
    for (std::int64_t d : {-3601, -3600, -1, 0, 1, 3599, 3600}) ts.push_back(t + d);
  };
  constexpr std::int64_t kWeek = 7 * 86400;
  std::int64_t before = kGlibcFirst;
  long beforeOffset = glibcOffset(before);
  for (std::int64_t t = kGlibcFirst + kWeek; t < kGlibcLast; t += kWeek) {
    const long offset = glibcOffset(t);
    if (offset != beforeOffset) {
      std::int64_t lo = before, hi = t;  // the change is in (lo, hi]
      while (hi - lo > 1) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        (glibcOffset(mid) == beforeOffset ? lo : hi) = mid;
      }
      around(hi);
    }
    ts.push_back(t);
    before = t;
    beforeOffset = offset;
  }
  for (const TimeZone::Change& c : ours.changes())
    if (c.utc > kGlibcFirst && c.utc < kGlibcLast) around(c.utc);
  std::uniform_int_distribution<std::int64_t> any(kGlibcFirst, kGlibcLast - 1);
  for (int i = 0; i < 200; ++i) ts.push_back(any(rng));
  int bad = 0;
  for (std::int64_t t : ts) {
    if (t < kGlibcFirst || t >= kGlibcLast || t == except) continue;
    const long want = glibcOffset(t);
    const std::int64_t local = t + ourOffset(ours, t);
    if (local - t != want && ++bad <= 3)
      UNSCOPED_INFO(ours.name() << ": toLocal(" << formatUtc(Instant{seconds{t}}) << ") glibc "
                                << want << " s, ours " << local - t << " s");
    if (inOverlap(ours, local)) continue;
    const std::int64_t back =
        ours.toInstant(LocalSeconds{seconds{local}}).time_since_epoch().count();
    if (back != t && ++bad <= 6)
      UNSCOPED_INFO(ours.name() << ": toInstant(toLocal(" << formatUtc(Instant{seconds{t}})
                                << ")) is " << formatUtc(Instant{seconds{back}}));
  }
  return bad;
}

// The zones tzdata lists (zone1970.tab, zone.tab), some links and fixed-offset zones.
std::vector<std::string> tzdataZones() {
  std::set<std::string> names{
      "US/Eastern", "US/Pacific", "Europe/Kiev", "Asia/Calcutta", "Asia/Saigon",
      "Eire",       "EST5EDT",    "CET",         "WET",           "Etc/GMT+5",
      "Etc/GMT-14", "Etc/GMT+12", "Etc/GMT0",    "Greenwich",     "America/Buenos_Aires"};
  for (const char* tab : {"/usr/share/zoneinfo/zone1970.tab", "/usr/share/zoneinfo/zone.tab"})
    cb::test::readZoneTab(tab, names);
  return {names.begin(), names.end()};
}

// A TZif file (RFC 8536): a version 1 block with the transitions that fit 32 bits, then for
// version 2+ the 64-bit block and "\n<footer>\n".
struct TzifSpec {
  char version = '2';
  std::vector<std::int64_t> times;
  std::vector<std::uint8_t> typeOf;
  std::vector<std::pair<std::int32_t, bool>> types{{0, false}};  // (offset, isdst)
  std::string footer;
};

void put(std::string& out, std::uint64_t v, int size) {
  for (int i = size - 1; i >= 0; --i) out += char((v >> (8 * i)) & 0xff);
}

std::string tzif(const TzifSpec& spec) {
  const std::string designations = "ZZZ";  // one, with its NUL
  auto block = [&](int timeSize) {
    std::vector<std::size_t> keep;
    for (std::size_t i = 0; i < spec.times.size(); ++i)
      if (timeSize == 8 || (spec.times[i] >= INT32_MIN && spec.times[i] <= INT32_MAX))
        keep.push_back(i);
    std::string out = "TZif";
    out += spec.version;
    out += std::string(15, '\0');
    for (std::size_t count : {std::size_t(0), std::size_t(0), std::size_t(0), keep.size(),
                              spec.types.size(), designations.size() + 1})
      put(out, count, 4);
    for (std::size_t i : keep) put(out, std::uint64_t(spec.times[i]), timeSize);
    for (std::size_t i : keep) put(out, spec.typeOf[i], 1);
    for (const auto& [offset, dst] : spec.types) {
      put(out, std::uint32_t(offset), 4);
      put(out, dst ? 1 : 0, 1);
      put(out, 0, 1);
    }
    out += designations;
    out += '\0';
    return out;
  };
  std::string out = block(4);
  if (spec.version != '\0') out += block(8) + "\n" + spec.footer + "\n";
  return out;
}

std::string allChanges(const TimeZone& z) {
  std::ostringstream out;
  for (const TimeZone::Change& c : z.changes())
    out << c.utc << ' ' << c.offset << ' ' << c.prevOffset << ' ' << c.daylight << '\n';
  return out.str();
}

std::int64_t libicalToInstant(icaltimezone* zone, std::int64_t local) {
  const auto days = floor<std::chrono::days>(LocalSeconds{seconds{local}});
  const year_month_day ymd{days};
  const hh_mm_ss hms{LocalSeconds{seconds{local}} - days};
  icaltimetype tt = icaltime_null_time();
  tt.year = int(ymd.year());
  tt.month = int(unsigned(ymd.month()));
  tt.day = int(unsigned(ymd.day()));
  tt.hour = int(hms.hours().count());
  tt.minute = int(hms.minutes().count());
  tt.second = int(hms.seconds().count());
  tt.zone = zone;
  return std::int64_t(icaltime_as_timet_with_zone(tt, zone));
}

std::int64_t libicalToLocal(icaltimezone* zone, std::int64_t utc) {
  const icaltimetype tt = icaltime_from_timet_with_zone(time_t(utc), 0, zone);
  const auto days = local_days{year{tt.year} / tt.month / tt.day};
  return (days + hours{tt.hour} + minutes{tt.minute} + seconds{tt.second})
      .time_since_epoch()
      .count();
}

// Compares both directions at every change (and around it: gaps, overlaps, their edges)
// and at random instants. Returns the number of disagreements (and reports the first few).
int compare(const TimeZone& ours, icaltimezone* theirs, std::mt19937_64& rng) {
  std::vector<std::int64_t> utcs;
  std::vector<std::int64_t> locals;
  for (const TimeZone::Change& c : ours.changes()) {
    if (c.utc < kFirst + 86400 || c.utc > kLast - 86400) continue;
    for (std::int64_t d : {-7200, -3601, -3600, -1800, -1, 0, 1, 1800, 3599, 3600, 7200}) {
      utcs.push_back(c.utc + d);
      locals.push_back(c.utc + c.prevOffset + d);
      locals.push_back(c.utc + c.offset + d);
    }
  }
  std::uniform_int_distribution<std::int64_t> any(kFirst + 86400, kLast - 86400);
  for (int i = 0; i < 300; ++i) {
    utcs.push_back(any(rng));
    locals.push_back(any(rng));
  }
  int bad = 0;
  for (std::int64_t t : utcs) {
    const std::int64_t want = libicalToLocal(theirs, t);
    const std::int64_t got = ours.toLocal(Instant{seconds{t}}).time_since_epoch().count();
    if (want != got && ++bad <= 3)
      UNSCOPED_INFO(ours.name() << ": toLocal(" << formatUtc(Instant{seconds{t}}) << ") libical "
                                << want - t << " s, ours " << got - t << " s");
  }
  for (std::int64_t l : locals) {
    // libical takes the later instant for a wall-clock time in an overlap and the offset after
    // a gap; RFC 5545 3.3.5 wants the first occurrence, and the offset before the gap: there
    // (and only there) the reference is the offset before the change.
    const std::optional<std::int32_t> rfc = offsetBeforeTransition(ours, l);
    const std::int64_t want = rfc ? l - *rfc : libicalToInstant(theirs, l);
    const std::int64_t got = ours.toInstant(LocalSeconds{seconds{l}}).time_since_epoch().count();
    if (want != got && ++bad <= 6)
      UNSCOPED_INFO(ours.name() << ": toInstant(local " << formatUtc(Instant{seconds{l}})
                                << ") libical offset " << l - want << " s, ours " << l - got
                                << " s");
  }
  return bad;
}

// A separate libical zone from the same VTIMEZONE text: the reference never shares state
// with the zone under test.
struct LibicalZone {
  icaltimezone* zone = nullptr;
  explicit LibicalZone(const std::string& text) {
    icalcomponent* comp = icalparser_parse_string(text.c_str());
    if (comp == nullptr) return;
    zone = icaltimezone_new();
    if (icaltimezone_set_component(zone, comp) == 0) {
      icalcomponent_free(comp);
      icaltimezone_free(zone, 1);
      zone = nullptr;
    }
  }
  ~LibicalZone() {
    if (zone != nullptr) icaltimezone_free(zone, 1);
  }
  LibicalZone(const LibicalZone&) = delete;
  LibicalZone& operator=(const LibicalZone&) = delete;
};

const char* const kOutlookZones[] = {
    // Europe, 1601 rules as Outlook writes them.
    "BEGIN:VTIMEZONE\nTZID:W. Europe Standard Time\nBEGIN:STANDARD\nDTSTART:16010101T030000\n"
    "TZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\n"
    "END:STANDARD\nBEGIN:DAYLIGHT\nDTSTART:16010101T020000\nTZOFFSETFROM:+0100\n"
    "TZOFFSETTO:+0200\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\nEND:DAYLIGHT\n"
    "END:VTIMEZONE\n",
    // Southern hemisphere: daylight time spans the new year.
    "BEGIN:VTIMEZONE\nTZID:AUS Eastern Standard Time\nBEGIN:STANDARD\nDTSTART:16010101T030000\n"
    "TZOFFSETFROM:+1100\nTZOFFSETTO:+1000\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=4\n"
    "END:STANDARD\nBEGIN:DAYLIGHT\nDTSTART:16010101T020000\nTZOFFSETFROM:+1000\n"
    "TZOFFSETTO:+1100\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=10\nEND:DAYLIGHT\n"
    "END:VTIMEZONE\n",
    // US rules changed in 2007: UNTIL in UTC, then a second pair; a 2nd and a 1st Sunday.
    "BEGIN:VTIMEZONE\nTZID:US/Eastern\nBEGIN:DAYLIGHT\nDTSTART:19870405T020000\n"
    "TZOFFSETFROM:-0500\nTZOFFSETTO:-0400\nRRULE:FREQ=YEARLY;UNTIL=20060402T070000Z;BYDAY=1SU;"
    "BYMONTH=4\nEND:DAYLIGHT\nBEGIN:STANDARD\nDTSTART:19671029T020000\nTZOFFSETFROM:-0400\n"
    "TZOFFSETTO:-0500\nRRULE:FREQ=YEARLY;UNTIL=20061029T060000Z;BYDAY=-1SU;BYMONTH=10\n"
    "END:STANDARD\nBEGIN:DAYLIGHT\nDTSTART:20070311T020000\nTZOFFSETFROM:-0500\n"
    "TZOFFSETTO:-0400\nRRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\nEND:DAYLIGHT\nBEGIN:STANDARD\n"
    "DTSTART:20071104T020000\nTZOFFSETFROM:-0400\nTZOFFSETTO:-0500\n"
    "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\nEND:STANDARD\nEND:VTIMEZONE\n",
    // RDATE lists (DATE-TIME and DATE), no RRULE, a missing TZOFFSETFROM, a 5th Sunday.
    "BEGIN:VTIMEZONE\nTZID:Odd\nBEGIN:DAYLIGHT\nDTSTART:19960331T020000\nTZOFFSETFROM:+0100\n"
    "TZOFFSETTO:+0200\nRDATE:19970330T020000,19980329T020000\nRDATE;VALUE=DATE:19990328\n"
    "END:DAYLIGHT\nBEGIN:STANDARD\nDTSTART:19961027T030000\nTZOFFSETFROM:+0200\n"
    "TZOFFSETTO:+0100\nRRULE:FREQ=YEARLY;BYDAY=5SU;BYMONTH=10\nEND:STANDARD\n"
    "BEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n",
    // A rule outside the simple form (BYMONTHDAY + BYDAY, "Sun>=8"): our iterator expands it.
    "BEGIN:VTIMEZONE\nTZID:Sun>=8\nBEGIN:DAYLIGHT\nDTSTART:19900311T020000\nTZOFFSETFROM:-0800\n"
    "TZOFFSETTO:-0700\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=SU;BYMONTHDAY=8,9,10,11,12,13,14\n"
    "END:DAYLIGHT\nBEGIN:STANDARD\nDTSTART:19901104T020000\nTZOFFSETFROM:-0700\n"
    "TZOFFSETTO:-0800\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\nEND:STANDARD\nEND:VTIMEZONE\n",
};

// Observance rules outside the simple yearly form that our RRULE iterator expands (libical's
// iterator did): COUNT with DTSTART an instance and not one (libical counts it only then), a
// fixed date with a DATE UNTIL (libical stops before that day's instance), INTERVAL=2, the
// DTSTART's date every year, MONTHLY every 12 months; and a simple rule ending on a DATE UNTIL
// whose day has an instance at midnight.
const char* const kIteratorZones[] = {
    "BEGIN:VTIMEZONE\nTZID:Count\nBEGIN:DAYLIGHT\nDTSTART:19960331T020000\nTZOFFSETFROM:+0100\n"
    "TZOFFSETTO:+0200\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;COUNT=10\nEND:DAYLIGHT\n"
    "BEGIN:STANDARD\nDTSTART:19961027T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;COUNT=10\nEND:STANDARD\nEND:VTIMEZONE\n",
    "BEGIN:VTIMEZONE\nTZID:Count, DTSTART no instance\nBEGIN:DAYLIGHT\nDTSTART:19900101T020000\n"
    "TZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;COUNT=12\n"
    "END:DAYLIGHT\nBEGIN:STANDARD\nDTSTART:19900101T030000\nTZOFFSETFROM:+0200\n"
    "TZOFFSETTO:+0100\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;COUNT=12\nEND:STANDARD\n"
    "END:VTIMEZONE\n",
    "BEGIN:VTIMEZONE\nTZID:Fixed date\nBEGIN:DAYLIGHT\nDTSTART:19910322T000000\n"
    "TZOFFSETFROM:+0330\nTZOFFSETTO:+0430\nRRULE:FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=22;"
    "UNTIL=20050322\nEND:DAYLIGHT\nBEGIN:STANDARD\nDTSTART:19910922T000000\n"
    "TZOFFSETFROM:+0430\nTZOFFSETTO:+0330\nRRULE:FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=22;"
    "UNTIL=20050922\nEND:STANDARD\nEND:VTIMEZONE\n",
    "BEGIN:VTIMEZONE\nTZID:Every other year\nBEGIN:DAYLIGHT\nDTSTART:19900401T020000\n"
    "TZOFFSETFROM:-0500\nTZOFFSETTO:-0400\nRRULE:FREQ=YEARLY;INTERVAL=2;BYMONTH=4;BYDAY=1SU\n"
    "END:DAYLIGHT\nBEGIN:STANDARD\nDTSTART:19901007T020000\nTZOFFSETFROM:-0400\n"
    "TZOFFSETTO:-0500\nRRULE:FREQ=YEARLY;INTERVAL=2;BYMONTH=10;BYDAY=1SU\nEND:STANDARD\n"
    "END:VTIMEZONE\n",
    "BEGIN:VTIMEZONE\nTZID:Same date\nBEGIN:DAYLIGHT\nDTSTART:19800406T020000\n"
    "TZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nRRULE:FREQ=YEARLY\nEND:DAYLIGHT\nBEGIN:STANDARD\n"
    "DTSTART:19800928T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nRRULE:FREQ=YEARLY\n"
    "END:STANDARD\nEND:VTIMEZONE\n",
    "BEGIN:VTIMEZONE\nTZID:Monthly\nBEGIN:DAYLIGHT\nDTSTART:19960331T020000\n"
    "TZOFFSETFROM:+1000\nTZOFFSETTO:+1100\nRRULE:FREQ=MONTHLY;INTERVAL=12;BYDAY=-1SU\n"
    "END:DAYLIGHT\nBEGIN:STANDARD\nDTSTART:19961027T030000\nTZOFFSETFROM:+1100\n"
    "TZOFFSETTO:+1000\nRRULE:FREQ=MONTHLY;INTERVAL=12;BYDAY=-1SU\nEND:STANDARD\n"
    "END:VTIMEZONE\n",
    "BEGIN:VTIMEZONE\nTZID:Midnight DATE UNTIL\nBEGIN:DAYLIGHT\nDTSTART:19960331T000000\n"
    "TZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;"
    "UNTIL=20000326\nEND:DAYLIGHT\nBEGIN:STANDARD\nDTSTART:19961027T030000\n"
    "TZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\n"
    "END:STANDARD\nEND:VTIMEZONE\n",
};

}  // namespace

TEST_CASE("tzdata zones: the table agrees with glibc's localtime, 1900 to 2100", "[ics][zones]") {
  if (sizeof(time_t) < 8) return;  // glibc cannot answer past 2038 here
  std::mt19937_64 rng(7);
  std::size_t zones = 0;
  int bad = 0;
  for (const std::string& name : tzdataZones()) {
    const TimeZone* ours = TimeZone::locate(name);
    INFO(name);
    REQUIRE(ours != nullptr);
    CHECK((ours->hasTable() || ours->isUtc()));
    const ScopedEnv tz("TZ", ":" + name);
    ++zones;
    bad += compareWithGlibc(*ours, rng);
  }
  INFO(zones << " zones");
  CHECK(bad == 0);
  CHECK(zones > 400);
}

TEST_CASE("a wall-clock time that occurs twice or never reads as RFC 5545 3.3.5 says",
          "[ics][zones]") {
  // "the DATE-TIME value refers to the first occurrence of the referenced time" (overlap);
  // "interpreted using the UTC offset before the gap" (gap). libical answers the later
  // instant in the overlap and the offset after the gap.
  auto utcOf = [](const char* zone, const char* local) {
    const TimeZone* z = TimeZone::locate(zone);
    REQUIRE(z != nullptr);
    const auto t = parseIsoInstant(local, *z);
    REQUIRE(t);
    return formatUtc(*t);
  };
  // Berlin, autumn 2025: 02:00-03:00 happens in CEST, then in CET.
  CHECK(utcOf("Europe/Berlin", "2025-10-26T01:59:59") == "2025-10-25T23:59:59Z");
  CHECK(utcOf("Europe/Berlin", "2025-10-26T02:00:00") == "2025-10-26T00:00:00Z");
  CHECK(utcOf("Europe/Berlin", "2025-10-26T02:30:00") == "2025-10-26T00:30:00Z");
  CHECK(utcOf("Europe/Berlin", "2025-10-26T02:59:59") == "2025-10-26T00:59:59Z");
  CHECK(utcOf("Europe/Berlin", "2025-10-26T03:00:00") == "2025-10-26T02:00:00Z");
  // Berlin, spring 2025: 02:00-03:00 never happens; read with CET.
  CHECK(utcOf("Europe/Berlin", "2025-03-30T01:59:59") == "2025-03-30T00:59:59Z");
  CHECK(utcOf("Europe/Berlin", "2025-03-30T02:30:00") == "2025-03-30T01:30:00Z");
  CHECK(utcOf("Europe/Berlin", "2025-03-30T03:00:00") == "2025-03-30T01:00:00Z");
  // The RFC's own example: 02:30 on 2007-03-11 in New York is 03:30 EDT (07:30Z); and 01:30
  // on 2007-11-04 is its first, daylight-time occurrence.
  CHECK(utcOf("America/New_York", "2007-03-11T02:30:00") == "2007-03-11T07:30:00Z");
  CHECK(utcOf("America/New_York", "2007-11-04T01:30:00") == "2007-11-04T05:30:00Z");
  // Past the table (2100) libical answers; the same reading holds there.
  CHECK(utcOf("Europe/Berlin", "2150-10-25T02:30:00") == "2150-10-25T00:30:00Z");
  CHECK(utcOf("Europe/Berlin", "2150-10-25T03:30:00") == "2150-10-25T02:30:00Z");
  CHECK(utcOf("Europe/Berlin", "2150-03-29T02:30:00") == "2150-03-29T01:30:00Z");
  CHECK(utcOf("Europe/Berlin", "2150-03-29T12:00:00") == "2150-03-29T10:00:00Z");
  CHECK(utcOf("Europe/Berlin", "2150-10-25T12:00:00") == "2150-10-25T11:00:00Z");
  // Lord Howe's half-hour change and a southern-hemisphere overlap (Sydney, April).
  CHECK(utcOf("Australia/Lord_Howe", "2025-04-06T01:45:00") == "2025-04-05T14:45:00Z");
  CHECK(utcOf("Australia/Sydney", "2025-04-06T02:30:00") == "2025-04-05T15:30:00Z");
}

// Past the table our offsets come from the table's last 28 years (ics/time.hpp); glibc applies
// the TZif footer's rule to the year itself: they must agree, to the second around each change.
TEST_CASE("tzdata zones past the table agree with glibc's localtime, 2100 to 2600",
          "[ics][zones]") {
  if (sizeof(time_t) < 8) return;  // glibc cannot answer past 2038 here
  std::mt19937_64 rng(2100);
  constexpr std::int64_t kFrom = 4102444800, kTo = 19880899200;  // 2100-01-01Z .. 2600-01-01Z
  std::uniform_int_distribution<std::int64_t> when(kFrom, kTo);
  std::size_t zones = 0, samples = 0;
  int bad = 0;
  for (const std::string& name : tzdataZones()) {
    const TimeZone* ours = TimeZone::locate(name);
    REQUIRE(ours != nullptr);
    const ScopedEnv tz("TZ", ":" + name);
    ++zones;
    for (int i = 0; i < 40; ++i) {
      std::int64_t t = when(rng);
      // Every other sample just after a change of glibc's within a week of t.
      if (i % 2 && glibcOffset(t) != glibcOffset(t + 7 * 86400)) {
        std::int64_t lo = t, hi = t + 7 * 86400;
        while (hi - lo > 1) {
          const std::int64_t mid = lo + (hi - lo) / 2;
          (glibcOffset(mid) == glibcOffset(lo) ? lo : hi) = mid;
        }
        t = hi;
      }
      for (std::int64_t d : {std::int64_t(-1), std::int64_t(0)}) {
        ++samples;
        if (ourOffset(*ours, t + d) != glibcOffset(t + d) && ++bad <= 5)
          FAIL_CHECK(name << " at " << t + d << ": ours " << ourOffset(*ours, t + d) << ", glibc "
                          << glibcOffset(t + d));
      }
    }
  }
  INFO(zones << " zones, " << samples << " instants");
  CHECK(bad == 0);
  CHECK(zones > 400);
}

TEST_CASE("zone names in any case find the same TZif file", "[ics][zones]") {
  for (const auto& [spelled, name] :
       {std::pair{"europe/LISBON", "Europe/Lisbon"},
        std::pair{"America/new_york", "America/New_York"}, std::pair{"us/eastern", "US/Eastern"},
        std::pair{"ETC/gmt+5", "Etc/GMT+5"}}) {
    const TimeZone* a = TimeZone::locate(spelled);
    const TimeZone* b = TimeZone::locate(name);
    INFO(spelled);
    REQUIRE(a != nullptr);
    REQUIRE(b != nullptr);
    CHECK(allChanges(*a) == allChanges(*b));
  }
  CHECK(TimeZone::locate("Europe/Lisbonne") == nullptr);
  CHECK(TimeZone::locate("Europe") == nullptr);    // a directory
  CHECK(TimeZone::locate("zone.tab") == nullptr);  // not a TZif file
}

TEST_CASE("5,000 casings of one TZID load one zone; the spellings kept are bounded",
          "[ics][zones]") {
  const std::string name = "America/Argentina/Buenos_Aires";
  auto casing = [&](unsigned i) {
    std::string s = name;
    unsigned bit = 0;
    for (char& c : s)
      if (std::isalpha(static_cast<unsigned char>(c)) && ((i >> (bit++ % 24)) & 1) != 0)
        c = char(std::isupper(static_cast<unsigned char>(c)) ? std::tolower(c) : std::toupper(c));
    return s;
  };
  (void)TimeZone::utc();  // the display zone: loaded before counting
  const TimeZone::LocateStats before = TimeZone::locateStats();
  std::string body;
  for (unsigned i = 0; i < 5000; ++i)
    body += "BEGIN:VEVENT\r\nUID:z" + std::to_string(i) + "\r\nDTSTART;TZID=" + casing(i) +
            ":20250310T090000\r\nDTEND;TZID=" + casing(i) +
            ":20250310T100000\r\nSUMMARY:z\r\nEND:VEVENT\r\n";
  const EventStore& store = cb::test::ingestCalendar(body, "UTC", {});
  const auto occ = store.occurrences(cb::test::utc(2025, 3, 1), cb::test::utc(2025, 4, 1));
  REQUIRE(occ.size() == 5000);
  for (const Occurrence& o : occ) CHECK(o.start == cb::test::utc(2025, 3, 10, 12));
  const TimeZone::LocateStats after = TimeZone::locateStats();
  CHECK(after.zones <= before.zones + 1);  // one zone, whatever the spelling
  CHECK(after.loads <= before.loads + 1);
  CHECK(after.spellings <= 4096);  // and a bounded list of spellings
  const TimeZone* zone = TimeZone::locate(name);
  REQUIRE(zone != nullptr);
  CHECK(zone->name() == name);
  for (unsigned i : {1u, 77u, 4999u, 123456u}) CHECK(TimeZone::locate(casing(i)) == zone);
  CHECK(TimeZone::locateStats().loads <= before.loads + 1);
}

TEST_CASE("zone names never lead out of the zoneinfo directory", "[ics][zones]") {
  const TempDir dir;
  const std::string paris = readFile("/usr/share/zoneinfo/Europe/Paris");
  const std::string longName = "Long/" + std::string(60, 'x');  // 65 characters
  dir.write("Long/x", paris);
  dir.write(longName, paris);
  const ScopedEnv tzdir("TZDIR", dir.path.string());
  REQUIRE(TimeZone::locate("Long/x") != nullptr);
  // Each of these names a TZif file, each is refused.
  for (const std::string& name :
       std::vector<std::string>{"../" + dir.path.filename().string() + "/Long/x", "Long/../Long/x",
                                "/usr/share/zoneinfo/Europe/Paris", "Long/./x", "./Long/x",
                                "Long//x", std::string("Long/x\0.ics", 11), longName}) {
    INFO(name);
    CHECK(TimeZone::locate(name) == nullptr);
  }
}

TEST_CASE("POSIX TZ rules of TZif footers agree with glibc", "[ics][zones]") {
  if (sizeof(time_t) < 8) return;
  const TempDir dir;
  const ScopedEnv tzdir("TZDIR", dir.path.string());
  std::mt19937_64 rng(17);
  // One transition, in 1970 to the standard time, the footer's rule from then on: glibc
  // computes a rule's changes wrongly before 1970 (compute_change() starts every earlier year
  // at the epoch), and real zones' footers only start after their transitions of 2007 or later.
  const std::pair<const char*, std::int32_t> footers[] = {
      {"CET-1CEST,M3.5.0,M10.5.0/3", 3600},
      {"<+03>-3", 10800},
      {"<-0330>3:30", -12600},
      {"EST5EDT,M3.2.0,M11.1.0", -18000},
      {"AEST-10AEDT,M10.1.0,M4.1.0/3", 36000},      // southern hemisphere
      {"IST-1GMT0,M10.5.0,M3.5.0/1", 3600},         // negative DST (Europe/Dublin)
      {"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", -7200},   // a negative hour (America/Nuuk)
      {"IST-2IDT,M3.4.4/26,M10.5.0", 7200},         // past 24 h (Asia/Jerusalem)
      {"<-04>4<-03>,M9.1.6/24,M4.1.6/24", -14400},  // 24 h (America/Santiago)
      {"XXX3YYY,M3.2.0/-167,M11.1.0/167", -10800},  // the extremes of RFC 8536
      {"EST5EDT,J60/2,J300/2", -18000},             // Jn: March 1 even in leap years
      {"EST5EDT,59/2,300/2", -18000},               // n: Feb 29 in leap years
      {"ABC-5:30:15DEF-6:45,M4.1.0/1:30,M9.5.0/2:15:30", 19815},
      {"<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45", 45900},  // Pacific/Chatham
  };
  int i = 0;
  for (const auto& [footer, standard] : footers) {
    const std::string name = "Posix/Rule" + std::to_string(i++);
    TzifSpec spec;
    spec.times = {0};
    spec.typeOf = {0};
    spec.types = {{standard, false}};
    spec.footer = footer;
    dir.write(name, tzif(spec));
    const TimeZone* ours = TimeZone::locate(name);
    INFO(footer);
    REQUIRE(ours != nullptr);
    const ScopedEnv tz("TZ", ":" + name);
    REQUIRE(glibcOffset(-1000000000) == standard);  // glibc read our file, not UTC's fallback
    // At the last transition's own second glibc already applies the rule where the file's
    // type differs from it (southern rules in January); RFC 8536 and Python's zoneinfo (the
    // oracle) apply it only after that second, as we do.
    CHECK(compareWithGlibc(*ours, rng, 0) == 0);
    CHECK(ourOffset(*ours, 0) == standard);
  }
}

TEST_CASE("TZif footers: DST all year, no transitions, a version 1 file", "[ics][zones]") {
  const TempDir dir;
  const ScopedEnv tzdir("TZDIR", dir.path.string());
  // RFC 8536 3.3.1: DST from Jan 1 00:00 to Dec 31 24:00 + 1 h is DST all year (glibc
  // interrupts it for the hour after midnight UTC on New Year's Day).
  TzifSpec allYear;
  allYear.times = {-5364662400};
  allYear.typeOf = {0};
  allYear.types = {{-18000, false}};
  allYear.footer = "EST5EDT4,0/0,J365/25";
  dir.write("Footer/AllYear", tzif(allYear));
  const TimeZone* z = TimeZone::locate("Footer/AllYear");
  REQUIRE(z != nullptr);
  // To DST once (and out of it past the years generated), not out and in every New Year.
  CHECK(z->changes().size() <= 2);
  for (int y = 1950; y <= 2099; ++y)
    for (std::int64_t t :
         {std::int64_t(sys_days{year{y} / 1 / 1}.time_since_epoch().count()) * 86400,
          std::int64_t(sys_days{year{y} / 7 / 1}.time_since_epoch().count()) * 86400})
      for (std::int64_t d : {-1, 0, 1, 3600, 5 * 3600}) CHECK(ourOffset(*z, t + d) == -14400);

  // No transitions: the footer rules every year (RFC 8536 3.2), before 1900 too.
  TzifSpec ruleOnly;
  ruleOnly.footer = "CET-1CEST,M3.5.0,M10.5.0/3";
  dir.write("Footer/RuleOnly", tzif(ruleOnly));
  const TimeZone* r = TimeZone::locate("Footer/RuleOnly");
  REQUIRE(r != nullptr);
  for (int y : {1700, 1850, 2020, 2100}) {
    const auto at = [&](unsigned m) {
      return ourOffset(*r,
                       std::int64_t(sys_days{year{y} / m / 15}.time_since_epoch().count()) * 86400);
    };
    CHECK(at(1) == 3600);
    CHECK(at(7) == 7200);
    CHECK(at(12) == 3600);
  }

  // Version 1 (no 64-bit block, no footer): tzdata's own 32-bit data of Europe/Berlin, which
  // ends in 2037; glibc reads it too.
  if (sizeof(time_t) < 8) return;
  const std::string berlin = readFile("/usr/share/zoneinfo/Europe/Berlin");
  REQUIRE(berlin.size() > 44);
  std::string v1 = berlin;
  v1[4] = '\0';
  std::uint32_t counts[6];
  for (int k = 0; k < 6; ++k) {
    counts[k] = 0;
    for (int b = 0; b < 4; ++b)
      counts[k] = counts[k] << 8 | static_cast<unsigned char>(v1[20 + 4 * k + b]);
  }
  const std::size_t v1Size =
      44 + counts[3] * 5 + counts[4] * 6 + counts[5] + counts[2] * 8 + counts[1] + counts[0];
  v1.resize(v1Size);
  dir.write("Footer/Version1", v1);
  const TimeZone* old = TimeZone::locate("Footer/Version1");
  REQUIRE(old != nullptr);
  CHECK(ourOffset(*old, 4102444800 - 86400 * 180) == 3600);  // July 2099: CET, no DST rule
  const ScopedEnv tz("TZ", ":Footer/Version1");
  std::mt19937_64 rng(19);
  CHECK(compareWithGlibc(*old, rng) == 0);
}

TEST_CASE("a truncated or corrupted TZif file is an unknown zone, not a crash", "[ics][zones]") {
  const std::string berlin = readFile("/usr/share/zoneinfo/Europe/Berlin");
  REQUIRE(readTzif(berlin, TimeZone::kTableEndYear).has_value());
  // Every shorter prefix (the footer's closing newline included) is refused.
  std::size_t accepted = 0;
  for (std::size_t n = 0; n < berlin.size(); ++n)
    if (readTzif(berlin.substr(0, n), TimeZone::kTableEndYear)) ++accepted;
  CHECK(accepted == 0);

  // Counts, indices and values the data contradicts.
  TzifSpec good;
  good.times = {-1000000000, 0, 1000000000};
  good.typeOf = {1, 0, 1};
  good.types = {{3600, false}, {7200, true}};
  good.footer = "<+01>-1";
  REQUIRE(readTzif(tzif(good), 2100).has_value());
  auto refused = [](const TzifSpec& spec) { return !readTzif(tzif(spec), 2100).has_value(); };
  TzifSpec s = good;
  s.typeOf[1] = 2;  // no such type
  CHECK(refused(s));
  s = good;
  std::swap(s.times[0], s.times[1]);  // not ascending
  CHECK(refused(s));
  s = good;
  s.times[1] = s.times[0];  // twice the same instant
  CHECK(refused(s));
  s = good;
  s.types[1].first = 26 * 3600;  // beyond RFC 8536's range
  CHECK(refused(s));
  s = good;
  s.footer = "CET-1CEST,M3.5.0";  // half a rule
  CHECK(refused(s));
  s = good;
  s.footer = "CET-1CEST,M13.5.0,M10.5.0";
  CHECK(refused(s));
  s = good;
  s.footer = "<+01>-1 ";
  CHECK(refused(s));
  s = good;
  s.types.clear();  // typecnt 0
  s.typeOf = {};
  s.times = {};
  CHECK(refused(s));
  auto patched = [&](std::size_t at, std::uint32_t value) {
    std::string bytes = tzif(good);
    for (int b = 0; b < 4; ++b) bytes[at + b] = char(value >> (24 - 8 * b));
    return !readTzif(bytes, 2100).has_value();
  };
  const std::size_t second = tzif(good).find("TZif", 4);  // the version 2 header
  REQUIRE(second != std::string::npos);
  for (int count = 0; count < 6; ++count) {  // every count of both headers, absurdly large
    CHECK(patched(20 + 4 * count, 0xffffffffu));
    CHECK(patched(second + 20 + 4 * count, 0xffffffffu));
    CHECK(patched(second + 20 + 4 * count, 0x7fffffffu));
  }
  CHECK(patched(second + 20 + 4 * 3, 4));  // one more transition than there are
  CHECK(patched(second + 20 + 4 * 4, 0));  // no types

  // Random damage: a table or nothing, never a crash (the sanitizer build runs this too).
  std::mt19937_64 rng(23);
  std::size_t tables = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string bytes = berlin;
    const int flips = 1 + int(rng() % 4);
    for (int f = 0; f < flips; ++f) bytes[rng() % bytes.size()] = char(rng());
    const auto changes = readTzif(bytes, TimeZone::kTableEndYear);
    if (!changes) continue;
    ++tables;
    CHECK(!changes->empty());
    CHECK(std::is_sorted(changes->begin(), changes->end(),
                         [](const auto& a, const auto& b) { return a.utc < b.utc; }));
  }
  CHECK(tables > 0);

  // Through locate(): a truncated file is unknown, an intact copy is Europe/Berlin.
  const TimeZone* real = TimeZone::locate("Europe/Berlin");  // before TZDIR changes
  REQUIRE(real != nullptr);
  const TempDir dir;
  dir.write("Broken/Truncated", berlin.substr(0, berlin.size() / 2));
  dir.write("Broken/Empty", "");
  dir.write("Broken/Copy", berlin);
  const ScopedEnv tzdir("TZDIR", dir.path.string());
  CHECK(TimeZone::locate("Broken/Truncated") == nullptr);
  CHECK(TimeZone::locate("Broken/Empty") == nullptr);
  const TimeZone* copy = TimeZone::locate("Broken/Copy");
  REQUIRE(copy != nullptr);
  CHECK(allChanges(*copy) == allChanges(*real));
}

// Each VTIMEZONE text's table against libical's own reading of it.
template <std::size_t N>
void checkAgainstLibical(const char* const (&texts)[N], std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (const char* text : texts) {
    auto ours = TimeZone::fromVtimezone(text, "test");
    INFO(text);
    REQUIRE(ours != nullptr);
    CHECK(ours->hasTable());
    CHECK(ours->changes().size() > 2);
    LibicalZone theirs(text);
    REQUIRE(theirs.zone != nullptr);
    CHECK(compare(*ours, theirs.zone, rng) == 0);
  }
}

TEST_CASE("the zone table agrees with libical for Outlook-style VTIMEZONEs", "[ics][zones]") {
  checkAgainstLibical(kOutlookZones, 11);
}

TEST_CASE("the zone table agrees with libical for VTIMEZONE rules our iterator expands",
          "[ics][zones]") {
  checkAgainstLibical(kIteratorZones, 29);
}

TEST_CASE("the zone table agrees with libical for the corpus's VTIMEZONEs", "[ics][zones]") {
  const char* corpus = std::getenv("CB_CORPUS");
  if (corpus == nullptr || !std::filesystem::is_directory(corpus)) return;  // optional here
  std::mt19937_64 rng(13);
  std::size_t blocks = 0;
  int bad = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(corpus)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".ics") continue;
    if (entry.path().string().find("/malformed/") != std::string::npos) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    for (std::size_t b = text.find("BEGIN:VTIMEZONE"); b != std::string::npos;
         b = text.find("BEGIN:VTIMEZONE", b + 1)) {
      const std::size_t e = text.find("END:VTIMEZONE", b);
      if (e == std::string::npos) break;
      const std::string block = text.substr(b, e + 13 - b);
      auto ours = TimeZone::fromVtimezone(block, "corpus");
      LibicalZone theirs(block);
      if (ours == nullptr || theirs.zone == nullptr) {
        CHECK((ours == nullptr) == (theirs.zone == nullptr));
        continue;
      }
      ++blocks;
      INFO(entry.path().string());
      const int n = compare(*ours, theirs.zone, rng);
      CHECK(n == 0);
      bad += n;
    }
  }
  INFO(blocks << " VTIMEZONE blocks");
  CHECK(blocks > 0);
  CHECK(bad == 0);
}
