// SECONDLY/MINUTELY/HOURLY rules without libical, and the never-matching test (see the header).
#include "ics/rrule_subdaily.hpp"

#include "ics/ical_lib.hpp"

#include <algorithm>
#include <numeric>

namespace cb::ics {
namespace {

using namespace std::chrono;

constexpr int kLastYear = 2582;  // libical's iterators stop there too
constexpr int kScanDays = 8 * 366;

bool empty(const short* by) {
  return by[0] == ICAL_RECURRENCE_ARRAY_MAX;
}

template <typename F>
void each(const short* by, int size, F&& f) {
  for (int i = 0; i < size && by[i] != ICAL_RECURRENCE_ARRAY_MAX; ++i) f(int(by[i]));
}

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

std::int64_t unitOf(icalrecurrencetype_frequency f) {
  switch (f) {
    case ICAL_SECONDLY_RECURRENCE:
      return 1;
    case ICAL_MINUTELY_RECURRENCE:
      return 60;
    case ICAL_HOURLY_RECURRENCE:
      return 3600;
    default:
      return 0;
  }
}

// The values a time field may take: the BY list (valid values only), else every value when
// the field is as fine as the frequency, else DTSTART's.
std::vector<int> fieldValues(const short* by, int size, int max, bool all, int dtstartValue) {
  std::vector<int> v;
  if (!empty(by)) {
    each(by, size, [&](int x) {
      if (x >= 0 && x < max) v.push_back(x);
    });
  } else if (all) {
    for (int x = 0; x < max; ++x) v.push_back(x);
  } else {
    v.push_back(dtstartValue);
  }
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

struct TimeSets {
  std::vector<int> hours, minutes, seconds;
};

TimeSets timeSets(const icalrecurrencetype& r, std::int64_t unit, LocalSeconds dtstart) {
  const hh_mm_ss tod{dtstart - floor<days>(dtstart)};
  TimeSets t;
  t.hours = fieldValues(r.by_hour, ICAL_BY_HOUR_SIZE, 24, true, int(tod.hours().count()));
  t.minutes =
      fieldValues(r.by_minute, ICAL_BY_MINUTE_SIZE, 60, unit <= 60, int(tod.minutes().count()));
  t.seconds =
      fieldValues(r.by_second, ICAL_BY_SECOND_SIZE, 60, unit <= 1, int(tod.seconds().count()));
  return t;
}

}  // namespace

bool dayPasses(const icalrecurrencetype& r, local_days day) {
  const year_month_day ymd{day};
  const unsigned m = unsigned(ymd.month());
  if (!empty(r.by_month)) {
    bool hit = false;
    each(r.by_month, ICAL_BY_MONTH_SIZE, [&](int x) { hit = hit || x == int(m); });
    if (!hit) return false;
  }
  if (!empty(r.by_month_day)) {
    const int d = int(unsigned(ymd.day()));
    const int end = int(unsigned(year_month_day_last{ymd.year() / ymd.month() / last}.day()));
    bool hit = false;
    each(r.by_month_day, ICAL_BY_MONTHDAY_SIZE,
         [&](int x) { hit = hit || (x > 0 ? x == d : end + 1 + x == d); });
    if (!hit) return false;
  }
  if (!empty(r.by_year_day)) {
    const local_days jan1{ymd.year() / January / 1};
    const int yd = int((day - jan1).count()) + 1;
    const int len = ymd.year().is_leap() ? 366 : 365;
    bool hit = false;
    each(r.by_year_day, ICAL_BY_YEARDAY_SIZE,
         [&](int x) { hit = hit || (x > 0 ? x == yd : len + 1 + x == yd); });
    if (!hit) return false;
  }
  if (!empty(r.by_day)) {
    const int wd = int(weekday{day}.c_encoding()) + 1;  // libical: 1 = Sunday
    bool hit = false;
    each(r.by_day, ICAL_BY_DAY_SIZE, [&](int x) { hit = hit || dayOfWeek(short(x)) == wd; });
    if (!hit) return false;
  }
  return true;
}

bool neverMatches(const icalrecurrencetype& r, LocalSeconds dtstart) {
  const local_days first = floor<days>(dtstart);
  const std::int64_t interval = std::max<std::int64_t>(1, r.interval);
  const std::int64_t unit = unitOf(r.freq);
  const std::int64_t dayStep = r.freq == ICAL_DAILY_RECURRENCE ? interval : 1;
  bool dayFound = false;
  for (std::int64_t k = 0; k * dayStep <= kScanDays && !dayFound; ++k) {
    const local_days d = first + days{k * dayStep};
    if (int(year_month_day{d}.year()) > kLastYear) break;
    if (r.freq == ICAL_DAILY_RECURRENCE && k == 0) continue;  // DTSTART itself
    dayFound = dayPasses(r, d);
  }
  if (!dayFound) return true;
  if (unit == 0) return false;
  // Below DAILY: the periods of a day that the rule names must meet its INTERVAL's grid,
  // which, from day to day, reaches the periods p ≡ p0 (mod gcd(periods per day, INTERVAL)).
  const TimeSets t = timeSets(r, unit, dtstart);
  const std::int64_t perDay = 86400 / unit;
  const std::int64_t g = std::gcd(perDay, interval);
  const std::int64_t p0 = ((dtstart - first).count() / unit) % g;
  for (int h : t.hours)
    for (int m : t.minutes)
      for (int s : t.seconds)
        if (((h * 3600 + m * 60 + s) / unit) % g == p0) return false;
  return true;
}

std::optional<SubDailyIterator> SubDailyIterator::create(const icalrecurrencetype& r,
                                                         LocalSeconds dtstart) {
  SubDailyIterator it;
  it.unit_ = unitOf(r.freq);
  if (it.unit_ == 0) return std::nullopt;
  if (r.rscale != nullptr && r.rscale[0] != '\0') return std::nullopt;
  if (!empty(r.by_week_no) || !empty(r.by_set_pos)) return std::nullopt;
  it.rule_ = r;
  it.rule_.rscale = nullptr;  // not ours to keep
  it.dtstart_ = dtstart;
  it.interval_ = std::max<std::int64_t>(1, r.interval);
  const TimeSets t = timeSets(r, it.unit_, dtstart);
  for (int h : t.hours) it.hourMask_ |= 1u << h;
  for (int m : t.minutes) it.minuteMask_ |= std::uint64_t(1) << m;
  for (int s : t.seconds) it.secondMask_ |= std::uint64_t(1) << s;
  // A period is an hour, minute or second; the fields finer than the period expand in it.
  for (int h : t.hours)
    for (int m : it.unit_ <= 60 ? t.minutes : std::vector<int>{0})
      for (int s : it.unit_ == 1 ? t.seconds : std::vector<int>{0})
        it.named_.push_back(h * 3600 + m * 60 + s);
  for (int m : it.unit_ == 3600 ? t.minutes : std::vector<int>{0})
    for (int s : it.unit_ >= 60 ? t.seconds : std::vector<int>{0})
      it.subOffsets_.push_back(m * 60 + s);
  const std::size_t grid = std::size_t(86400 / (it.unit_ * it.interval_)) + 1;
  it.byNamed_ = it.named_.size() <= grid;
  if (!it.byNamed_) it.named_ = {};
  it.done_ =
      it.subOffsets_.empty() || it.hourMask_ == 0 || it.minuteMask_ == 0 || it.secondMask_ == 0;
  it.from_ = dtstart;
  it.day_ = floor<days>(dtstart);
  return it;
}

void SubDailyIterator::setStart(LocalSeconds from) {
  from_ = std::max(from, dtstart_);
  day_ = floor<days>(from_);
  inDay_ = false;
  havePeriod_ = false;
}

bool SubDailyIterator::spend() {
  if (++steps_ <= limit_) return true;
  overBudget_ = done_ = true;
  return false;
}

bool SubDailyIterator::aligned(LocalSeconds period) const {
  const std::int64_t k = floorDiv(period.time_since_epoch().count(), unit_) -
                         floorDiv(dtstart_.time_since_epoch().count(), unit_);
  return k % interval_ == 0;
}

bool SubDailyIterator::enterDay() {
  while (true) {
    if (!spend()) return false;
    if (int(year_month_day{day_}.year()) > kLastYear) {
      done_ = true;
      return false;
    }
    if (dayPasses(rule_, day_)) break;
    day_ += days{1};
  }
  inDay_ = true;
  havePeriod_ = false;
  namedPos_ = 0;
  // The first period of the INTERVAL's grid at or after the day's start.
  const std::int64_t dayStart = LocalSeconds{day_}.time_since_epoch().count();
  const std::int64_t anchor = floorDiv(dtstart_.time_since_epoch().count(), unit_) * unit_;
  const std::int64_t step = unit_ * interval_;
  gridNext_ = LocalSeconds{seconds{anchor - floorDiv(anchor - dayStart, step) * step}};
  return true;
}

bool SubDailyIterator::nextPeriod() {
  const LocalSeconds dayStart{day_};
  if (byNamed_) {
    while (namedPos_ < named_.size()) {
      const LocalSeconds p = dayStart + seconds{named_[namedPos_++]};
      if (!spend()) return false;
      if (aligned(p)) {
        period_ = p;
        return true;
      }
    }
    return false;
  }
  const LocalSeconds dayEnd = dayStart + days{1};
  while (gridNext_ < dayEnd) {
    const LocalSeconds p = gridNext_;
    gridNext_ += seconds{unit_ * interval_};
    if (!spend()) return false;
    const hh_mm_ss tod{p - dayStart};
    if (!(hourMask_ & (1u << tod.hours().count()))) continue;
    if (unit_ <= 60 && !(minuteMask_ & (std::uint64_t(1) << tod.minutes().count()))) continue;
    if (unit_ == 1 && !(secondMask_ & (std::uint64_t(1) << tod.seconds().count()))) continue;
    period_ = p;
    return true;
  }
  return false;
}

std::optional<LocalSeconds> SubDailyIterator::next() {
  while (!done_) {
    if (!inDay_ && !enterDay()) return std::nullopt;
    while (true) {
      if (havePeriod_) {
        while (subPos_ < subOffsets_.size()) {
          const LocalSeconds t = period_ + seconds{subOffsets_[subPos_++]};
          if (!spend()) return std::nullopt;
          if (t > dtstart_ && t >= from_) return t;
        }
        havePeriod_ = false;
      }
      if (!nextPeriod()) break;
      havePeriod_ = true;
      subPos_ = 0;
    }
    if (done_) break;
    inDay_ = false;
    day_ += days{1};
  }
  return std::nullopt;
}

}  // namespace cb::ics
