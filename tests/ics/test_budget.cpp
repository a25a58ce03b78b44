// The screen budget: a store built for the screens keeps the events nearest to now, at most
// Limits::screenEvents of them (screen::kStoreEvents, from what the layouts draw), holds at
// most twice that (or ScreenBudget's 1,024) while it ingests, and tallies what it left out.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "engine_support.hpp"
#include "ics/snapshot.hpp"
#include "ics/store.hpp"
#include "ics/store_data.hpp"
#include "ics/tsv.hpp"

using namespace cb::ics;
using cb::test::utc;
using namespace std::chrono;

namespace {

std::string event(const std::string& uid, Instant start, minutes length, int sequence = -1,
                  const std::string& summary = "") {
  return fmt::format(
      "BEGIN:VEVENT\r\nUID:{}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:{}\r\nDTEND:{}\r\n{}"
      "SUMMARY:{}\r\nEND:VEVENT\r\n",
      uid, cb::test::icsUtc(start), cb::test::icsUtc(start + length),
      sequence >= 0 ? fmt::format("SEQUENCE:{}\r\n", sequence) : "",
      summary.empty() ? uid : summary);
}

const Instant kNow = utc(2025, 3, 10, 12);

IngestOptions screens(std::size_t budget) {
  IngestOptions o;
  o.now = kNow;
  o.limits.screenEvents = budget;
  return o;
}

}  // namespace

TEST_CASE("a store for the screens keeps the events nearest to now, within its budget",
          "[ics][budget]") {
  // 1,400 hourly events from 12 hours ago (all within the 62-day horizon), each with its own
  // 100-byte title.
  std::string body;
  for (int i = 0; i < 1400; ++i)
    body += event(fmt::format("e{}", i), kNow - hours{12} + hours{i}, minutes{30}, -1,
                  fmt::format("{:0>100}", i));
  std::vector<std::string> warnings;
  IngestOptions options = screens(100);
  for (std::size_t chunk : {std::size_t(7), std::size_t(4096)}) {
    const EventStore& store = cb::test::ingestCalendar(body, "UTC", options, chunk);
    CHECK(store.eventCount() == 100);
    CHECK(store.stats().beyondBudget == 1300);
    CHECK(store.stats().events == 100);
    CHECK(store.stats().peakEvents <= 1024);  // never more than ScreenBudget::kPruneAt held
    CHECK(store.stats().peakEvents > 100);
    CHECK(store.textBytes() < 110 * 200);  // the texts of what was left out went too
    // Kept: the 10 most recent of the 12 that ended before now (the past's share of the budget,
    // kPastKept / kStoreEvents = 16 / 160 of it), then the 90 that start from now on, in order.
    const auto occ = store.occurrences(kNow - days{2}, kNow + days{60});
    REQUIRE(occ.size() == 100);
    CHECK(occ.front().start == kNow - hours{10});
    CHECK(occ[10].start == kNow);
    CHECK(occ.back().start == kNow + hours{89});
    CHECK(occ[40].summary == fmt::format("{:0>100}", 42));  // the first two left out
    // What was left out is tallied where a screen counts it: rows starting in a week from now
    // (hours 90 to 167), none that ended, none running.
    CHECK(store.leftOut().total() == 1300);
    CHECK(store.leftOut().rows(kNow, kNow + days{7}, true) == 168 - 90);
    CHECK(store.leftOut().rows(kNow + hours{100}, kNow + hours{110}, true) == 10);
    CHECK(store.leftOut().entries().size() == 1300);  // one a minute: nothing to merge
  }

  SECTION("one warning says how many") {
    std::size_t said = 0;
    Ingest ingest(screens(100), [&](std::string_view w) {
      if (w.find("1300 events beyond what the screens can show") != std::string_view::npos) ++said;
    });
    ingest.feed("BEGIN:VCALENDAR\r\n" + body + "END:VCALENDAR\r\n");
    (void)ingest.finish();
    CHECK(said == 1);
  }
  SECTION("the past keeps its share of the budget (\"No more meetings today\" needs them)") {
    const EventStore& store = cb::test::ingestCalendar(body, "UTC", screens(40));
    CHECK(store.eventCount() == 40);
    const auto occ = store.occurrences(kNow - days{2}, kNow + days{60});
    CHECK(occ.front().start == kNow - hours{4});  // 40 * 16 / 160: the 4 most recent past ones
    CHECK(occ[4].start == kNow);
  }
  SECTION("without a now (the occurrences command) every event in the window stays") {
    IngestOptions all;
    all.window = TimeWindow{kNow - days{2}, kNow + days{60}};
    all.limits.screenEvents = 100;
    const EventStore& store = cb::test::ingestCalendar(body, "UTC", all);
    CHECK(store.eventCount() == 1400);
    CHECK(store.leftOut().total() == 0);
    CHECK(store.stats().beyondBudget == 0);
  }
}

