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
// "10 Mar 2025": where a long month name would crowd out something that matters more.
[[nodiscard]] std::string dayMonYear(ics::Date d);
// "Mon 10 Mar"
[[nodiscard]] std::string shortDate(ics::Date d);
// The one day heading of both layouts: "Today", "Tomorrow", or "Wednesday 12 March".
[[nodiscard]] std::string dayHeading(ics::Date d, ics::Date today);

// When something happened, for stale-data notes: "18:05" today, "yesterday 23:00",
// "Fri 18:05" within the last week, "3 Mar 18:05" before that. A bare time always
// means today: a reader takes "since 18:05" for this evening.
[[nodiscard]] std::string stamp(ics::Instant t, ics::Instant now, const ics::TimeZone& zone,
                                bool use24h);

// A clock time as read on `day`: "17:00" on that day, "Wed 17:00" on another.
[[nodiscard]] std::string clockOn(ics::Instant t, ics::Date day, const ics::TimeZone& zone,
                                  bool use24h);

// An event's times as read on `day` (the screen's today, or the day a row is listed
// under): "10:00 – 11:00" when it starts and ends that day, "Sun 09:00 – Wed 17:00"
// when either end lies on another day, a single "10:00" for a zero-length reminder.
[[nodiscard]] std::string eventTimes(ics::Instant start, ics::Instant end, ics::Date day,
                                     const ics::TimeZone& zone, bool use24h);

// Text from a calendar inside a left-to-right line we compose, so a Hebrew or Arabic field keeps
// its own direction without reordering its neighbours: an embedding of the field's first strong
// direction (LRE or RLE … PDF) between LEFT-TO-RIGHT MARKs, UAX #9's isolation before isolates.
// Not FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE: no font of the theme but Symbola has
// them, Pango shapes a control with the font around it, and measuring the "missing" glyph
// loaded a monospace font for a hex box never drawn (0.6 MB resident in the daemon).
[[nodiscard]] bool firstStrongIsRtl(std::string_view text);
[[nodiscard]] std::string isolate(std::string_view field);
// A composed line read left to right whatever its fields: a LEFT-TO-RIGHT MARK
// first, so the paragraph's base direction never comes from a calendar field.
[[nodiscard]] std::string ltrLine(std::string_view line);
// A calendar field alone on a left-aligned line of a list: isolated in a left-to-right
// line, so a Hebrew or Arabic title starts beside its time like every other row.
[[nodiscard]] std::string ltrField(std::string_view field);

struct Countdown {
  std::string number;  // "58", "2", "3"
  std::string units;   // "MINUTES", "HOURS 58 MINUTES", "DAYS"
};
// Time left, rounded up to whole minutes (a meeting in 30 s is "1 MINUTE").
[[nodiscard]] Countdown countdown(std::chrono::seconds left);
// Whole minutes left, rounded up, never negative.
[[nodiscard]] long minutesLeft(std::chrono::seconds left);
// The small-text form of the countdown's words, same rounding and units:
// "12 min", "1 h 5 min", "2 days 7 h".
[[nodiscard]] std::string duration(std::chrono::seconds left);
// "in 12 min", "in 1 h 5 min", "in 2 days 7 h"
[[nodiscard]] std::string startsIn(std::chrono::seconds left);
// "25 min left", "1 h 5 min left", "2 days 7 h left"
[[nodiscard]] std::string remaining(std::chrono::seconds left);

// The location worth showing: online-meeting boilerplate ("Microsoft Teams
// Meeting", "Zoom Meeting", join URLs, …) is dropped, real rooms are kept
// ("Room Ada; Microsoft Teams Meeting" → "Room Ada").
[[nodiscard]] std::string displayLocation(std::string_view location);

// One line of display text: control characters and runs of white space become
// single spaces, invalid UTF-8 becomes U+FFFD, HTML character references some
// calendars export ("R&amp;D", "&#8211;") are decoded, surrounding space is trimmed.
[[nodiscard]] std::string cleanText(std::string_view text);

}  // namespace cb::layouts
