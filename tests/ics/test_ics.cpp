// ics: unfolding, parameters, time zones, all-day dates, durations and the TSV format.
#include <catch2/catch.hpp>

#include <algorithm>

#include "ics/store.hpp"
#include "ics/store_data.hpp"
#include "ics/tsv.hpp"
#include "support.hpp"

using namespace cb::ics;
using namespace std::chrono;

namespace {

Instant utc(int y, int mo, int d, int h = 0, int mi = 0) {
  return Instant{sys_days{year{y} / mo / d}} + hours{h} + minutes{mi};
}

std::vector<Occurrence> ingestAll(std::string_view text, std::size_t chunk = 4096,
                                  const TimeZone* zone = &TimeZone::utc(),
                                  IngestOptions options = {}) {
  options.displayZone = zone;
  options.keepUids = true;
  Ingest ingest(options);
  for (std::size_t i = 0; i < text.size(); i += chunk) ingest.feed(text.substr(i, chunk));
  static std::vector<EventStore> keep;  // the occurrences' text views live in the store
  keep.push_back(ingest.finish());
  return keep.back().occurrences(utc(1970, 1, 1), utc(2100, 1, 1));
}

}  // namespace

TEST_CASE("unfolding gives the same result for every chunking", "[ics]") {
  const std::string text =
      "\xEF\xBB\xBF"
      "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20250310T090000Z\r\n"
      "SUMMARY:Hello\\, wor\r\n ld\\nsecond\\;line \\\\ end\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
  for (std::size_t chunk :
       {std::size_t(1), std::size_t(2), std::size_t(3), std::size_t(7), std::size_t(4096)}) {
    const auto occ = ingestAll(text, chunk);
    REQUIRE(occ.size() == 1);
    CHECK(occ[0].summary == "Hello, world\nsecond;line \\ end");
    CHECK(occ[0].uid == "a");
    CHECK(occ[0].start == utc(2025, 3, 10, 9));
    CHECK(occ[0].end == occ[0].start);
  }
}

TEST_CASE("line ends, names folded inside, control bytes: the same for every chunking", "[ics]") {
  // CRLF, LF and lone CR line ends; a name folded before its ':' (read after unfolding);
  // a folded BEGIN value; TAB and control bytes the line-end scan must pass over; long
  // lines so that 64-byte blocks and chunk ends fall everywhere.
  const std::string pad(70, 'p');
  const std::string text =
      "BEGIN:VCALENDAR\r\nBEGIN:VEV\r\n ENT\nUID:a\rDTST\r\n\tART:20250310T090000Z\r\n"
      "DESCRIPTION:" +
      pad + "\x01\x0B\x0C\t" + pad + "\r\n " + pad +
      "\r\n"
      "SUMM\r\n ARY:Fo\r\n\tlded\r\nX-MICROSOFT-CDO-BUSYSTATUS:FREE\r\n"
      "X-MICROSOFT-CDO-IMPORTANCE:1\r\nLOCATION:" +
      pad + "\x0B\r\n " + pad +
      "\r\r\n"
      "END:VEVENT\r\nBEGIN:VEVENT\nUID:b\nDTSTART:20250311T090000Z\nSUMMARY:Second\nEND:VEVE"
      "NT\nEND:VCALENDAR\n";
  for (std::size_t chunk = 1; chunk <= 200; chunk += (chunk < 70 ? 1 : 13)) {
    INFO("chunk " << chunk);
    const auto occ = ingestAll(text, chunk);
    REQUIRE(occ.size() == 2);
    CHECK(occ[0].uid == "a");
    CHECK(occ[0].start == utc(2025, 3, 10, 9));
    CHECK(occ[0].summary == "Folded");
    CHECK(occ[0].busy == BusyStatus::Free);
    CHECK(occ[0].location == pad + "\x0B" + pad);
    CHECK(occ[1].summary == "Second");
  }
}

TEST_CASE("LF-only line ends and quoted parameters", "[ics]") {
  const auto occ = ingestAll(
      "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:b\nDTSTART;TZID=\"Europe/Berlin\":20250310T090000\n"
      "DTEND;TZID=Europe/Berlin:20250310T100000\n"
      "ATTENDEE;CN=\"Doe; Jane: CEO\";PARTSTAT=DECLINED:mailto:Me@Example.com\n"
      "END:VEVENT\nEND:VCALENDAR\n",
      4096, &TimeZone::utc(), IngestOptions{.ownerEmails = {"me@example.com"}});
  REQUIRE(occ.size() == 1);
  CHECK(occ[0].start == utc(2025, 3, 10, 8));  // CET is UTC+1 in March before the switch
  CHECK(occ[0].end == utc(2025, 3, 10, 9));
  CHECK(occ[0].response == Response::Declined);
}

