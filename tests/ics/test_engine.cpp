// ics engine: recurrence, overrides, zones, limits and the store image, through Ingest/EventStore.
#include <catch2/catch.hpp>
#include <tuple>

#include "engine_support.hpp"
#include "ics/snapshot.hpp"
#include "ics/store.hpp"
#include "ics/tsv.hpp"
#include "ics/zones.hpp"

using namespace cb::ics;
using namespace std::chrono;

namespace {

using cb::test::utc;

EventStore& load(const std::string& body, const char* zone = "UTC", std::size_t chunk = 4096,
                 IngestOptions options = {}) {
  return cb::test::ingestCalendar(body, zone, std::move(options), chunk);
}

std::string tsv(const EventStore& s, Instant from, Instant to) {
  return tsvDocument(s.occurrences(from, to));
}

}  // namespace

TEST_CASE("weekly series keeps its wall clock across DST both ways", "[ics]") {
  EventStore& s = load(
      "BEGIN:VEVENT\r\nUID:w\r\nDTSTART;TZID=Europe/Berlin:20250320T090000\r\n"
      "DTEND;TZID=Europe/Berlin:20250320T100000\r\nRRULE:FREQ=WEEKLY;COUNT=33\r\n"
      "SUMMARY:Weekly\r\nEND:VEVENT\r\n");
  const auto occ = s.occurrences(utc(2025, 3, 1), utc(2026, 1, 1));
  REQUIRE(occ.size() == 33);
  CHECK(occ[0].start == utc(2025, 3, 20, 8));    // CET
  CHECK(occ[1].start == utc(2025, 3, 27, 8));    // still CET (switch on 30 March)
  CHECK(occ[2].start == utc(2025, 4, 3, 7));     // CEST
  CHECK(occ[31].start == utc(2025, 10, 23, 7));  // CEST
  CHECK(occ[32].start == utc(2025, 10, 30, 8));  // CET again
  CHECK(occ[32].end - occ[32].start == hours{1});
}

TEST_CASE("a rule that never meets its parts leaves DTSTART as the one instance", "[ics]") {
  // Every other month from August never reaches January or March; both shapes, ours and the
  // one libical refuses outright (an ordinal with BYMONTHDAY), as the reference lists them.
  for (const char* rule : {"FREQ=MONTHLY;INTERVAL=2;BYMONTH=1,3;BYDAY=WE;BYMONTHDAY=20",
                           "FREQ=MONTHLY;INTERVAL=2;BYMONTH=1,3;BYDAY=3WE;BYMONTHDAY=20"}) {
    INFO(rule);
    EventStore& s = load(std::string("BEGIN:VEVENT\r\nUID:n\r\nDTSTART:20220830T090000Z\r\n"
                                     "DTEND:20220830T100000Z\r\nRRULE:") +
                         rule + "\r\nSUMMARY:Never again\r\nEND:VEVENT\r\n");
    const auto occ = s.occurrences(utc(2022, 8, 1), utc(2024, 1, 1));
    REQUIRE(occ.size() == 1);
    CHECK(occ[0].start == utc(2022, 8, 30, 9));
  }
}

TEST_CASE("EXDATE with TZID and lists, UNTIL in UTC", "[ics]") {
  EventStore& s = load(
      "BEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=America/New_York:20250303T100000\r\n"
      "DURATION:PT30M\r\nRRULE:FREQ=DAILY;UNTIL=20250307T150000Z\r\n"
      "EXDATE;TZID=America/New_York:20250304T100000,20250306T100000\r\nEND:VEVENT\r\n");
  const auto occ = s.occurrences(utc(2025, 3, 1), utc(2025, 4, 1));
  REQUIRE(occ.size() == 3);
  CHECK(occ[0].start == utc(2025, 3, 3, 15));
  CHECK(occ[1].start == utc(2025, 3, 5, 15));
  CHECK(occ[2].start == utc(2025, 3, 7, 15));  // exactly at UNTIL: included
}

