// RFC 5545 yearly shapes our RRULE iterator takes with the RFC's semantics where libical 3.0
// differs (issue 16): YEARLY with BYMONTHDAY (and BYDAY) but no BYMONTH expands to every
// month; YEARLY;BYWEEKNO=n means the days of week n. `calendarbot occurrences` against
// /usr/bin/python3 ../shared/ics-oracle/occurrences.py, line by line, in several zones.
// DTSTART is always an instance of its rule (the oracle and we count a stray DTSTART
// differently against COUNT).
#include <cstdio>
#include <string>
#include <vector>

#include "child.hpp"
#include "support.hpp"

namespace {

constexpr const char* kCalendar =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calendarbot//yearly oracle test//EN\r\n"
    // Friday the 13th, every month that has one.
    "BEGIN:VEVENT\r\nUID:fri13\r\nDTSTART:20250613T090000Z\r\nDTEND:20250613T100000Z\r\n"
    "RRULE:FREQ=YEARLY;BYMONTHDAY=13;BYDAY=FR;COUNT=6\r\nSUMMARY:Friday 13\r\nEND:VEVENT\r\n"
    // The 15th of every month, zoned; and the last day of every month, all-day.
    "BEGIN:VEVENT\r\nUID:md15\r\nDTSTART;TZID=Europe/Berlin:20250115T183000\r\n"
    "DURATION:PT1H\r\nRRULE:FREQ=YEARLY;BYMONTHDAY=15;UNTIL=20260301T000000Z\r\n"
    "SUMMARY:Mid-month\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:last\r\nDTSTART;VALUE=DATE:20250131\r\n"
    "RRULE:FREQ=YEARLY;BYMONTHDAY=-1;COUNT=14\r\nSUMMARY:Month end\r\nEND:VEVENT\r\n"
    // Weekends on the 1st or 2nd, every other year.
    "BEGIN:VEVENT\r\nUID:wknd\r\nDTSTART:20250301T080000\r\nDTEND:20250301T090000\r\n"
    "RRULE:FREQ=YEARLY;INTERVAL=2;BYMONTHDAY=1,2;BYDAY=SA,SU\r\nSUMMARY:Weekend start\r\n"
    "END:VEVENT\r\n"
    // Week 20, every day; week 1 and 33 on Tuesdays and Thursdays; week 2 with WKST=SU.
    "BEGIN:VEVENT\r\nUID:wk20\r\nDTSTART:20250512T090000Z\r\nRRULE:FREQ=YEARLY;BYWEEKNO=20\r\n"
    "SUMMARY:Week 20\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:wk1\r\nDTSTART:20250102T070000Z\r\nDURATION:PT30M\r\n"
    "RRULE:FREQ=YEARLY;BYWEEKNO=1,33;BYDAY=TU,TH\r\nSUMMARY:Weeks 1 and 33\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:wk2su\r\nDTSTART;VALUE=DATE:20250106\r\n"
    "RRULE:FREQ=YEARLY;BYWEEKNO=2;BYDAY=MO;WKST=SU;COUNT=4\r\nSUMMARY:Week 2 (Sunday weeks)\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n";

}  // namespace

int main(int argc, char** argv) {
  if (const auto launched = cb::test::launcherMain(argc, argv)) return *launched;
  const std::string binary = cb::test::env("CB_BINARY");
  const std::string oracle =
      cb::test::env("CB_SOURCE_ROOT") + "/../shared/ics-oracle/occurrences.py";
  cb::test::TempDir dir("cb-yearly-oracle");
  const std::string file = dir.write("yearly.ics", kCalendar);
  int failures = 0;
  for (const char* zone : {"UTC", "Europe/Berlin", "America/Los_Angeles", "Pacific/Auckland"}) {
    const auto ours =
        cb::test::runWithDeadline({binary, "occurrences", file, "--from", "2025-01-01T00:00:00Z",
                                   "--to", "2029-01-01T00:00:00Z", "--tz", zone},
                                  std::chrono::seconds{60});
    const auto want = cb::test::runWithDeadline(
        {"/usr/bin/python3", oracle, file, "2025-01-01T00:00:00Z", "2029-01-01T00:00:00Z", zone},
        std::chrono::seconds{120});
    if (want.exitCode != 0 || want.err.find("WARNING") != std::string::npos) {
      std::fprintf(stderr, "%s: the oracle failed: %s\n", zone, want.err.c_str());
      ++failures;
      continue;
    }
    if (ours.exitCode != 0 || ours.out != want.out) {
      std::fprintf(stderr,
                   "%s: calendarbot (exit %d) differs from the oracle\n--- ours\n%s--- oracle\n%s",
                   zone, ours.exitCode, ours.out.c_str(), want.out.c_str());
      ++failures;
    }
  }
  std::printf("%d of 4 zones differ\n", failures);
  return failures == 0 ? 0 : 1;
}
