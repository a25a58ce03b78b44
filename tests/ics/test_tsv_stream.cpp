// The `occurrences` output streamed (ics::writeWindowTsv): the same lines in the same order as
// the whole window sorted, while it holds 24 bytes an occurrence and one START's lines.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <string>

#include <catch2/catch.hpp>

#include "engine_support.hpp"
#include "ics/store.hpp"
#include "ics/tsv.hpp"

using namespace cb::ics;
using cb::test::utc;
using namespace std::chrono;

namespace {

std::string event(const std::string& uid, const std::string& when, const std::string& extra = "",
                  const std::string& summary = "") {
  return fmt::format(
      "BEGIN:VEVENT\r\nUID:{}\r\nDTSTAMP:20250101T000000Z\r\n{}{}SUMMARY:{}\r\nEND:VEVENT\r\n", uid,
      when, extra, summary.empty() ? uid : summary);
}

std::string timed(Instant start, minutes length) {
  return fmt::format("DTSTART:{}\r\nDTEND:{}\r\n", cb::test::icsUtc(start),
                     cb::test::icsUtc(start + length));
}

struct Streamed {
  std::string text;
  TsvCost cost;
};

Streamed streamed(const EventStore& store, Instant from, Instant to) {
  Streamed s;
  s.cost = writeWindowTsv(store, from, to, {}, [&s](std::string_view line) { s.text += line; });
  return s;
}

IngestOptions window(Instant from, Instant to) {  // as the `occurrences` command ingests
  IngestOptions o;
  o.window = TimeWindow{from, to};
  o.limits.maxOccurrencesPerWindow = 200000;
  return o;
}

}  // namespace

TEST_CASE("streamed TSV: the lines and order of the whole window sorted", "[ics][tsv]") {
  const Instant from = utc(2025, 3, 1);
  const Instant to = utc(2025, 3, 15);
  std::string body;
  // Several at one instant (sorted by their other fields), at UTC midnight next to all-day
  // items of that date (the date sorts first), before the window and running into it.
  for (int i = 0; i < 5; ++i)
    body += event(fmt::format("same{}", 4 - i), timed(utc(2025, 3, 3, 9), minutes{30 + i}));
  body += event("midnight", timed(utc(2025, 3, 4), minutes{60}));
  body += event("day", "DTSTART;VALUE=DATE:20250304\r\nDTEND;VALUE=DATE:20250305\r\n");
  body += event("days", "DTSTART;VALUE=DATE:20250303\r\nDTEND;VALUE=DATE:20250306\r\n");
  body += event("long", timed(utc(2025, 2, 20), hours{24 * 12}));
  body += event("cancelled", timed(utc(2025, 3, 5, 10), minutes{30}), "STATUS:CANCELLED\r\n");
  body += event("tab\\ttitle", timed(utc(2025, 3, 5, 10), minutes{30}), "", "a\\, b\\nc");
  // Series: timed in a zone, all-day, and one with a moved instance.
  body += event("weekly",
                "DTSTART;TZID=Europe/Berlin:20250210T090000\r\n"
                "DTEND;TZID=Europe/Berlin:20250210T100000\r\nRRULE:FREQ=WEEKLY\r\n");
  body += event("yearly-day",
                "DTSTART;VALUE=DATE:20200304\r\nDTEND;VALUE=DATE:20200305\r\n"
                "RRULE:FREQ=YEARLY\r\n");
  body += event("daily", timed(utc(2025, 3, 1, 8), minutes{15}), "RRULE:FREQ=DAILY;COUNT=20\r\n");
  body += event("daily", timed(utc(2025, 3, 6, 11), minutes{15}),
                "RECURRENCE-ID:" + cb::test::icsUtc(utc(2025, 3, 6, 8)) + "\r\n", "moved");
  for (const char* zone : {"UTC", "Pacific/Auckland", "America/Los_Angeles"}) {
    INFO(zone);
    const EventStore& store = cb::test::ingestCalendar(body, zone, window(from, to));
    const std::string whole = tsvDocument(store.occurrences(from, to));
    const Streamed s = streamed(store, from, to);
    CHECK(s.text == whole);
    CHECK(s.cost.lines == store.occurrences(from, to).size());
    CHECK(s.cost.largestGroup == 5);  // the five at 09:00 on 3 March
  }
}

TEST_CASE("streamed TSV holds 24 bytes an occurrence, not the occurrences", "[ics][tsv]") {
  const Instant from = utc(2025, 3, 1);
  const Instant to = utc(2025, 3, 8);
  constexpr int kEvents = 20000;
  std::string body;
  for (int i = 0; i < kEvents; ++i)
    body += event(fmt::format("e{}", i), timed(from + seconds{3 * i}, minutes{30}), "",
                  fmt::format("{:0>60}", i));
  const EventStore& store = cb::test::ingestCalendar(body, "UTC", window(from, to));
  const Streamed s = streamed(store, from, to);
  CHECK(s.cost.lines == kEvents);
  CHECK(s.cost.largestGroup == 1);
  // The references (a vector's growth may double them) and one line: never the window's
  // occurrences (sizeof(Occurrence) each), nor its lines (over 100 bytes each).
  CHECK(s.cost.peakBytes <= 2 * kEvents * TsvCost::kRefBytes + 4096);
  CHECK(s.cost.peakBytes < kEvents * sizeof(Occurrence) / 2);
  CHECK(s.text.size() > kEvents * 100);
  CHECK(s.text == tsvDocument(store.occurrences(from, to)));
}

// One instanceOf() makes a series' instances for the expansion and for the streamed TSV: the
// prototype's texts at the instance's own times; an all-day instance's dates, starting and
// ending at the display zone's midnights.
TEST_CASE("a series' instance: its prototype at its own times", "[ics][tsv]") {
  const Instant from = utc(2025, 3, 1);
  const Instant to = utc(2025, 3, 15);
  std::string body;
  body += event("weekly",
                "DTSTART;TZID=Europe/Berlin:20250210T090000\r\n"
                "DTEND;TZID=Europe/Berlin:20250210T100000\r\nRRULE:FREQ=WEEKLY\r\n",
                "STATUS:TENTATIVE\r\nLOCATION:Room 4\r\n", "Weekly sync");
  body += event("yearly-day",
                "DTSTART;VALUE=DATE:20200304\r\nDTEND;VALUE=DATE:20200306\r\n"
                "RRULE:FREQ=YEARLY\r\n");
  const EventStore& store = cb::test::ingestCalendar(body, "Pacific/Auckland", window(from, to));
  const std::vector<Occurrence> all = store.occurrences(from, to);
  REQUIRE(all.size() == 3);
  for (const Occurrence& o : all) {
    INFO(o.uid);
    if (o.uid == "weekly") {
      CHECK_FALSE(o.allDay);
      CHECK(o.summary == "Weekly sync");
      CHECK(o.location == "Room 4");
      CHECK(o.statusText == "TENTATIVE");
      CHECK((o.start == utc(2025, 3, 3, 8) || o.start == utc(2025, 3, 10, 8)));
      CHECK(o.end - o.start == hours{1});
    } else {
      CHECK(o.uid == "yearly-day");
      CHECK(o.allDay);
      CHECK(o.startDate == Date{2025y / March / 4});
      CHECK(o.endDate == Date{2025y / March / 6});
      CHECK(o.start == utc(2025, 3, 3, 11));  // midnight in Auckland (UTC+13)
      CHECK(o.end == utc(2025, 3, 5, 11));
    }
  }
  CHECK(streamed(store, from, to).text == tsvDocument(all));
}