TEST_CASE("overrides move, retitle and cancel instances; orphans are listed", "[ics]") {
  EventStore& s = load(
      "BEGIN:VEVENT\r\nUID:m\r\nDTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\n"
      "RRULE:FREQ=DAILY;COUNT=4\r\nSUMMARY:Daily\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:m\r\nRECURRENCE-ID:20250311T090000Z\r\nDTSTART:20250311T140000Z\r\n"
      "DTEND:20250311T150000Z\r\nSUMMARY:Moved\r\nSEQUENCE:2\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:m\r\nRECURRENCE-ID:20250312T090000Z\r\nDTSTART:20250312T090000Z\r\n"
      "DTEND:20250312T100000Z\r\nSTATUS:CANCELLED\r\nSUMMARY:Daily\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:orphan\r\nRECURRENCE-ID:20250315T090000Z\r\n"
      "DTSTART:20250315T090000Z\r\nSUMMARY:Lonely\r\nEND:VEVENT\r\n");
  CHECK(tsv(s, utc(2025, 3, 1), utc(2025, 4, 1)) ==
        "2025-03-10T09:00:00Z\t2025-03-10T10:00:00Z\tm\t\t\tDaily\n"
        "2025-03-11T14:00:00Z\t2025-03-11T15:00:00Z\tm\t2025-03-11T09:00:00Z\t\tMoved\n"
        "2025-03-12T09:00:00Z\t2025-03-12T10:00:00Z\tm\t2025-03-12T09:00:00Z\tCANCELLED\tDaily\n"
        "2025-03-13T09:00:00Z\t2025-03-13T10:00:00Z\tm\t\t\tDaily\n"
        "2025-03-15T09:00:00Z\t2025-03-15T09:00:00Z\torphan\t2025-03-15T09:00:00Z\t\tLonely\n");
}

TEST_CASE("RANGE=THISANDFUTURE moves the rest of the series", "[ics]") {
  EventStore& s = load(
      "BEGIN:VEVENT\r\nUID:t\r\nDTSTART:20250310T090000Z\r\nDURATION:PT1H\r\n"
      "RRULE:FREQ=DAILY;COUNT=4\r\nSUMMARY:Old\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:t\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:20250312T090000Z\r\n"
      "DTSTART:20250312T110000Z\r\nDURATION:PT2H\r\nSUMMARY:New\r\nEND:VEVENT\r\n");
  const auto occ = s.occurrences(utc(2025, 3, 1), utc(2025, 4, 1));
  REQUIRE(occ.size() == 4);
  CHECK(occ[1].summary == "Old");
  CHECK(occ[2].start == utc(2025, 3, 12, 11));
  CHECK(occ[2].fromOverride);
  CHECK(occ[3].start == utc(2025, 3, 13, 11));
  CHECK(occ[3].summary == "New");
  CHECK(occ[3].end - occ[3].start == hours{2});
}

TEST_CASE("a higher SEQUENCE of the same UID supersedes", "[ics]") {
  EventStore& s = load(
      "BEGIN:VEVENT\r\nUID:q\r\nDTSTART:20250310T090000Z\r\nSEQUENCE:1\r\nSUMMARY:v1\r\n"
      "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:q\r\nDTSTART:20250310T100000Z\r\nSEQUENCE:2\r\n"
      "SUMMARY:v2\r\nEND:VEVENT\r\n");
  const auto occ = s.occurrences(utc(2025, 3, 1), utc(2025, 4, 1));
  REQUIRE(occ.size() == 1);
  CHECK(occ[0].summary == "v2");
  CHECK(s.stats().duplicates == 1);
}

TEST_CASE("RDATE as DATE-TIME and PERIOD, all-day RRULE with EXDATE", "[ics]") {
  EventStore& s = load(
      "BEGIN:VEVENT\r\nUID:r\r\nDTSTART:20250310T090000Z\r\nDTEND:20250310T093000Z\r\n"
      "RDATE:20250320T120000Z\r\nRDATE;VALUE=PERIOD:20250325T080000Z/PT3H\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20250301\r\nRRULE:FREQ=MONTHLY;COUNT=3\r\n"
      "EXDATE;VALUE=DATE:20250401\r\nEND:VEVENT\r\n");
  CHECK(tsv(s, utc(2025, 2, 1), utc(2025, 6, 1)) ==
        "2025-03-01\t2025-03-02\ta\t\t\t\n"
        "2025-03-10T09:00:00Z\t2025-03-10T09:30:00Z\tr\t\t\t\n"
        "2025-03-20T12:00:00Z\t2025-03-20T12:30:00Z\tr\t\t\t\n"
        "2025-03-25T08:00:00Z\t2025-03-25T11:00:00Z\tr\t\t\t\n"
        "2025-05-01\t2025-05-02\ta\t\t\t\n");
}

