// Our RRULE iterator for the rule shapes real feeds use; libical's (which opens ICU) for the rest.
#pragma once

#include <libical/ical.h>

#include <optional>
#include <vector>

#include "ics/time.hpp"

namespace cb::ics {

// Wall-clock instances of one RRULE after DTSTART, in order, the same ones libical 3.0's
// iterator gives (its conventions: invalid dates are skipped, nothing after year 2582).
// UNTIL and COUNT are not applied here: the caller does that.
class RruleIterator {
 public:
  // nullopt when the rule's shape is not one we implement: the caller uses libical's iterator.
  [[nodiscard]] static std::optional<RruleIterator> create(const icalrecurrencetype& r,
                                                           LocalSeconds dtstart);

  // Restarts at the interval-aligned period that holds `from` (like
  // icalrecur_iterator_set_start): instances before `from` may still follow.
  void setStart(LocalSeconds from);

  // The next instance after DTSTART, nullopt at the end.
  [[nodiscard]] std::optional<LocalSeconds> next();

 private:
  enum class Freq { kDaily, kWeekly, kMonthly, kYearly };
  struct DayRule {
    int ordinal;       // 0: every such weekday of the month
    unsigned weekday;  // c_encoding: 0 = Sunday
  };

  long periodOf(std::chrono::local_days d) const;
  void fill();
  void fillMonth(int y, unsigned m);
  void fillWeeks(int y);

  Freq freq_ = Freq::kDaily;
  int interval_ = 1;
  LocalSeconds dtstart_{};
  std::chrono::seconds timeOfDay_{};
  unsigned monthMask_ = 0;  // bit m for BYMONTH=m; 0: none
  unsigned dayMask_ = 0;    // bit c_encoding for BYDAY without ordinals (DAILY/WEEKLY)
  std::vector<int> monthDays_;
  std::vector<int> weekNos_;  // BYWEEKNO (YEARLY), 1..52
  std::vector<DayRule> days_;
  unsigned wkst_ = 1;
  long period_ = 0;  // days (DAILY, WEEKLY: the week's first day), months or years
  bool started_ = false;
  bool done_ = false;
  std::vector<std::chrono::local_days> pending_;
  std::size_t pos_ = 0;
};

}  // namespace cb::ics
