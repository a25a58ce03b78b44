// Helpers of the engine tests: UTC instants, and calendars ingested in chunks whose stores
// stay alive for the test run (occurrences view text their store owns).
#pragma once

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <deque>
#include <string>

#include "ics/store.hpp"

namespace cb::test {

inline ics::Instant utc(int y, int mo, int d, int h = 0, int mi = 0) {
  using namespace std::chrono;
  return ics::Instant{sys_days{year{y} / mo / d}} + hours{h} + minutes{mi};
}

// An instant as an iCalendar UTC DATE-TIME (20250310T120000Z), to the second.
inline std::string icsUtc(ics::Instant t) {
  return fmt::format("{:%Y%m%dT%H%M%SZ}", std::chrono::floor<std::chrono::seconds>(t));
}

// `body` (VEVENTs) inside a VCALENDAR after `calendarProps`, fed `chunk` bytes at a time
// with the display zone `zone` and UIDs kept.
inline ics::EventStore& ingestCalendar(const std::string& body, const char* zone,
                                       ics::IngestOptions options, std::size_t chunk = 4096,
                                       const std::string& calendarProps = "") {
  static std::deque<ics::EventStore> stores;
  options.displayZone = ics::TimeZone::locate(zone);
  options.keepUids = true;
  ics::Ingest ingest(options);
  const std::string text =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + calendarProps + body + "END:VCALENDAR\r\n";
  for (std::size_t i = 0; i < text.size(); i += chunk)
    ingest.feed(std::string_view(text).substr(i, chunk));
  stores.push_back(ingest.finish());
  return stores.back();
}

}  // namespace cb::test
