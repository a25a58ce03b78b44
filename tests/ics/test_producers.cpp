// What real producers write (issue 16): mismatched UNTIL types, floating DTEND next to a
// zoned DTSTART, floating series across clock changes, non-UTF-8 text, RDATE periods, and
// the ingest window of `occurrences` — each through Ingest/EventStore.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "engine_support.hpp"
#include "ics/store.hpp"
#include "ics/syntax.hpp"
#include "ics/tsv.hpp"

using namespace cb::ics;
using namespace std::chrono;

namespace {

using cb::test::utc;

EventStore& load(const std::string& body, const char* zone = "UTC", IngestOptions options = {},
                 const std::string& calendarProps = "") {
  REQUIRE(TimeZone::locate(zone) != nullptr);
  return cb::test::ingestCalendar(body, zone, std::move(options), 4096, calendarProps);
}

std::vector<Date> startDates(const EventStore& s, Instant from, Instant to) {
  std::vector<Date> out;
  for (const Occurrence& o : s.occurrences(from, to)) out.push_back(o.startDate);
  return out;
}

}  // namespace

TEST_CASE("an all-day series with Outlook's UTC UNTIL keeps its last day", "[ics][producers]") {
  // UNTIL is local midnight (Berlin) after the last day: 1 July is an instance everywhere.
  const std::string outlook =
      "BEGIN:VEVENT\r\nUID:o\r\nDTSTART;VALUE=DATE:20240603\r\nDTEND;VALUE=DATE:20240604\r\n"
      "RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20240630T220000Z\r\nSUMMARY:Gym\r\nEND:VEVENT\r\n";
  const std::vector<Date> want = {Date{year{2024} / 6 / 3}, Date{year{2024} / 6 / 10},
                                  Date{year{2024} / 6 / 17}, Date{year{2024} / 6 / 24},
                                  Date{year{2024} / 7 / 1}};
  CHECK(startDates(load(outlook, "Europe/Berlin"), utc(2024, 5, 1), utc(2024, 8, 1)) == want);
  // Shown in New York, the calendar's own zone (X-WR-TIMEZONE) says which day UNTIL is.
  CHECK(startDates(load(outlook, "America/New_York", {}, "X-WR-TIMEZONE:Europe/Berlin\r\n"),
                   utc(2024, 5, 1), utc(2024, 8, 1)) == want);
  // Without X-WR-TIMEZONE, the feed's only VTIMEZONE is the calendar's zone (Outlook's own
  // definition of its zone, here Berlin's under its Windows name).
  const std::string berlin =
      "BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\nBEGIN:STANDARD\r\n"
      "DTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
      "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\n"
      "DTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
      "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";
  CHECK(startDates(load(outlook, "America/New_York", {}, berlin), utc(2024, 5, 1),
                   utc(2024, 8, 1)) == want);
  // In New York's own terms UNTIL is 30 June: the display zone's answer drops 1 July. It
  // stands with two VTIMEZONEs (which one the producer meant is unknown), and X-WR-TIMEZONE
  // comes before the VTIMEZONE.
  const std::vector<Date> inNewYork(want.begin(), want.end() - 1);
  const std::string tokyo =
      "BEGIN:VTIMEZONE\r\nTZID:Tokyo Standard Time\r\nBEGIN:STANDARD\r\n"
      "DTSTART:16010101T000000\r\nTZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\n"
      "END:STANDARD\r\nEND:VTIMEZONE\r\n";
  CHECK(startDates(load(outlook, "America/New_York"), utc(2024, 5, 1), utc(2024, 8, 1)) ==
        inNewYork);
  CHECK(startDates(load(outlook, "America/New_York", {}, berlin + tokyo), utc(2024, 5, 1),
                   utc(2024, 8, 1)) == inNewYork);
  CHECK(startDates(
            load(outlook, "America/New_York", {}, "X-WR-TIMEZONE:America/New_York\r\n" + berlin),
            utc(2024, 5, 1), utc(2024, 8, 1)) == inNewYork);
  // A DATE UNTIL (the RFC's form) is unchanged: inclusive.
  CHECK(startDates(load("BEGIN:VEVENT\r\nUID:d\r\nDTSTART;VALUE=DATE:20240603\r\n"
                        "RRULE:FREQ=WEEKLY;UNTIL=20240624\r\nEND:VEVENT\r\n",
                        "America/Los_Angeles"),
                   utc(2024, 5, 1), utc(2024, 8, 1))
            .size() == 4);
}