TEST_CASE("Windows zone IDs, Outlook display names and prefixed TZIDs", "[ics]") {
  CHECK(windowsZoneToIana("Pacific Standard Time") == "America/Los_Angeles");
  CHECK(windowsZoneToIana("W. Europe Standard Time") == "Europe/Berlin");
  CHECK(windowsZoneToIana("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna") ==
        "Europe/Berlin");
  CHECK(windowsZoneToIana("(GMT+10:00) Canberra, Melbourne, Sydney") == "Australia/Sydney");
  CHECK(windowsZoneToIana("(UTC-05:00) Eastern Time (US and Canada)") == "America/New_York");
  CHECK(windowsZoneToIana("Nowhere Standard Time").empty());
  EventStore& s = load(
      "BEGIN:VEVENT\r\nUID:1\r\nDTSTART;TZID=Pacific Standard "
      "Time:20250710T090000\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:2\r\nDTSTART;TZID=\"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, "
      "Stockholm, Vienna\":20250710T090000\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:3\r\nDTSTART;TZID=/freeassociation.sourceforge.net/Europe/London:"
      "20250710T090000\r\nEND:VEVENT\r\n");
  const auto occ = s.occurrences(utc(2025, 7, 1), utc(2025, 8, 1));
  REQUIRE(occ.size() == 3);
  CHECK(occ[0].start == utc(2025, 7, 10, 7));   // Berlin, CEST
  CHECK(occ[1].start == utc(2025, 7, 10, 8));   // London, BST
  CHECK(occ[2].start == utc(2025, 7, 10, 16));  // Los Angeles, PDT
}

TEST_CASE("a file's own VTIMEZONE, also when it comes after its first use", "[ics]") {
  const std::string vtz =
      "BEGIN:VTIMEZONE\r\nTZID:My Zone\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
      "TZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
  const std::string ev =
      "BEGIN:VEVENT\r\nUID:v\r\nDTSTART;TZID=My Zone:20250310T090000\r\nEND:VEVENT\r\n";
  for (const std::string& body : {vtz + ev, ev + vtz}) {
    EventStore& s = load(body);
    const auto occ = s.occurrences(utc(2025, 3, 1), utc(2025, 4, 1));
    REQUIRE(occ.size() == 1);
    CHECK(occ[0].start == utc(2025, 3, 10, 6));
  }
}

TEST_CASE("X-WR-TIMEZONE: floating times and UTC series follow that zone", "[ics]") {
  EventStore& s = load(
      "X-WR-TIMEZONE:Europe/Berlin\r\nBEGIN:VEVENT\r\nUID:f\r\nDTSTART:20250310T090000\r\n"
      "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20250320T080000Z\r\n"
      "RRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\n");
  const auto occ = s.occurrences(utc(2025, 3, 1), utc(2025, 4, 1));
  REQUIRE(occ.size() == 3);
  CHECK(occ[0].start == utc(2025, 3, 10, 8));
  CHECK(occ[1].start == utc(2025, 3, 20, 8));  // 09:00 Berlin
  CHECK(occ[2].start == utc(2025, 3, 27, 8));  // 09:00 Berlin (CET until the 30th)
}

TEST_CASE("skipping ahead gives the same instances as walking from DTSTART", "[ics]") {
  // COUNT forces a walk from DTSTART; the same rule with UNTIL far away skips ahead.
  for (const char* rule :
       {"FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH", "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=DAILY;INTERVAL=5;BYHOUR=8,17", "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=2"}) {
    const std::string head =
        "BEGIN:VEVENT\r\nUID:s\r\nDTSTART;TZID=Europe/Berlin:20100104T080000\r\nRRULE:";
    EventStore& counted = load(head + rule + ";COUNT=3000\r\nEND:VEVENT\r\n");
    EventStore& open = load(head + rule + "\r\nEND:VEVENT\r\n");
    INFO(rule);
    CHECK(tsv(counted, utc(2026, 1, 1), utc(2028, 1, 1)) ==
          tsv(open, utc(2026, 1, 1), utc(2028, 1, 1)));
    CHECK_FALSE(open.occurrences(utc(2026, 1, 1), utc(2029, 1, 1)).empty());
  }
}

