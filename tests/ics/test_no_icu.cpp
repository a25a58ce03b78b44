// ics: tzdata zones and the VTIMEZONE rules our RRULE iterator expands never start libical's
// recurrence iterator, which opens an ICU calendar (2.3 MB of ICU pages stayed resident for it).
#include <dlfcn.h>
#include <libical/ical.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "ics/time.hpp"
#include "support.hpp"

using namespace cb::ics;
using namespace std::chrono;

namespace {
int iteratorsStarted = 0;
}  // namespace

// Counts every call, ours and libical's own (through its PLT), then hands it to libical.
extern "C" icalrecur_iterator* icalrecur_iterator_new(struct icalrecurrencetype rule,
                                                      struct icaltimetype dtstart) {
  using Fn = icalrecur_iterator* (*)(struct icalrecurrencetype, struct icaltimetype);
  static const auto real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "icalrecur_iterator_new"));
  ++iteratorsStarted;
  return real(rule, dtstart);
}

namespace {

std::set<std::string> tzdataZones() {
  std::set<std::string> names;
  cb::test::readZoneTab("/usr/share/zoneinfo/zone1970.tab", names);
  return names;
}

Instant at(int y, unsigned m, unsigned d) {
  return Instant{sys_days{year{y} / month{m} / day{d}}};
}

// Outlook's rule shape with a COUNT, and a fixed date: both ours to expand.
const char* const kOurs =
    "BEGIN:VTIMEZONE\nTZID:Count\nBEGIN:DAYLIGHT\nDTSTART:16010101T020000\nTZOFFSETFROM:+0100\n"
    "TZOFFSETTO:+0200\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;COUNT=500\nEND:DAYLIGHT\n"
    "BEGIN:STANDARD\nDTSTART:19910922T000000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n"
    "RRULE:FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=22\nEND:STANDARD\nEND:VTIMEZONE\n";

// BYMONTHDAY with BYDAY ("Sun>=8", as Lightning writes US zones): both ours too.
const char* const kSunday =
    "BEGIN:VTIMEZONE\nTZID:Sun>=8\nBEGIN:DAYLIGHT\nDTSTART:19900311T020000\nTZOFFSETFROM:-0800\n"
    "TZOFFSETTO:-0700\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=SU;BYMONTHDAY=8,9,10,11,12,13,14\n"
    "END:DAYLIGHT\nBEGIN:STANDARD\nDTSTART:19901104T020000\nTZOFFSETFROM:-0700\n"
    "TZOFFSETTO:-0800\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\nEND:STANDARD\nEND:VTIMEZONE\n";

// BYSETPOS (the first Sunday on or after the 8th): a shape only libical's iterator expands.
const char* const kLibicals =
    "BEGIN:VTIMEZONE\nTZID:Setpos\nBEGIN:DAYLIGHT\nDTSTART:19900311T020000\nTZOFFSETFROM:-0800\n"
    "TZOFFSETTO:-0700\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=SU;BYMONTHDAY=8,9,10,11,12,13,14;BYSETPOS="
    "1\n"
    "END:DAYLIGHT\nBEGIN:STANDARD\nDTSTART:19901104T020000\nTZOFFSETFROM:-0700\n"
    "TZOFFSETTO:-0800\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\nEND:STANDARD\nEND:VTIMEZONE\n";

}  // namespace

TEST_CASE("tzdata zones convert times up to 2100 without libical's iterator", "[ics][zones]") {
  iteratorsStarted = 0;
  std::size_t zones = 0;
  for (const std::string& name : tzdataZones()) {
    const TimeZone* z = TimeZone::locate(name);
    REQUIRE(z != nullptr);
    ++zones;
    for (Instant t : {at(1900, 1, 1), at(1985, 7, 1), at(2025, 3, 30), at(2100, 12, 30)}) {
      CHECK(z->toInstant(z->toLocal(t)) == t);
      CHECK(z->startOfDay(z->dateOf(t)) <= t);
    }
  }
  CHECK(zones > 300);
  CHECK(iteratorsStarted == 0);
}

TEST_CASE("VTIMEZONE rules our iterator knows do not start libical's", "[ics][zones]") {
  for (const char* text : {kOurs, kSunday}) {
    iteratorsStarted = 0;
    const auto zone = TimeZone::fromVtimezone(text, "ours");
    REQUIRE(zone != nullptr);
    CHECK(zone->hasTable());
    CHECK(zone->changes().size() > 100);
    CHECK(iteratorsStarted == 0);
  }
}

// The counter sees both kinds of call: the test above would not pass for want of it.
TEST_CASE("libical's iterator still serves the VTIMEZONE rules ours does not know",
          "[ics][zones]") {
  iteratorsStarted = 0;
  const auto zone = TimeZone::fromVtimezone(kLibicals, "libical's");
  REQUIRE(zone != nullptr);
  CHECK(zone->hasTable());
  CHECK(iteratorsStarted > 0);
}

// Past the table (2100) the zone's rules go on without libical, whose time_t conversions wrap
// in 2038 where time_t has 32 bits (armhf): Berlin's summer of 2200 was 2^33 s off there.
TEST_CASE("times past the table follow the zone's rules without libical", "[ics][zones]") {
  iteratorsStarted = 0;
  const TimeZone* berlin = TimeZone::locate("Europe/Berlin");
  const TimeZone* sydney = TimeZone::locate("Australia/Sydney");
  REQUIRE(berlin != nullptr);
  REQUIRE(sydney != nullptr);
  for (int y : {2100, 2101, 2200, 2399, 2400, 2401, 3000, 9999}) {
    INFO(y);
    const Instant summer = at(y, 7, 1), winter = at(y, 1, 15);
    CHECK(berlin->toLocal(summer) - LocalSeconds{summer.time_since_epoch()} == hours{2});
    CHECK(berlin->toLocal(winter) - LocalSeconds{winter.time_since_epoch()} == hours{1});
    CHECK(sydney->toLocal(summer) - LocalSeconds{summer.time_since_epoch()} == hours{10});
    CHECK(sydney->toLocal(winter) - LocalSeconds{winter.time_since_epoch()} == hours{11});
    for (const TimeZone* z : {berlin, sydney}) {
      CHECK(z->toInstant(z->toLocal(summer)) == summer);
      CHECK(z->toInstant(z->toLocal(winter)) == winter);
    }
  }
  // The EU's last Sunday of March, 01:00 UTC: 2200-03-30 (a Sunday), 2400-03-26.
  for (const auto& [y, d] : {std::pair{2200, 30u}, std::pair{2400, 26u}}) {
    const Instant change = at(y, 3, d) + hours{1};
    INFO(y);
    CHECK(berlin->toLocal(change - seconds{1}) -
              LocalSeconds{(change - seconds{1}).time_since_epoch()} ==
          hours{1});
    CHECK(berlin->toLocal(change) - LocalSeconds{change.time_since_epoch()} == hours{2});
    // 02:30 on that day does not exist: read as in 2025, inside the table (2025-03-30).
    const auto gapLocal = [](Instant day) {
      return LocalSeconds{(day + hours{2} + minutes{30}).time_since_epoch()};
    };
    CHECK(berlin->toInstant(gapLocal(at(y, 3, d))) - at(y, 3, d) ==
          berlin->toInstant(gapLocal(at(2025, 3, 30))) - at(2025, 3, 30));
  }
  CHECK(iteratorsStarted == 0);
}