TEST_CASE("a floating series with a UTC UNTIL ends at that wall-clock time", "[ics][producers]") {
  const std::string body =
      "BEGIN:VEVENT\r\nUID:f\r\nDTSTART:20250403T173000\r\nDTEND:20250403T183000\r\n"
      "RRULE:FREQ=WEEKLY;UNTIL=20251120T173000Z\r\nEND:VEVENT\r\n";
  for (const char* zone : {"America/Los_Angeles", "UTC", "Asia/Tokyo"}) {
    INFO(zone);
    const EventStore& s = load(body, zone);
    const auto occ = s.occurrences(utc(2025, 1, 1), utc(2026, 6, 1));
    REQUIRE(occ.size() == 34);  // every Thursday from 3 April to 20 November
    const TimeZone& z = *TimeZone::locate(zone);
    CHECK(occ.back().start ==
          z.toInstant(LocalSeconds{local_days{year{2025} / 11 / 20}} + hours{17} + minutes{30}));
  }
}

TEST_CASE("a floating DTEND next to a zoned DTSTART is read in DTSTART's zone",
          "[ics][producers]") {
  const std::string body =
      "BEGIN:VEVENT\r\nUID:z\r\nDTSTART;TZID=Europe/Berlin:20250310T090000\r\n"
      "DTEND:20250310T100000\r\nRRULE:FREQ=DAILY;COUNT=2\r\nSUMMARY:Standup\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:s\r\nDTSTART;TZID=Europe/Berlin:20250312T090000\r\n"
      "DTEND:20250312T093000\r\nSUMMARY:Once\r\nEND:VEVENT\r\n";
  for (const char* zone : {"Asia/Tokyo", "UTC", "America/New_York"}) {
    INFO(zone);
    CHECK(tsvDocument(load(body, zone).occurrences(utc(2025, 3, 1), utc(2025, 4, 1))) ==
          "2025-03-10T08:00:00Z\t2025-03-10T09:00:00Z\tz\t\t\tStandup\n"
          "2025-03-11T08:00:00Z\t2025-03-11T09:00:00Z\tz\t\t\tStandup\n"
          "2025-03-12T08:00:00Z\t2025-03-12T08:30:00Z\ts\t\t\tOnce\n");
  }
}

TEST_CASE("a floating series across a clock change keeps its wall-clock end", "[ics][producers]") {
  // 13:00 to 13:00 the next day, daily; Berlin moves its clocks on 30 March 2025.
  const EventStore& s = load(
      "BEGIN:VEVENT\r\nUID:d\r\nDTSTART:20250328T130000\r\nDTEND:20250329T130000\r\n"
      "RRULE:FREQ=DAILY;COUNT=4\r\nEND:VEVENT\r\n",
      "Europe/Berlin");
  const auto occ = s.occurrences(utc(2025, 3, 1), utc(2025, 4, 10));
  REQUIRE(occ.size() == 4);
  CHECK(occ[0].start == utc(2025, 3, 28, 12));
  CHECK(occ[0].end == utc(2025, 3, 29, 12));  // 13:00 CET
  CHECK(occ[1].end == utc(2025, 3, 30, 11));  // 13:00 CEST: 23 hours
  CHECK(occ[2].start == utc(2025, 3, 30, 11));
  CHECK(occ[2].end == utc(2025, 3, 31, 11));  // 13:00 CEST: 24 hours again
  CHECK(occ[3].end == utc(2025, 4, 1, 11));
  // A plain floating event across the change, too.
  const EventStore& single = load(
      "BEGIN:VEVENT\r\nUID:n\r\nDTSTART:20250329T220000\r\nDTEND:20250330T220000\r\n"
      "END:VEVENT\r\n",
      "Europe/Berlin");
  const auto one = single.occurrences(utc(2025, 3, 1), utc(2025, 4, 10));
  REQUIRE(one.size() == 1);
  CHECK(one[0].end == utc(2025, 3, 30, 20));
}