TEST_CASE("an RRULE bomb costs bounded time and memory", "[ics]") {
  IngestOptions options;
  options.limits.maxOccurrencesPerSeries = 1000;
  EventStore& s = load(
      "BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20250310T000000Z\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\n",
      "UTC", 4096, options);
  const auto occ = s.occurrences(utc(2025, 3, 10), utc(2025, 3, 11));
  CHECK(occ.size() == 1000);
  CHECK(s.truncatedSeries() == 1);
  // Decades after DTSTART: the fixed step is skipped arithmetically, the cap still holds.
  EventStore& old = load(
      "BEGIN:VEVENT\r\nUID:b\r\nDTSTART:19700101T000000Z\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\n",
      "UTC", 4096, options);
  const auto late = old.occurrences(utc(2025, 3, 10), utc(2025, 3, 11));
  REQUIRE(late.size() == 1000);
  CHECK(late.front().start == utc(2025, 3, 10));
}

TEST_CASE("folds split across chunk boundaries and over-long lines", "[ics]") {
  const std::string body =
      "BEGIN:VEVENT\r\nUID:c\r\nDTSTART:20250310T090000Z\r\nSUMMARY:ab\r\n c\r\n\td\r\n"
      "DESCRIPTION:" +
      std::string(5000, 'x') +
      "\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:d\r\nDTSTART:20250310T100000Z\r\nSUMMARY:" +
      std::string(5000, 'y') + "\r\nEND:VEVENT\r\n";
  IngestOptions options;
  options.limits.maxLineBytes = 1000;
  for (std::size_t chunk :
       {std::size_t(1), std::size_t(5), std::size_t(64), std::size_t(1 << 16)}) {
    EventStore& s = load(body, "UTC", chunk, options);
    const auto occ = s.occurrences(utc(2025, 3, 1), utc(2025, 4, 1));
    REQUIRE(occ.size() == 1);  // the long DESCRIPTION is cut, the long SUMMARY skips its event
    CHECK(occ[0].summary == "abcd");
    CHECK(s.stats().skipped == 1);
    CHECK(s.stats().longLines == 2);
  }
}

TEST_CASE("the demo's daily BYHOUR series expands quickly far from DTSTART", "[ics]") {
  EventStore& s = load(
      "BEGIN:VEVENT\r\nUID:d\r\nDTSTART;TZID=Europe/Berlin:20250101T001500\r\n"
      "DURATION:PT15M\r\nRRULE:FREQ=DAILY;BYHOUR=0,6,12,18;BYMINUTE=15\r\nEND:VEVENT\r\n");
  const auto occ = s.occurrences(utc(2026, 11, 28), utc(2026, 11, 29));
  REQUIRE(occ.size() == 4);
  CHECK(occ[0].start == utc(2026, 11, 28, 5, 15));
}

TEST_CASE("a VTIMEZONE repeated after use still round-trips through the image", "[ics]") {
  // The second, empty block of the same TZID (found by fuzzing): the image must carry the
  // definition the records were read with, or the next start rejects it.
  const std::string zone =
      "BEGIN:VTIMEZONE\r\nTZID:Custom\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
      "TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
  const std::string empty = "BEGIN:VTIMEZONE\r\nTZID:Custom\r\nEND:VTIMEZONE\r\n";
  const std::string event =
      "BEGIN:VEVENT\r\nUID:1\r\nDTSTART;TZID=Custom:20250310T090000\r\nRRULE:FREQ=DAILY\r\n"
      "SUMMARY:S\r\nEND:VEVENT\r\n";
  for (const std::string& body :
       {zone + event + empty, empty + zone + event, zone + event + zone}) {
    EventStore& s = load(body);
    const std::string image = serializeStore(s);
    std::optional<EventStore> back = deserializeStore(image);
    REQUIRE(back);
    CHECK(tsv(*back, utc(2025, 3, 10), utc(2025, 3, 12)) ==
          tsv(s, utc(2025, 3, 10), utc(2025, 3, 12)));
    CHECK(tsv(s, utc(2025, 3, 10), utc(2025, 3, 11)).starts_with("2025-03-10T03:30:00Z"));
  }
}

