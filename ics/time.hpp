// Instants, civil times and display time zones shared by every module.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cb::ics {

// Instants are UTC seconds; civil (wall-clock) values only exist at the edges.
using Instant = std::chrono::sys_seconds;
using LocalSeconds = std::chrono::local_seconds;
using Date = std::chrono::sys_days;  // a civil date, independent of any zone

struct CivilTime {
  std::chrono::year_month_day date;
  std::chrono::hh_mm_ss<std::chrono::seconds> time{std::chrono::seconds{0}};
};

// An IANA zone (tzdata through libical). Lookups are cached; the returned
// pointer lives as long as the process.
class TimeZone {
 public:
  [[nodiscard]] static const TimeZone* locate(std::string_view name);
  [[nodiscard]] static const TimeZone& utc();

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] LocalSeconds toLocal(Instant t) const;
  // A wall-clock time in this zone as an instant. In a DST gap the time is
  // moved forward by the gap; in an overlap the earlier instant is chosen.
  [[nodiscard]] Instant toInstant(LocalSeconds local) const;
  // Midnight that starts the civil date in this zone.
  [[nodiscard]] Instant startOfDay(Date d) const;
  [[nodiscard]] Date dateOf(Instant t) const;

  struct Impl;
  TimeZone(std::string name, void* icalZone) : name_(std::move(name)), zone_(icalZone) {}

 private:
  std::string name_;
  void* zone_;  // icaltimezone*, owned by libical's builtin cache
};

// Parses "2025-03-10T09:30:00" (wall clock in `tz`), "...Z" or "...+01:00"
// (absolute), or "2025-03-10" (midnight in `tz`).
[[nodiscard]] std::optional<Instant> parseIsoInstant(std::string_view text, const TimeZone& tz);

// "2025-03-10T08:30:00Z"
[[nodiscard]] std::string formatUtc(Instant t);
// "2025-03-10"
[[nodiscard]] std::string formatDate(Date d);

}  // namespace cb::ics
