// Text formatting shared by the layouts: clock times, dates, countdowns, locations.
#pragma once

#include <string>
#include <string_view>

#include "ics/time.hpp"

namespace cb::layouts {

// "14:05" or "2:05 PM" in `zone`.
[[nodiscard]] std::string clockTime(ics::Instant t, const ics::TimeZone& zone, bool use24h);
// "10:00 – 11:00"; 12 h: "10:00 – 11:00 AM", or "11:30 AM – 12:30 PM" across noon.
[[nodiscard]] std::string timeRange(ics::Instant start, ics::Instant end, const ics::TimeZone& zone,
                                    bool use24h);
// "Monday, 10 March"
[[nodiscard]] std::string longDate(ics::Instant t, const ics::TimeZone& zone);
// "Monday"
[[nodiscard]] std::string weekdayName(ics::Date d);
// "10 March 2025"
[[nodiscard]] std::string dayMonthYear(ics::Date d);
// "Mon 10 Mar"
[[nodiscard]] std::string shortDate(ics::Date d);
// "Today", "Tomorrow", or "Wednesday 12 March" relative to `today`.
[[nodiscard]] std::string dayHeading(ics::Date d, ics::Date today);

struct Countdown {
  std::string number;  // "58", "2", "3"
  std::string units;   // "MINUTES", "HOURS 58 MINUTES", "DAYS"
};
// Time left, rounded up to whole minutes (a meeting in 30 s is "1 MINUTE").
[[nodiscard]] Countdown countdown(std::chrono::seconds left);
// Whole minutes left, rounded up, never negative.
[[nodiscard]] long minutesLeft(std::chrono::seconds left);
// "in 12 min", "in 1 h 5 min"
[[nodiscard]] std::string startsIn(std::chrono::seconds left);
// "25 min left", "1 h 5 min left"
[[nodiscard]] std::string remaining(std::chrono::seconds left);

// The location worth showing: online-meeting boilerplate ("Microsoft Teams
// Meeting", "Zoom Meeting", join URLs, …) is dropped, real rooms are kept
// ("Room Ada; Microsoft Teams Meeting" → "Room Ada").
[[nodiscard]] std::string displayLocation(std::string_view location);

// One line of display text: control characters and runs of white space become
// single spaces, invalid UTF-8 becomes U+FFFD, surrounding space is trimmed.
[[nodiscard]] std::string cleanText(std::string_view text);

}  // namespace cb::layouts