TEST_CASE("time zones across DST in both directions", "[ics]") {
  const TimeZone* berlin = TimeZone::locate("Europe/Berlin");
  REQUIRE(berlin != nullptr);
  CHECK(berlin->toInstant(LocalSeconds{local_days{year{2025} / 3 / 29}} + hours{12}) ==
        utc(2025, 3, 29, 11));
  CHECK(berlin->toInstant(LocalSeconds{local_days{year{2025} / 3 / 31}} + hours{12}) ==
        utc(2025, 3, 31, 10));
  CHECK(berlin->toLocal(utc(2025, 10, 26, 0, 30)) ==
        LocalSeconds{local_days{year{2025} / 10 / 26}} + hours{2} + minutes{30});
  CHECK(berlin->toLocal(utc(2025, 10, 26, 1, 30)) ==
        LocalSeconds{local_days{year{2025} / 10 / 26}} + hours{2} + minutes{30});
  CHECK(TimeZone::locate("Not/AZone") == nullptr);
}

TEST_CASE("the owner's response, whatever the address's spelling; others' do not count", "[ics]") {
  const IngestOptions owner{.ownerEmails = {"me@example.com"}};
  auto response = [&](std::string_view attendees) {
    const auto occ = ingestAll("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:r\nDTSTART:20250310T090000Z\n" +
                                   std::string(attendees) + "END:VEVENT\nEND:VCALENDAR\n",
                               4096, &TimeZone::utc(), owner);
    REQUIRE(occ.size() == 1);
    return occ[0].response;
  };
  CHECK(response("ATTENDEE;PARTSTAT=ACCEPTED:MAILTO:ME@EXAMPLE.COM\n") == Response::Accepted);
  CHECK(response("ATTENDEE;PARTSTAT=TENTATIVE:me@example.com\n") == Response::Tentative);
  CHECK(response("ATTENDEE;PARTSTAT=DECLINED:mailto:you@example.com\n"
                 "ATTENDEE;PARTSTAT=ACCEPTED;CN=\"me@example.com\":mailto:x@example.com\n") ==
        Response::None);
  CHECK(response("ATTENDEE;PARTSTAT=DECLINED:mailto:you@example.com\n"
                 "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=DECLINED:mailto:me@example.com\n") ==
        Response::Declined);
}

TEST_CASE("all-day events are VALUE=DATE and cover local days", "[ics]") {
  const TimeZone* ny = TimeZone::locate("America/New_York");
  const auto occ = ingestAll(
      "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:c\nDTSTART;VALUE=DATE:20250310\nSUMMARY:Holiday\n"
      "END:VEVENT\nBEGIN:VEVENT\nUID:d\nDTSTART:20250311T000000\nSUMMARY:Midnight\nEND:VEVENT\n"
      "END:VCALENDAR\n",
      4096, ny);
  REQUIRE(occ.size() == 2);
  CHECK(occ[0].allDay);
  CHECK(occ[0].startDate == sys_days{year{2025} / 3 / 10});
  CHECK(occ[0].endDate == sys_days{year{2025} / 3 / 11});  // no DTEND: one day
  CHECK(occ[0].start == utc(2025, 3, 10, 4));              // EDT started 9 March
  CHECK_FALSE(occ[1].allDay);                              // 00:00 is not all-day
  CHECK(occ[1].start == utc(2025, 3, 11, 4));              // floating: display zone
}

TEST_CASE("DURATION and a missing DTEND", "[ics]") {
  const auto occ = ingestAll(
      "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:e\nDTSTART:20250310T090000Z\nDURATION:PT1H30M\n"
      "END:VEVENT\nBEGIN:VEVENT\nUID:f\nDTSTART:20250311T090000Z\nDURATION:P1W\nEND:VEVENT\n"
      "END:VCALENDAR\n");
  REQUIRE(occ.size() == 2);
  CHECK(occ[0].end - occ[0].start == minutes{90});
  CHECK(occ[1].end - occ[1].start == weeks{1});
}

