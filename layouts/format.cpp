// Clock, date and countdown strings.
#include "layouts/format.hpp"

#include <fmt/format.h>

#include <array>

namespace cb::layouts {
namespace {
using namespace std::chrono;
constexpr std::array<const char*, 7> kWeekdays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                  "Thursday", "Friday", "Saturday"};
constexpr std::array<const char*, 12> kMonths = {"January",   "February", "March",    "April",
                                                 "May",       "June",     "July",     "August",
                                                 "September", "October",  "November", "December"};
}  // namespace

std::string clockTime(ics::Instant t, const ics::TimeZone& zone, bool use24h) {
  const auto local = zone.toLocal(t);
  const hh_mm_ss hms{local - floor<days>(local)};
  const long h = hms.hours().count();
  const long m = hms.minutes().count();
  if (use24h) return fmt::format("{:02}:{:02}", h, m);
  return fmt::format("{}:{:02} {}", h % 12 == 0 ? 12 : h % 12, m, h < 12 ? "AM" : "PM");
}

std::string longDate(ics::Instant t, const ics::TimeZone& zone) {
  const auto day = floor<days>(zone.toLocal(t));
  const year_month_day ymd{day};
  const weekday wd{day};
  return fmt::format("{}, {} {}", kWeekdays[wd.c_encoding()], unsigned(ymd.day()),
                     kMonths[unsigned(ymd.month()) - 1]);
}

std::string shortDate(ics::Date d) {
  const year_month_day ymd{d};
  const weekday wd{d};
  return fmt::format("{:.3} {} {:.3}", kWeekdays[wd.c_encoding()], unsigned(ymd.day()),
                     kMonths[unsigned(ymd.month()) - 1]);
}

Countdown countdown(seconds left) {
  const long mins = std::max<long>(0, (left.count() + 59) / 60);
  if (mins < 60) return {fmt::format("{}", mins), mins == 1 ? "MINUTE" : "MINUTES"};
  const long hrs = mins / 60;
  if (hrs < 24) {
    const long rest = mins % 60;
    return {fmt::format("{}", hrs), fmt::format("{} {} {}", hrs == 1 ? "HOUR" : "HOURS", rest,
                                                rest == 1 ? "MINUTE" : "MINUTES")};
  }
  const long d = hrs / 24;
  return {fmt::format("{}", d), d == 1 ? "DAY" : "DAYS"};
}

}  // namespace cb::layouts