TEST_CASE("a store for the screens lasts a week offline at a full screen of meetings a day",
          "[ics][budget]") {
  // A feed of single events (a booking system's): 16 half-hour meetings a day (one 4x8 screen
  // full) for 12 days from now, and nothing recurring. The default budget is kept: with no
  // refresh for 7 days, the screen of day 8 still has every one of its meetings.
  std::string body;
  for (int day = 0; day < 12; ++day)
    for (int slot = 0; slot < 16; ++slot)
      body += event(fmt::format("d{}s{}", day, slot), kNow + days{day} + minutes{30 * slot},
                    minutes{25});
  IngestOptions options;
  options.now = kNow;
  const EventStore& store = cb::test::ingestCalendar(body, "UTC", options);
  // (No past and no all-day items here: their shares go to the rows ahead, 10 days of them.)
  CHECK(store.eventCount() == screen::kStoreEvents);
  for (int day = 0; day <= int(screen::kOfflineDays); ++day) {
    INFO("day " << day);
    CHECK(store.occurrences(kNow + days{day}, kNow + days{day + 1}).size() == 16);
  }
  CHECK(store.occurrences(kNow + days{10}, kNow + days{11}).empty());
  CHECK(store.leftOut().rows(kNow + days{10}, kNow + days{11}, true) == 16);  // counted, though
}

TEST_CASE("a revision left out past the budget does not bring back the older one",
          "[ics][budget]") {
  std::string body = event("moved", kNow + hours{1}, minutes{30}, 0, "old time");
  for (int i = 0; i < 50; ++i)
    body += event(fmt::format("f{}", i), kNow + hours{2} + minutes{i}, minutes{30});
  body += event("moved", kNow + days{30}, minutes{30}, 1, "new time");
  const EventStore& store = cb::test::ingestCalendar(body, "UTC", screens(20));
  const auto occ = store.occurrences(kNow - days{2}, kNow + days{60});
  for (const Occurrence& o : occ) CHECK(o.summary != "old time");
  CHECK(occ.size() == 19);
  CHECK(store.stats().beyondBudget == 32);
}

TEST_CASE("a store for the screens keeps only the series with an instance in its window",
          "[ics][budget]") {
  auto series = [](const std::string& uid, Instant start, const std::string& rule,
                   const std::string& extra = "") {
    return fmt::format(
        "BEGIN:VEVENT\r\nUID:{}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:{}\r\nDTEND:{}\r\n"
        "RRULE:{}\r\n{}SUMMARY:{}\r\nEND:VEVENT\r\n",
        uid, cb::test::icsUtc(start), cb::test::icsUtc(start + hours{1}), rule, extra, uid);
  };
  // The window of a store built at kNow: [kNow - 1 day, kNow + 62 days] (the default horizon).
  const std::string body =
      series("ended-count", kNow - days{700}, "FREQ=WEEKLY;COUNT=10") +
      series("ended-until", kNow - days{400},
             "FREQ=DAILY;UNTIL=" + cb::test::icsUtc(kNow - days{3})) +
      series("later", kNow + days{90}, "FREQ=DAILY") +
      series("all-excluded", kNow - days{3}, "FREQ=DAILY;COUNT=3",
             "EXDATE:" + cb::test::icsUtc(kNow - days{3}) + "," + cb::test::icsUtc(kNow - days{2}) +
                 "," + cb::test::icsUtc(kNow - days{1}) + "\r\n") +
      series("weekly", kNow - days{700}, "FREQ=WEEKLY") +
      series("ends-tomorrow", kNow - days{30},
             "FREQ=DAILY;UNTIL=" + cb::test::icsUtc(kNow + days{1})) +
      series("starts-soon", kNow + days{60}, "FREQ=YEARLY") +
      series("running", kNow - hours{2} - days{7}, "FREQ=DAILY;INTERVAL=7;COUNT=2");
  const EventStore& store = cb::test::ingestCalendar(body, "UTC", screens(100));
  CHECK(store.seriesCount() == 4);
  CHECK(store.stats().dropped == 4);
  CHECK(store.stats().events == 4);
  std::vector<std::string> shown;
  for (const Occurrence& o : store.occurrences(kNow - days{1}, kNow + days{62}))
    if (std::find(shown.begin(), shown.end(), o.summary) == shown.end())
      shown.emplace_back(o.summary);
  std::sort(shown.begin(), shown.end());
  CHECK(shown == std::vector<std::string>{"ends-tomorrow", "running", "starts-soon", "weekly"});
  SECTION("without a now (the occurrences command) every series stays") {
    IngestOptions all;
    all.window = TimeWindow{kNow - days{2}, kNow + days{60}};
    CHECK(cb::test::ingestCalendar(body, "UTC", all).seriesCount() == 8);
  }
}