TEST_CASE("bad events are skipped and counted, the rest kept", "[ics]") {
  std::vector<std::string> warnings;
  IngestOptions options;
  Ingest ingest(options, [&](std::string_view w) { warnings.emplace_back(w); });
  ingest.feed(
      "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:g\nDTSTART:2025031\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:h\nSUMMARY:no start\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:i\nDTSTART:20250310T100000Z\nDTEND:20250310T090000Z\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:j\nDTSTART:20250310T100000Z\nSUMMARY:good\nEND:VEVENT\n"
      "END:VCALENDAR\n");
  const EventStore store = ingest.finish();
  CHECK(store.stats().skipped == 3);
  CHECK(store.stats().events == 1);
  CHECK(warnings.size() == 3);
  CHECK(store.eventCount() == 1);
}

// libical's iterator stops at the end of 2037 where time_t has 32 bits (armhf): a rule only it
// expands is announced there, and its instances end in 2037 instead of wrapping around.
TEST_CASE("rules libical expands are announced on 32-bit time_t systems", "[ics]") {
  CHECK(expandedByLibical("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"));
  CHECK(expandedByLibical("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=2"));
  CHECK_FALSE(expandedByLibical("FREQ=WEEKLY;BYDAY=MO,WE"));
  CHECK_FALSE(expandedByLibical("FREQ=MONTHLY;BYDAY=-1FR"));

  std::vector<std::string> warnings;
  IngestOptions options;
  options.keepUids = true;
  Ingest ingest(options, [&](std::string_view w) { warnings.emplace_back(w); });
  ingest.feed(
      "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:last-workday\nDTSTART:20250331T090000Z\n"
      "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:weekly\nDTSTART:20250310T090000Z\nRRULE:FREQ=WEEKLY\nEND:VEVENT\n"
      "END:VCALENDAR\n");
  const EventStore store = ingest.finish();
  REQUIRE(warnings.size() == (sizeof(time_t) < 8 ? 1u : 0u));
  if (!warnings.empty()) CHECK(warnings[0].find("last-workday") != std::string::npos);
  std::size_t lastWorkdays = 0;
  for (const Occurrence& o : store.occurrences(utc(2037, 11, 1), utc(2038, 3, 1)))
    lastWorkdays += o.uid == "last-workday";
  // November and December 2037, and 2038's first two months where time_t has 64 bits.
  CHECK(lastWorkdays == (sizeof(time_t) < 8 ? 2u : 4u));
}

TEST_CASE("a component over the size limit is skipped, not the feed", "[ics]") {
  IngestOptions options;
  options.limits.maxComponentBytes = 200;
  Ingest ingest(options);
  ingest.feed("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20250310T100000Z\nDESCRIPTION:" +
              std::string(400, 'x') +
              "\nEND:VEVENT\nBEGIN:VEVENT\nDTSTART:20250310T110000Z\nEND:VEVENT\nEND:VCALENDAR\n");
  const EventStore store = ingest.finish();
  CHECK(store.stats().skipped == 1);
  CHECK(store.stats().events == 1);
}

TEST_CASE("a skimmed, folded DESCRIPTION still counts towards the component limit", "[ics]") {
  IngestOptions options;
  options.limits.maxComponentBytes = 200;
  std::string folded = "DESCRIPTION:start";
  for (int i = 0; i < 10; ++i) folded += "\r\n " + std::string(30, char('a' + i));
  Ingest ingest(options);
  ingest.feed("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20250310T100000Z\r\n" + folded +
              "\r\nSUMMARY:too big\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART:20250310T110000Z\r\n"
              "DESCRIPTION:short\r\n  and folded\r\nSUMMARY:kept\r\nEND:VEVENT\r\n"
              "END:VCALENDAR\r\n");
  const EventStore store = ingest.finish();
  CHECK(store.stats().skipped == 1);
  CHECK(store.stats().events == 1);
  const auto occ = store.occurrences(utc(2025, 3, 10), utc(2025, 3, 11));
  REQUIRE(occ.size() == 1);
  CHECK(occ[0].summary == "kept");
}

TEST_CASE("properties after a skimmed DESCRIPTION are read, whatever the chunking", "[ics]") {
  const std::string feed =
      "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:s\nDESCRIPTION:one\n two\n\tthree\nX-ALT-DESC;FMTTYPE=t"
      "ext/html:<p>\n </p>\nDTSTART:20250310T100000Z\nSUMMARY:Weekly\n  sync\nRRULE:FREQ=DAILY;CO"
      "UNT=3\nEND:VEVENT\nEND:VCALENDAR\n";
  for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{7}, feed.size()}) {
    const auto occ = ingestAll(feed, chunk);
    INFO("chunk " << chunk);
    REQUIRE(occ.size() == 3);
    CHECK(occ[2].summary == "Weekly sync");
    CHECK(occ[2].start == utc(2025, 3, 12, 10));
  }
}