TEST_CASE("a floating night over a clock change ends at 06:00 wall clock", "[ics][producers]") {
  // 22:00 to 06:00 on the night the display zone changes its clocks: 7 hours in spring,
  // 9 in autumn; the nights around it stay 8 hours. Daily (from two nights before) and single.
  struct Night {
    const char* zone;
    year_month_day eve;  // the evening before the change, floating
    Instant end;         // 06:00 the next morning there
    hours length;
  };
  const Night nights[] = {
      {"America/New_York", year{2025} / 3 / 8, utc(2025, 3, 9, 10), hours{7}},
      {"America/New_York", year{2025} / 11 / 1, utc(2025, 11, 2, 11), hours{9}},
      {"Europe/Berlin", year{2025} / 3 / 29, utc(2025, 3, 30, 4), hours{7}},
      {"Europe/Berlin", year{2025} / 10 / 25, utc(2025, 10, 26, 5), hours{9}},
      {"Australia/Sydney", year{2025} / 4 / 5, utc(2025, 4, 5, 20), hours{9}},
  };
  auto stamp = [](sys_days d) {
    const year_month_day ymd{d};
    return fmt::format("{:04}{:02}{:02}", int(ymd.year()), unsigned(ymd.month()),
                       unsigned(ymd.day()));
  };
  auto night = [&](sys_days from, const std::string& rule) {
    return fmt::format(
        "BEGIN:VEVENT\r\nUID:n\r\nDTSTART:{}T220000\r\nDTEND:{}T060000\r\n{}"
        "END:VEVENT\r\n",
        stamp(from), stamp(from + days{1}), rule);
  };
  for (const Night& n : nights) {
    INFO(n.zone << " " << stamp(n.eve));
    const auto occ = load(night(sys_days{n.eve} - days{2}, "RRULE:FREQ=DAILY;COUNT=5\r\n"), n.zone)
                         .occurrences(n.end - days{5}, n.end + days{5});
    REQUIRE(occ.size() == 5);
    for (std::size_t i = 0; i < occ.size(); ++i) {
      INFO(i);
      CHECK(occ[i].end - occ[i].start == (i == 2 ? n.length : hours{8}));
    }
    CHECK(occ[2].end == n.end);
    const auto one =
        load(night(sys_days{n.eve}, ""), n.zone).occurrences(n.end - days{5}, n.end + days{5});
    REQUIRE(one.size() == 1);
    CHECK(one[0].end == n.end);
    CHECK(one[0].end - one[0].start == n.length);
  }
}

TEST_CASE("text that is not UTF-8 is read as Windows-1252", "[ics][producers]") {
  const EventStore& s = load(
      "BEGIN:VEVENT\r\nUID:caf\xE9\r\nDTSTART:20250310T090000Z\r\n"
      "SUMMARY:Caf\xE9 \x80 5 \x93quoted\x94 \x81\r\nLOCATION:Stra\xDF"
      "e 1\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:ok\r\nDTSTART:20250311T090000Z\r\nSUMMARY:Caf\xC3\xA9 "
      "\xE2\x82\xAC\r\nEND:VEVENT\r\n");
  const auto occ = s.occurrences(utc(2025, 3, 1), utc(2025, 4, 1));
  REQUIRE(occ.size() == 2);
  CHECK(occ[0].summary == "Caf\xC3\xA9 \xE2\x82\xAC 5 \xE2\x80\x9Cquoted\xE2\x80\x9D \xEF\xBF\xBD");
  CHECK(occ[0].location ==
        "Stra\xC3\x9F"
        "e 1");
  CHECK(occ[0].uid == "caf\xC3\xA9");
  CHECK(occ[1].summary == "Caf\xC3\xA9 \xE2\x82\xAC");  // valid UTF-8 is left alone
  CHECK(validUtf8(tsvDocument(occ)));
}