TEST_CASE("matching overrides to their instances spends from the feed's expansion budget",
          "[ics][budget]") {
  auto feed = [](const std::string& freq, int overrides) {
    std::string body =
        "BEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250301T000000Z\r\n"
        "DTEND:20250301T000100Z\r\nRRULE:FREQ=" +
        freq + "\r\nSUMMARY:series\r\nEND:VEVENT\r\n";
    for (int i = 0; i < overrides; ++i) {
      const Instant at = utc(2025, 3, 2) + (freq == "DAILY" ? days{i} : days{0}) + minutes{i};
      body += fmt::format(
          "BEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20250101T000000Z\r\nRECURRENCE-ID:{}\r\n"
          "DTSTART:{}\r\nDTEND:{}\r\nSUMMARY:moved {}\r\nEND:VEVENT\r\n",
          cb::test::icsUtc(at), cb::test::icsUtc(at + hours{1}), cb::test::icsUtc(at + hours{2}),
          i);
    }
    return body;
  };
  IngestOptions options;
  options.limits.maxExpansionStepsPerFeed = 100000;
  std::vector<std::string> warnings;
  SECTION("within the budget every override replaces its instance") {
    const EventStore& store = cb::test::ingestCalendar(feed("DAILY", 50), "UTC", options);
    CHECK(store.stats().matchSteps > 0);
    CHECK(store.stats().matchSteps <= 100000);
    CHECK(store.seriesCount() == 1);
    const auto occ = store.occurrences(utc(2025, 3, 2), utc(2025, 3, 2) + days{50});
    CHECK(occ.size() == 50);  // 50 moved instances, none also at its old time
    for (const Occurrence& o : occ) CHECK(o.fromOverride);
  }
  SECTION("a minutely series with 500 overrides: its series is dropped at the budget") {
    std::size_t said = 0;
    options.displayZone = &TimeZone::utc();
    options.keepUids = true;
    Ingest ingest(options, [&](std::string_view w) {
      if (w.find("matching its overrides takes more than the expansion budget") !=
          std::string_view::npos)
        ++said;
    });
    ingest.feed("BEGIN:VCALENDAR\r\n" + feed("MINUTELY", 500) + "END:VCALENDAR\r\n");
    const EventStore store = ingest.finish();
    CHECK(said == 1);
    CHECK(store.stats().matchSteps <= 100000);  // not 500 searches of two days of minutes
    CHECK(store.seriesCount() == 0);
    CHECK(store.droppedSeries() == 1);
    CHECK(store.eventCount() == 500);  // the overrides stand as events
  }
}

TEST_CASE("the tally of what the screen budget left out survives the snapshot, checked",
          "[ics][budget]") {
  std::string body;
  for (int i = 0; i < 300; ++i)
    body += event(fmt::format("e{}", i), kNow + minutes{i}, minutes{30});
  for (int i = 0; i < 30; ++i)
    body += fmt::format(
        "BEGIN:VEVENT\r\nUID:d{}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;VALUE=DATE:20250311\r\n"
        "DTEND;VALUE=DATE:20250313\r\nSUMMARY:away\r\nEND:VEVENT\r\n",
        i);
  const EventStore& store = cb::test::ingestCalendar(body, "UTC", screens(40));
  const Date tomorrow = floor<days>(kNow) + days{1};
  REQUIRE(store.leftOut().allDayCovering(tomorrow + days{1}) > 0);
  const std::string image = serializeStore(store);
  const auto copy = deserializeStore(image);
  REQUIRE(copy);
  CHECK(copy->leftOut().entries() == store.leftOut().entries());
  CHECK(copy->leftOut().rows(kNow, kNow + days{1}, true) == 300 - 36);  // 40 - 40 * 16 / 160
  CHECK(copy->leftOut().allDayStarting(tomorrow) == store.leftOut().allDayStarting(tomorrow));
  // An all-day entry whose end is not after its start (the last entry: all-day sort last).
  std::string bad = image;
  bad.replace(bad.size() - 9, 4, bad.substr(bad.size() - 13, 4));
  CHECK_FALSE(deserializeStore(bad));
}