TEST_CASE("store image round-trips and rejects damaged bytes", "[ics]") {
  EventStore& s = load(
      "BEGIN:VTIMEZONE\r\nTZID:Custom\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
      "TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
      "BEGIN:VEVENT\r\nUID:1\r\nDTSTART;TZID=Custom:20250310T090000\r\nRRULE:FREQ=DAILY\r\n"
      "EXDATE;TZID=Custom:20250311T090000\r\nSUMMARY:Süß\r\nLOCATION:Room\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:1\r\nRECURRENCE-ID;TZID=Custom:20250312T090000\r\n"
      "DTSTART;TZID=Custom:20250312T100000\r\nSUMMARY:Moved\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:2\r\nDTSTART;VALUE=DATE:20250313\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n"
      // Floating nights over Berlin's spring change: a wall-clock length (image version 2).
      "BEGIN:VEVENT\r\nUID:3\r\nDTSTART:20250328T220000\r\nDTEND:20250329T060000\r\n"
      "RRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\n",
      "Europe/Berlin");
  const std::string image = serializeStore(s);
  CHECK(serializeStore(s) == image);  // stable
  std::optional<EventStore> back = deserializeStore(image);
  REQUIRE(back);
  CHECK(tsv(*back, utc(2025, 3, 1), utc(2025, 3, 20)) == tsv(s, utc(2025, 3, 1), utc(2025, 3, 20)));
  CHECK(tsv(*back, utc(2025, 3, 27), utc(2025, 4, 1)) == tsv(s, utc(2025, 3, 27), utc(2025, 4, 1)));
  CHECK(back->occurrences(utc(2025, 3, 29), utc(2025, 3, 30)).back().end == utc(2025, 3, 30, 4));
  CHECK(serializeStore(*back) == image);
  for (std::size_t cut :
       {std::size_t(0), std::size_t(3), std::size_t(9), image.size() / 2, image.size() - 1})
    CHECK_FALSE(deserializeStore(std::string_view(image).substr(0, cut)));
  std::string oldVersion = image;
  oldVersion[4] = char(kStoreImageVersion + 1);
  CHECK_FALSE(deserializeStore(oldVersion));
  oldVersion[4] = 1;  // before wall-clock lengths and textHash UIDs: ignored, never misread
  CHECK_FALSE(deserializeStore(oldVersion));
  CHECK_FALSE(deserializeStore(image + "x"));
  std::string garbage = image;
  for (std::size_t i = 8; i < garbage.size(); i += 7) garbage[i] = char(garbage[i] ^ 0x5A);
  CHECK_NOTHROW((void)deserializeStore(garbage));  // may or may not parse, must not crash
}

TEST_CASE("VTIMEZONEs travel as their tables; one only libical reads, as its text", "[ics]") {
  // Outlook's zone (its rules from 1601): the image carries its offset changes, not its text,
  // so that the daemon reads the image without libical (image version 4).
  const std::string outlook =
      "BEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\nBEGIN:STANDARD\r\n"
      "DTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
      "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\n"
      "DTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
      "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";
  // An observance given by an RDATE period: no table of ours; libical answers for the zone.
  const std::string period =
      "BEGIN:VTIMEZONE\r\nTZID:Period\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
      "TZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\n"
      "RDATE;VALUE=PERIOD:19800101T000000/19800102T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
  for (const auto& [zone, tzid, table] :
       {std::tuple{outlook, "Customized Time Zone", true}, std::tuple{period, "Period", false}}) {
    INFO(tzid);
    REQUIRE(TimeZone::fromVtimezone(zone, tzid)->hasTable() == table);
    EventStore& s = load(zone + "BEGIN:VEVENT\r\nUID:1\r\nDTSTART;TZID=" + tzid +
                             ":20250320T090000\r\nDTEND;TZID=" + tzid +
                             ":20250320T100000\r\nRRULE:FREQ=WEEKLY;COUNT=40\r\nEND:VEVENT\r\n",
                         "Europe/Berlin");
    const std::string image = serializeStore(s);
    CHECK((image.find("BEGIN:VTIMEZONE") == std::string::npos) == table);
    const std::optional<EventStore> back = deserializeStore(image);
    REQUIRE(back);
    CHECK(serializeStore(*back) == image);
    const std::string before = tsv(s, utc(2025, 3, 1), utc(2025, 12, 31));
    CHECK(tsv(*back, utc(2025, 3, 1), utc(2025, 12, 31)) == before);
    if (table) {  // across both changes of 2025: 08:00Z in winter, 07:00Z in summer
      CHECK(before.find("2025-03-20T08:00:00Z") != std::string::npos);
      CHECK(before.find("2025-04-03T07:00:00Z") != std::string::npos);
      CHECK(before.find("2025-10-30T08:00:00Z") != std::string::npos);
    }
  }
}

