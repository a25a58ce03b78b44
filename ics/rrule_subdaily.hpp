// Our iterator for SECONDLY/MINUTELY/HOURLY rules, and the cheap test for rules that never
// match: libical's iterator searches candidate by candidate until year 2582 inside one call,
// which no budget of ours can interrupt, so these shapes never reach it.
#pragma once

#include <libical/ical.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "ics/time.hpp"

namespace cb::ics {

// Whether `day` passes the rule's day-level parts: BYMONTH, BYMONTHDAY, BYYEARDAY and BYDAY
// (its weekday; an ordinal is not checked, so for MONTHLY/YEARLY rules this is a superset).
// BYWEEKNO and BYSETPOS are not checked either.
[[nodiscard]] bool dayPasses(const icalrecurrencetype& r, std::chrono::local_days day);

// True when no instance can follow DTSTART: no day in the eight years from DTSTART (a leap
// cycle, every weekday of every date) passes the day-level parts (DAILY: on the INTERVAL's
// days), or, below DAILY, no time of day the rule names lies on its INTERVAL's grid.
// Cost: at most ~3,000 day tests (and one pass over the named times).
[[nodiscard]] bool neverMatches(const icalrecurrencetype& r, LocalSeconds dtstart);

// Wall-clock instances of a SECONDLY/MINUTELY/HOURLY rule after DTSTART, in order, as
// RFC 5545 reads them: BYMONTH, BYMONTHDAY, BYYEARDAY and BYDAY (weekdays) limit the days;
// BYHOUR/BYMINUTE/BYSECOND limit the finer-or-equal units and expand the coarser ones
// (default: DTSTART's). Every day looked at and every candidate instant counts as a step;
// past the step limit next() answers nullopt and overBudget() turns true.
class SubDailyIterator {
 public:
  // nullopt for shapes we refuse below DAILY (BYWEEKNO, BYSETPOS, RSCALE, bad values).
  [[nodiscard]] static std::optional<SubDailyIterator> create(const icalrecurrencetype& r,
                                                              LocalSeconds dtstart);

  void setStart(LocalSeconds from);  // the next instance is the first at or after `from`
  void setStepLimit(std::uint64_t limit) { limit_ = limit; }
  [[nodiscard]] std::optional<LocalSeconds> next();
  [[nodiscard]] std::uint64_t steps() const { return steps_; }
  [[nodiscard]] bool overBudget() const { return overBudget_; }

 private:
  bool aligned(LocalSeconds period) const;
  bool enterDay();    // false: past the last year or over budget
  bool nextPeriod();  // the day's next period that may hold instances; false: day done
  bool spend();       // one step; false (and overBudget) past the limit

  icalrecurrencetype rule_{};
  LocalSeconds dtstart_{};
  std::int64_t unit_ = 1;  // seconds per period: 1, 60, 3600
  std::int64_t interval_ = 1;
  std::uint32_t hourMask_ = 0;
  std::uint64_t minuteMask_ = 0, secondMask_ = 0;
  std::vector<int> named_;       // period starts (seconds into the day) the BY parts name
  std::vector<int> subOffsets_;  // instants within a period (the coarser fields expanded)
  bool byNamed_ = true;          // walk the named periods (few) rather than the grid (sparse)
  std::chrono::local_days day_{};
  bool inDay_ = false;
  std::size_t namedPos_ = 0;
  LocalSeconds gridNext_{};
  bool havePeriod_ = false;
  LocalSeconds period_{};
  std::size_t subPos_ = 0;
  LocalSeconds from_{};
  std::uint64_t steps_ = 0;
  std::uint64_t limit_ = UINT64_MAX;
  bool overBudget_ = false;
  bool done_ = false;
};

}  // namespace cb::ics