TEST_CASE("with a window, an override still replaces its instance", "[ics]") {
  IngestOptions options;
  options.now = utc(2025, 3, 10);
  options.horizon = days{30};
  const auto occ = ingestAll(
      "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:w\nDTSTART:20250101T100000Z\nDTEND:20250101T103000Z\n"
      "RRULE:FREQ=DAILY\nSUMMARY:Standup\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:w\nRECURRENCE-ID:20250312T100000Z\nDTSTART:20250312T140000Z\n"
      "DTEND:20250312T143000Z\nSUMMARY:Standup (moved)\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:w\nRECURRENCE-ID:20250105T100000Z\nDTSTART:20250105T150000Z\n"
      "DTEND:20250105T153000Z\nSUMMARY:Long ago\nEND:VEVENT\nEND:VCALENDAR\n",
      4096, &TimeZone::utc(), options);
  std::vector<std::pair<Instant, std::string_view>> on12;
  for (const auto& o : occ)
    if (o.start >= utc(2025, 3, 12) && o.start < utc(2025, 3, 13))
      on12.emplace_back(o.start, o.summary);
  REQUIRE(on12.size() == 1);
  CHECK(on12[0].first == utc(2025, 3, 12, 14));
  CHECK(on12[0].second == "Standup (moved)");
  CHECK(std::none_of(occ.begin(), occ.end(),  // outside the window: dropped
                     [](const auto& o) { return o.summary == "Long ago"; }));
}

TEST_CASE("ingest window drops far-away events", "[ics]") {
  IngestOptions options;
  options.now = utc(2025, 3, 10);
  options.horizon = days{30};
  Ingest ingest(options);
  ingest.feed(
      "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20240310T100000Z\nEND:VEVENT\n"
      "BEGIN:VEVENT\nDTSTART:20250311T100000Z\nEND:VEVENT\n"
      "BEGIN:VEVENT\nDTSTART:20260310T100000Z\nEND:VEVENT\nEND:VCALENDAR\n");
  const EventStore store = ingest.finish();
  CHECK(store.stats().dropped == 2);
  CHECK(store.eventCount() == 1);
}

TEST_CASE("not a calendar is reported", "[ics]") {
  const LoadResult r = loadFile(cb::test::fixture("not-a-calendar.txt"), IngestOptions{});
  CHECK_FALSE(r.error.empty());
  const LoadResult missing = loadFile("/nonexistent/file.ics", IngestOptions{});
  CHECK(missing.error.find("cannot open") != std::string::npos);
}

TEST_CASE("TSV lines escape and sort byte-wise", "[ics]") {
  Occurrence a;
  a.start = utc(2025, 3, 10, 9);
  a.end = utc(2025, 3, 10, 10);
  a.uid = "u\t1";
  a.statusText = "CONFIRMED";
  a.summary = "back\\slash\nnew";
  Occurrence b;
  b.allDay = true;
  b.startDate = sys_days{year{2025} / 3 / 1};
  b.endDate = sys_days{year{2025} / 3 / 2};
  b.uid = "u2";
  CHECK(tsvLine(a) ==
        "2025-03-10T09:00:00Z\t2025-03-10T10:00:00Z\tu\\t1\t\tCONFIRMED\tback\\\\slash\\nnew");
  CHECK(tsvDocument({a, b}) == "2025-03-01\t2025-03-02\tu2\t\t\t\n" + tsvLine(a) + "\n");
}

TEST_CASE("ISO instants on the command line", "[ics]") {
  const TimeZone* berlin = TimeZone::locate("Europe/Berlin");
  CHECK(parseIsoInstant("2025-03-10T09:30:00", *berlin) == utc(2025, 3, 10, 8, 30));
  CHECK(parseIsoInstant("2025-03-10T09:30:00Z", *berlin) == utc(2025, 3, 10, 9, 30));
  CHECK(parseIsoInstant("2025-03-10T09:30:00+02:00", *berlin) == utc(2025, 3, 10, 7, 30));
  CHECK(parseIsoInstant("2025-03-10", *berlin) == utc(2025, 3, 9, 23));
  CHECK_FALSE(parseIsoInstant("2025-13-10", *berlin));
  CHECK_FALSE(parseIsoInstant("yesterday", *berlin));
  CHECK_FALSE(parseIsoInstant("2025-03-10T25:00", *berlin));
}
