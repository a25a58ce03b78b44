// ics: our offset-change table answers exactly what libical answers, for every tzdata zone,
// Outlook's VTIMEZONEs and (when present) every VTIMEZONE of the corpus.
#include <libical/ical.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ics/time.hpp"

using namespace cb::ics;
using namespace std::chrono;

namespace {

// 1902..2099: where libical's own time_t conversions are defined.
constexpr std::int64_t kFirst = -2145916800;  // 1902-01-01Z
constexpr std::int64_t kLast = 4102444800;    // 2100-01-01Z

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
    const std::int64_t want = libicalToInstant(theirs, l);
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
    // A rule outside the simple form (BYMONTHDAY + BYDAY): libical's iterator expands it.
    "BEGIN:VTIMEZONE\nTZID:Sun>=8\nBEGIN:DAYLIGHT\nDTSTART:19900311T020000\nTZOFFSETFROM:-0800\n"
    "TZOFFSETTO:-0700\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=SU;BYMONTHDAY=8,9,10,11,12,13,14\n"
    "END:DAYLIGHT\nBEGIN:STANDARD\nDTSTART:19901104T020000\nTZOFFSETFROM:-0700\n"
    "TZOFFSETTO:-0800\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\nEND:STANDARD\nEND:VTIMEZONE\n",
};

}  // namespace

TEST_CASE("the zone table agrees with libical for every tzdata zone", "[ics][zones]") {
  std::mt19937_64 rng(7);
  icalarray* all = icaltimezone_get_builtin_timezones();
  REQUIRE(all != nullptr);
  // Names first: looking zones up may grow libical's array under our feet.
  std::vector<std::string> names;
  for (std::size_t i = 0; i < all->num_elements; ++i)
    if (const char* location =
            icaltimezone_get_location(static_cast<icaltimezone*>(icalarray_element_at(all, i))))
      names.emplace_back(location);
  std::size_t zones = 0, tables = 0;
  int bad = 0;
  for (const std::string& name : names) {
    const TimeZone* ours = TimeZone::locate(name);
    icaltimezone* theirs = icaltimezone_get_builtin_timezone(name.c_str());
    if (ours == nullptr || ours->isUtc() || theirs == nullptr) continue;
    ++zones;
    if (ours->hasTable()) ++tables;
    bad += compare(*ours, theirs, rng);
  }
  INFO(zones << " zones, " << tables << " with a table");
  CHECK(bad == 0);
  CHECK(zones > 300);
  CHECK(tables == zones);
}

TEST_CASE("the zone table agrees with libical for Outlook-style VTIMEZONEs", "[ics][zones]") {
  std::mt19937_64 rng(11);
  for (const char* text : kOutlookZones) {
    auto ours = TimeZone::fromVtimezone(text, "test");
    REQUIRE(ours != nullptr);
    CHECK(ours->hasTable());
    CHECK(ours->changes().size() > 2);
    LibicalZone theirs(text);
    REQUIRE(theirs.zone != nullptr);
    CHECK(compare(*ours, theirs.zone, rng) == 0);
  }
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
