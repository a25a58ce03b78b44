// Text formatting shared by the layouts: clock times, dates, countdowns.
#pragma once

#include <string>

#include "ics/time.hpp"

namespace cb::layouts {

// "14:05" or "2:05 PM" in `zone`.
[[nodiscard]] std::string clockTime(ics::Instant t, const ics::TimeZone& zone, bool use24h);
// "Monday, 10 March"
[[nodiscard]] std::string longDate(ics::Instant t, const ics::TimeZone& zone);
// "Mon 10 Mar"
[[nodiscard]] std::string shortDate(ics::Date d);

struct Countdown {
  std::string number;  // "58", "2", "3"
  std::string units;   // "MINUTES", "HOURS 58 MINUTES", "DAYS"
};
// Time left, rounded up to whole minutes (a meeting in 30 s is "1 MINUTE").
[[nodiscard]] Countdown countdown(std::chrono::seconds left);

}  // namespace cb::layouts