TEST_CASE("series only libical expands are held as their instances in the window",
          "[ics][budget]") {
  // Shapes our iterators leave to libical: every other Sunday with weeks from Monday, the
  // last weekday of the month, a birthday on the 31st, one on 30 March all day; with an
  // EXDATE, an override and a COUNT. Beside them a rule of ours, which stays a rule.
  const std::string body =
      "BEGIN:VEVENT\r\nUID:sun\r\nDTSTART:20250105T100000Z\r\nDTEND:20250105T110000Z\r\n"
      "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SU\r\nEXDATE:20250316T100000Z\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:last\r\nDTSTART;TZID=Europe/Berlin:20250131T170000\r\n"
      "DTEND;TZID=Europe/Berlin:20250131T180000\r\n"
      "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:last\r\nRECURRENCE-ID;TZID=Europe/Berlin:20250331T170000\r\n"
      "DTSTART;TZID=Europe/Berlin:20250331T150000\r\nDTEND;TZID=Europe/Berlin:20250331T160000\r\n"
      "SUMMARY:moved\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:oct\r\nDTSTART:20241031T090000Z\r\nDTEND:20241031T093000Z\r\n"
      "RRULE:FREQ=YEARLY;BYMONTH=3,10;BYMONTHDAY=31\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:day\r\nDTSTART;VALUE=DATE:20240330\r\nDTEND;VALUE=DATE:20240331\r\n"
      "RRULE:FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=30\r\nEND:VEVENT\r\n"
      // Our iterator's shape in lower case: our reader leaves the text to libical.
      "BEGIN:VEVENT\r\nUID:lower\r\nDTSTART:20250107T070000Z\r\nDTEND:20250107T073000Z\r\n"
      "RRULE:freq=weekly;byday=tu\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:ours\r\nDTSTART:20250106T080000Z\r\nDTEND:20250106T083000Z\r\n"
      "RRULE:FREQ=WEEKLY;BYDAY=MO\r\nEND:VEVENT\r\n";
  for (const char* rule :
       {"FREQ=WEEKLY;INTERVAL=2;BYDAY=SU", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
        "FREQ=YEARLY;BYMONTH=3,10;BYMONTHDAY=31", "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=30"})
    REQUIRE(expandedByLibical(rule));
  REQUIRE_FALSE(expandedByLibical("FREQ=WEEKLY;BYDAY=MO"));
  REQUIRE_FALSE(expandedByLibical("freq=weekly;byday=tu"));
  REQUIRE(libicalNeededFor("freq=weekly;byday=tu"));
  REQUIRE_FALSE(libicalNeededFor("FREQ=WEEKLY;BYDAY=MO"));

  const EventStore& whole = cb::test::ingestCalendar(body, "Europe/Berlin", IngestOptions{});
  const EventStore& screen = cb::test::ingestCalendar(body, "Europe/Berlin", screens(160));
  const Instant from = kNow - days{1}, to = kNow + days{62};
  const std::string expected = tsvDocument(whole.occurrences(from, to));
  CHECK(tsvDocument(screen.occurrences(from, to)) == expected);
  // Every family is in the window: 2025-03-30 (Sunday, and the all-day birthday), 03-28
  // moved to 03-31 15:00 local, 03-31 09:00Z.
  for (const char* at : {"2025-03-30T10:00:00Z", "2025-03-31T13:00:00Z", "2025-03-31T09:00:00Z",
                         "2025-03-30\t", "2025-03-10T08:00:00Z"})
    CHECK(expected.find(at) != std::string::npos);
  CHECK(expected.find("2025-03-16T10:00:00Z") == std::string::npos);  // the EXDATE
  CHECK(expected.find("2025-04-30T15:00:00Z") == std::string::npos);  // past the COUNT
  // The image holds the instances, not the rules: the daemon reads it without libical.
  const std::string image = serializeStore(screen);
  CHECK(image.find("BYSETPOS") == std::string::npos);
  CHECK(image.find("INTERVAL=2") == std::string::npos);
  CHECK(image.find("BYMONTHDAY") == std::string::npos);
  CHECK(image.find("freq=weekly") == std::string::npos);
  CHECK(expected.find("2025-03-11T07:00:00Z") != std::string::npos);
  CHECK(image.find("FREQ=WEEKLY;BYDAY=MO") != std::string::npos);
  const std::optional<EventStore> back = deserializeStore(image);
  REQUIRE(back);
  CHECK(tsvDocument(back->occurrences(from, to)) == expected);

  // More instances than a store keeps of a series: the rule stays (and libical expands it).
  IngestOptions capped = screens(160);
  capped.limits.maxOccurrencesPerSeries = 2;
  CHECK(serializeStore(cb::test::ingestCalendar(body, "Europe/Berlin", capped))
            .find("INTERVAL=2;BYDAY=SU") != std::string::npos);
}
