// Our RRULE iterator: DAILY/WEEKLY/MONTHLY/YEARLY with the BY* parts feeds use, without ICU.
#include "ics/rrule.hpp"

#include "ics/ical_lib.hpp"

#include <algorithm>

namespace cb::ics {
namespace {

using namespace std::chrono;

// libical stops iterating past this year (64-bit time_t builds).
constexpr int kLastYear = 2582;

bool empty(const short* by) {
  return by[0] == ICAL_RECURRENCE_ARRAY_MAX;
}

// libical repeats an instance that a BY* list names twice (and COUNT counts both): not ours.
bool repeats(const short* by, int size) {
  for (int i = 0; i < size && by[i] != ICAL_RECURRENCE_ARRAY_MAX; ++i)
    for (int j = 0; j < i; ++j)
      if (by[j] == by[i]) return true;
  return false;
}

unsigned lastDay(int y, unsigned m) {
  return unsigned(year_month_day_last{year{y} / month{m} / last}.day());
}

}  // namespace

std::optional<RruleIterator> RruleIterator::create(const icalrecurrencetype& r,
                                                   LocalSeconds dtstart) {
  RruleIterator it;
  switch (r.freq) {
    case ICAL_DAILY_RECURRENCE:
      it.freq_ = Freq::kDaily;
      break;
    case ICAL_WEEKLY_RECURRENCE:
      it.freq_ = Freq::kWeekly;
      break;
    case ICAL_MONTHLY_RECURRENCE:
      it.freq_ = Freq::kMonthly;
      break;
    case ICAL_YEARLY_RECURRENCE:
      it.freq_ = Freq::kYearly;
      break;
    default:
      return std::nullopt;
  }
  if (r.rscale != nullptr && r.rscale[0] != '\0') return std::nullopt;
  for (const short* by : {r.by_second, r.by_minute, r.by_hour, r.by_year_day, r.by_set_pos})
    if (!empty(by)) return std::nullopt;
  if (repeats(r.by_day, ICAL_BY_DAY_SIZE) || repeats(r.by_month_day, ICAL_BY_MONTHDAY_SIZE) ||
      repeats(r.by_month, ICAL_BY_MONTH_SIZE))
    return std::nullopt;
  const bool hasDay = !empty(r.by_day);
  const bool hasMonthDay = !empty(r.by_month_day);
  const bool hasMonth = !empty(r.by_month);
  if (hasDay && hasMonthDay) {
    // Only days that are both ("Sun>=8": BYDAY=SU;BYMONTHDAY=8,…,14), ordinals aside.
    if (it.freq_ != Freq::kMonthly && it.freq_ != Freq::kYearly) return std::nullopt;
    for (int i = 0; i < ICAL_BY_DAY_SIZE && r.by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; ++i)
      if (dayPosition(r.by_day[i]) != 0) return std::nullopt;
  }
  if (it.freq_ == Freq::kDaily && hasMonthDay) return std::nullopt;
  if (it.freq_ == Freq::kWeekly && (hasMonthDay || hasMonth)) return std::nullopt;
  // YEARLY without BYMONTH: BYMONTHDAY expands to every month and BYDAY then limits it
  // (RFC 5545 3.3.10's table; dateutil and ical.js agree, libical 3.0 keeps to DTSTART's
  // month). BYDAY alone counts weekdays of the year: libical's.
  if (it.freq_ == Freq::kYearly && hasDay && !hasMonthDay && !hasMonth && empty(r.by_week_no))
    return std::nullopt;
  if (!empty(r.by_week_no)) {
    // YEARLY;BYWEEKNO=n: the days of week n (weeks start on WKST, week 1 is the first with
    // four days in the year), limited by BYDAY; libical 3.0 yields other weeks' days.
    if (it.freq_ != Freq::kYearly || hasMonth || hasMonthDay) return std::nullopt;
    if (repeats(r.by_week_no, ICAL_BY_WEEKNO_SIZE)) return std::nullopt;
    for (int i = 0; i < ICAL_BY_WEEKNO_SIZE && r.by_week_no[i] != ICAL_RECURRENCE_ARRAY_MAX; ++i) {
      const int n = r.by_week_no[i];
      if (n < 1 || n > 52) return std::nullopt;  // week 53 and counting from the end: libical
      it.weekNos_.push_back(n);
    }
  }
  for (int i = 0; i < ICAL_BY_MONTH_SIZE && r.by_month[i] != ICAL_RECURRENCE_ARRAY_MAX; ++i) {
    // RSCALE leap months are encoded above 12.
    if (r.by_month[i] < 1 || r.by_month[i] > 12) return std::nullopt;
    it.monthMask_ |= 1u << r.by_month[i];
  }
  for (int i = 0; i < ICAL_BY_MONTHDAY_SIZE && r.by_month_day[i] != ICAL_RECURRENCE_ARRAY_MAX;
       ++i) {
    const int md = r.by_month_day[i];
    if (md == 0 || md > 31 || md < -31) return std::nullopt;
    it.monthDays_.push_back(md);
  }
  const bool perMonth = it.freq_ == Freq::kMonthly || it.freq_ == Freq::kYearly;
  for (int i = 0; i < ICAL_BY_DAY_SIZE && r.by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; ++i) {
    const int wd = dayOfWeek(r.by_day[i]);  // 1 = Sunday
    const int pos = dayPosition(r.by_day[i]);
    if (wd < 1 || wd > 7) return std::nullopt;
    if (pos != 0 && (!perMonth || pos > 5 || pos < -5)) return std::nullopt;
    if (perMonth) {
      it.days_.push_back({pos, unsigned(wd - 1)});
    } else {
      it.dayMask_ |= 1u << (wd - 1);
    }
  }
  const int wkst = int(r.week_start);
  if (wkst < 1 || wkst > 7) return std::nullopt;
  it.wkst_ = unsigned(wkst - 1);
  it.interval_ = r.interval < 1 ? 1 : r.interval;
  it.dtstart_ = dtstart;
  const local_days day = floor<days>(dtstart);
  it.timeOfDay_ = dtstart - day;
  if (it.freq_ == Freq::kWeekly && it.dayMask_ == 0) {
    // No BYDAY: DTSTART + k * INTERVAL weeks, weeks counted from DTSTART's weekday.
    it.dayMask_ = 1u << weekday{day}.c_encoding();
    it.wkst_ = weekday{day}.c_encoding();
  }
  if (it.freq_ == Freq::kWeekly && it.interval_ > 1) {
    // libical 3.0 places a weekday that comes before WKST (in SU … SA order) into weeks that
    // depend on where DTSTART falls (RFC 5545 would count it in WKST's week): libical's.
    for (unsigned wd = 0; wd < it.wkst_; ++wd)
      if (it.dayMask_ & (1u << wd)) return std::nullopt;
  }
  if (it.freq_ == Freq::kYearly && hasMonth && !hasDay && !hasMonthDay &&
      unsigned(year_month_day{day}.day()) > 28)
    return std::nullopt;  // libical refuses some of these (June 31): let it say so
  if (it.freq_ == Freq::kYearly && hasMonth)
    for (int md : it.monthDays_)
      if (md > 28 || md < -28) return std::nullopt;  // the same (BYMONTH=11;BYMONTHDAY=-31)
  for (const DayRule& d : it.days_)
    if (!it.weekNos_.empty() && d.ordinal != 0) return std::nullopt;
  it.period_ = it.periodOf(day);
  return it;
}

long RruleIterator::periodOf(local_days d) const {
  const year_month_day ymd{d};
  switch (freq_) {
    case Freq::kDaily:
      return d.time_since_epoch().count();
    case Freq::kWeekly:
      return (d - days{(weekday{d}.c_encoding() + 7 - wkst_) % 7}).time_since_epoch().count();
    case Freq::kMonthly:
      return long(int(ymd.year())) * 12 + long(unsigned(ymd.month())) - 1;
    case Freq::kYearly:
      return int(ymd.year());
  }
  return 0;
}

void RruleIterator::setStart(LocalSeconds from) {
  if (from < dtstart_) from = dtstart_;
  const long first = periodOf(floor<days>(dtstart_));
  const long step = freq_ == Freq::kWeekly ? 7L * interval_ : long(interval_);
  const long p = periodOf(floor<days>(from));
  period_ = first + (p - first) / step * step;
  started_ = false;
  done_ = false;
  pending_.clear();
  pos_ = 0;
}

void RruleIterator::fillMonth(int y, unsigned m) {
  const unsigned last = lastDay(y, m);
  const local_days first{year{y} / month{m} / 1};
  if (!monthDays_.empty()) {
    unsigned weekdays = 0;  // BYDAY as well: a day must be one of these weekdays too
    for (const DayRule& r : days_) weekdays |= 1u << r.weekday;
    for (int md : monthDays_) {
      const int d = md > 0 ? md : int(last) + 1 + md;
      if (d < 1 || d > int(last)) continue;
      const local_days day = first + days{d - 1};
      if (weekdays == 0 || (weekdays & (1u << weekday{day}.c_encoding()))) pending_.push_back(day);
    }
  } else if (!days_.empty()) {
    const unsigned wd1 = weekday{first}.c_encoding();
    for (const DayRule& r : days_) {
      const unsigned firstMatch = 1 + (r.weekday + 7 - wd1) % 7;  // day of month
      const unsigned count = (last - firstMatch) / 7 + 1;
      if (r.ordinal == 0) {
        for (unsigned k = 0; k < count; ++k)
          pending_.push_back(first + days{firstMatch - 1 + 7 * k});
      } else {
        const int k = r.ordinal > 0 ? r.ordinal - 1 : int(count) + r.ordinal;
        if (k >= 0 && k < int(count)) pending_.push_back(first + days{int(firstMatch) - 1 + 7 * k});
      }
    }
  } else {
    const unsigned d = unsigned(year_month_day{floor<days>(dtstart_)}.day());
    if (d <= last) pending_.push_back(first + days{d - 1});
  }
}

void RruleIterator::fillWeeks(int y) {
  const local_days jan1{year{y} / 1 / 1};
  const local_days next{year{y + 1} / 1 / 1};
  // Week 1 holds at least four days of its year.
  auto week1 = [&](local_days first) {
    const unsigned offset = (weekday{first}.c_encoding() + 7 - wkst_) % 7;
    return first - days{offset} + days{offset <= 3 ? 0 : 7};
  };
  unsigned weekdays = 0;
  for (const DayRule& r : days_) weekdays |= 1u << r.weekday;
  auto add = [&](local_days start) {
    for (int i = 0; i < 7; ++i) {
      const local_days d = start + days{i};
      if (d < jan1 || d >= next) continue;  // another year's instance
      if (weekdays == 0 || (weekdays & (1u << weekday{d}.c_encoding()))) pending_.push_back(d);
    }
  };
  for (int n : weekNos_) {
    add(week1(jan1) + days{7 * (n - 1)});
    if (n == 1) add(week1(next));  // the next year's week 1 may start in this December
  }
}

void RruleIterator::fill() {
  pending_.clear();
  pos_ = 0;
  switch (freq_) {
    case Freq::kDaily: {
      const local_days d{days{period_}};
      const unsigned m = unsigned(year_month_day{d}.month());
      if (monthMask_ != 0 && !(monthMask_ & (1u << m))) break;
      if (dayMask_ != 0 && !(dayMask_ & (1u << weekday{d}.c_encoding()))) break;
      pending_.push_back(d);
      break;
    }
    case Freq::kWeekly:
      // Day `wd` of the week that starts on WKST is WKST + (wd - WKST), even when that is negative.
      for (unsigned wd = 0; wd < 7; ++wd)
        if (dayMask_ & (1u << wd))
          pending_.push_back(local_days{days{period_ + long(wd) - long(wkst_)}});
      break;
    case Freq::kMonthly: {
      const int y = int(period_ / 12);
      const unsigned m = unsigned(period_ % 12) + 1;
      if (monthMask_ == 0 || (monthMask_ & (1u << m))) fillMonth(y, m);
      break;
    }
    case Freq::kYearly: {
      const int y = int(period_);
      if (!weekNos_.empty()) {
        fillWeeks(y);
      } else if (monthMask_ == 0 && !monthDays_.empty()) {
        for (unsigned m = 1; m <= 12; ++m) fillMonth(y, m);
      } else if (monthMask_ == 0) {
        fillMonth(y, unsigned(year_month_day{floor<days>(dtstart_)}.month()));
      } else {
        for (unsigned m = 1; m <= 12; ++m)
          if (monthMask_ & (1u << m)) fillMonth(y, m);
      }
      break;
    }
  }
  std::sort(pending_.begin(), pending_.end());
  pending_.erase(std::unique(pending_.begin(), pending_.end()), pending_.end());
}

std::optional<LocalSeconds> RruleIterator::next() {
  while (!done_) {
    while (pos_ < pending_.size()) {
      const local_days d = pending_[pos_++];
      if (int(year_month_day{d}.year()) > kLastYear) {
        done_ = true;
        return std::nullopt;
      }
      const LocalSeconds t = d + timeOfDay_;
      if (t > dtstart_) return t;
    }
    if (started_) period_ += freq_ == Freq::kWeekly ? 7L * interval_ : long(interval_);
    started_ = true;
    const long yearOf = freq_ == Freq::kMonthly ? period_ / 12
                        : freq_ == Freq::kYearly
                            ? period_
                            : long(int(year_month_day{local_days{days{period_}}}.year()));
    if (yearOf > kLastYear)
      done_ = true;
    else
      fill();
  }
  return std::nullopt;
}

}  // namespace cb::ics