TEST_CASE("UTF-8 validation", "[ics][producers]") {
  CHECK(validUtf8("plain"));
  CHECK(validUtf8("\xF0\x9F\x98\x80 \xE2\x82\xAC \xC3\xA9"));
  CHECK_FALSE(validUtf8("\xC0\x80"));          // overlong
  CHECK_FALSE(validUtf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(validUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(validUtf8("\xE2\x82"));          // cut short
  std::string cut = "\xE9\xE9\xE9";            // three 2-byte characters once decoded
  makeUtf8(cut, 5);
  CHECK(cut == "\xC3\xA9\xC3\xA9");
}

TEST_CASE("RDATE;VALUE=PERIOD as Lotus Notes and CalDAV servers write it", "[ics][producers]") {
  const EventStore& s = load(
      "BEGIN:VEVENT\r\nUID:p\r\nDTSTART;TZID=Europe/Berlin:20250310T090000\r\n"
      "DTEND;TZID=Europe/Berlin:20250310T100000\r\n"
      "RDATE;VALUE=PERIOD;TZID=Europe/Berlin:20250312T140000/20250312T153000,"
      "20250402T080000/PT2H\r\nRDATE;VALUE=PERIOD:20250405T100000Z/20250405T103000Z\r\n"
      "SUMMARY:Review\r\nEND:VEVENT\r\n",
      "America/New_York");
  CHECK(tsvDocument(s.occurrences(utc(2025, 3, 1), utc(2025, 5, 1))) ==
        "2025-03-10T08:00:00Z\t2025-03-10T09:00:00Z\tp\t\t\tReview\n"
        "2025-03-12T13:00:00Z\t2025-03-12T14:30:00Z\tp\t\t\tReview\n"
        "2025-04-02T06:00:00Z\t2025-04-02T08:00:00Z\tp\t\t\tReview\n"
        "2025-04-05T10:00:00Z\t2025-04-05T10:30:00Z\tp\t\t\tReview\n");
}

TEST_CASE("an ingest window keeps only what can overlap it", "[ics][producers]") {
  std::string body;
  for (int d = 1; d <= 28; ++d)
    body += fmt::format(
        "BEGIN:VEVENT\r\nUID:e{0}\r\nDTSTART:202502{0:02}T090000Z\r\nDTEND:202502{0:02}T100000Z"
        "\r\nSUMMARY:Day {0}\r\nEND:VEVENT\r\n",
        d);
  body +=
      "BEGIN:VEVENT\r\nUID:r\r\nDTSTART:20240101T120000Z\r\nRRULE:FREQ=WEEKLY\r\n"
      "SUMMARY:Weekly\r\nEND:VEVENT\r\n";
  const Instant from = utc(2025, 2, 10), to = utc(2025, 2, 17);
  const EventStore& all = load(body);
  IngestOptions windowed;
  windowed.window = TimeWindow{from, to};
  const EventStore& week = load(body, "UTC", windowed);
  CHECK(tsvDocument(week.occurrences(from, to)) == tsvDocument(all.occurrences(from, to)));
  CHECK(week.occurrences(from, to).size() == 8);  // 10..16 February and one Weekly
  CHECK(all.eventCount() == 28);
  CHECK(week.eventCount() == 7);  // 10..16 February
  CHECK(week.seriesCount() == 1);
  CHECK(week.stats().dropped == 21);
}