TEST_CASE("a zone's table is taken only sorted and within bounds", "[ics]") {
  using Change = TimeZone::Change;
  const std::vector<Change> good = {{0, 3600, 0, false}, {86400 * 100, 7200, 3600, true}};
  const auto zone = TimeZone::fromTable("T", good, 2100);
  REQUIRE(zone);
  CHECK(zone->toLocal(Instant{seconds{86400 * 100}}) == LocalSeconds{seconds{86400 * 100 + 7200}});
  CHECK(zone->tableEndYear() == 2100);
  CHECK(TimeZone::fromTable("UTC-like", {}, 2100)->isUtc());
  CHECK_FALSE(TimeZone::fromTable("T", {good[1], good[0]}, 2100));  // unsorted
  for (const std::int32_t offset : {TimeZone::kMaxOffset + 1, -TimeZone::kMaxOffset - 1}) {
    CHECK_FALSE(TimeZone::fromTable("T", {{0, offset, 0, false}}, 2100));
    CHECK_FALSE(TimeZone::fromTable("T", {{0, 0, offset, false}}, 2100));
  }
  CHECK_FALSE(TimeZone::fromTable("T", {{TimeZone::kMaxChangeUtc + 1, 0, 0, false}}, 2100));
  CHECK_FALSE(TimeZone::fromTable("T", good, 0));
  CHECK_FALSE(TimeZone::fromTable("T", good, 10000));
  CHECK_FALSE(
      TimeZone::fromTable("T", std::vector<Change>(TimeZone::kMaxTableChanges + 1, good[0]), 2100));

  // A VTIMEZONE libical reads as 101 hours east (fuzz_ingest): no zone, so that every store
  // that is written can be read back.
  const std::string far =
      "BEGIN:VTIMEZONE\r\nTZID:Far\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
      "TZOFFSETFROM:+0100\r\nTZOFFSETTO:10100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
  CHECK_FALSE(TimeZone::fromVtimezone(far, "Far"));
  EventStore& s = load(far +
                           "BEGIN:VEVENT\r\nUID:1\r\nDTSTART;TZID=Far:20250310T090000\r\n"
                           "RRULE:FREQ=DAILY\r\nEND:VEVENT\r\n",
                       "Europe/Berlin");
  const std::optional<EventStore> back = deserializeStore(serializeStore(s));
  REQUIRE(back);
  CHECK(tsv(*back, utc(2025, 3, 10), utc(2025, 3, 12)) ==
        tsv(s, utc(2025, 3, 10), utc(2025, 3, 12)));
}

TEST_CASE("a store image with an instant or a length beyond years 1..9999 is refused", "[ics]") {
  // fuzz_snapshot found an RDATE period ending 2e11 years on: the expansion's `end - key`
  // overflowed. An image holds what the ingest makes, so such values are a damaged image.
  EventStore& s = load(
      "BEGIN:VEVENT\r\nUID:p\r\nDTSTART:20250310T090000Z\r\nDTEND:20250310T093000Z\r\n"
      "RRULE:FREQ=DAILY;COUNT=2\r\nRDATE;VALUE=PERIOD:20250315T090000Z/20250315T101112Z\r\n"
      "END:VEVENT\r\n",
      "UTC");
  const std::string image = serializeStore(s);
  REQUIRE(deserializeStore(image));
  const auto at = [&](std::int64_t v) {
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i) bytes[std::size_t(i)] = char(std::uint64_t(v) >> (8 * i));
    const std::size_t pos = image.find(bytes);
    REQUIRE(pos != std::string::npos);
    REQUIRE(image.find(bytes, pos + 1) == std::string::npos);  // the one field meant
    return pos;
  };
  const std::size_t end = at((utc(2025, 3, 15, 10, 11) + seconds{12}).time_since_epoch().count());
  for (const std::int64_t v : {std::int64_t(6124895493223874597),
                               std::int64_t(-6881593793234796540), std::int64_t(400'000'000'001)}) {
    std::string bad = image;
    for (int i = 0; i < 8; ++i) bad[end + std::size_t(i)] = char(std::uint64_t(v) >> (8 * i));
    CHECK_FALSE(deserializeStore(bad));
  }
  std::string fine = image;  // within the span: read (the test's patching is right)
  const std::int64_t later = (utc(2025, 3, 15, 11)).time_since_epoch().count();
  for (int i = 0; i < 8; ++i) fine[end + std::size_t(i)] = char(std::uint64_t(later) >> (8 * i));
  REQUIRE(deserializeStore(fine));
  CHECK(deserializeStore(fine)->occurrences(utc(2025, 3, 15), utc(2025, 3, 16)).front().end ==
        utc(2025, 3, 15, 11));
}
