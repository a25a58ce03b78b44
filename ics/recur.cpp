// Recurrence expansion for a window: our RRULE iterator (libical's, which opens ICU, for the
// shapes ours does not take) on wall-clock times, our own UNTIL/COUNT/RDATE/EXDATE handling,
// skip-ahead so old series expand in bounded time.
#include <libical/ical.h>

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "ics/ical_time.hpp"
#include "ics/rrule.hpp"
#include "ics/rrule_check.hpp"
#include "ics/store_data.hpp"

namespace cb::ics {
namespace {

using namespace std::chrono;

// libical gives up after this many steps per expansion (RRULE bombs, impossible rules).
constexpr std::size_t kIterationBudget = 50000;

// SECONDLY/MINUTELY/HOURLY without BY* parts: instances are DTSTART + k * step.
bool plainFixedStep(const icalrecurrencetype& r) {
  if (r.freq != ICAL_SECONDLY_RECURRENCE && r.freq != ICAL_MINUTELY_RECURRENCE &&
      r.freq != ICAL_HOURLY_RECURRENCE)
    return false;
  for (const short* by : {r.by_second, r.by_minute, r.by_hour, r.by_day, r.by_month_day,
                          r.by_year_day, r.by_week_no, r.by_month, r.by_set_pos})
    if (by[0] != ICAL_RECURRENCE_ARRAY_MAX) return false;
  return true;
}

// icalrecurrencetype_from_string() strdup()s RSCALE; the caller owns it.
struct RscaleOwner {
  icalrecurrencetype* rule;
  ~RscaleOwner() {
    std::free(rule->rscale);
    rule->rscale = nullptr;
  }
};

struct RecurIter {
  icalrecur_iterator* it = nullptr;
  ~RecurIter() {
    if (it) icalrecur_iterator_free(it);
  }
};

struct Candidate {
  Instant key;
  Instant start;
  Instant end;
  Date startDate;
  Date endDate;
  bool rdate = false;  // explicit RDATE: not subject to the segment bounds
};

class Expander {
 public:
  Expander(const Series& s, const TimeZone& display, Instant countFrom)
      : s_(s), display_(display), countFrom_(countFrom) {}

  // Candidates with key in [lo, hi), sorted, duplicates removed.
  bool collect(Instant lo, Instant hi, std::size_t cap, std::vector<Candidate>& out) {
    bool complete = true;
    std::string_view rules = s_.rrules;
    while (!rules.empty()) {
      std::size_t nl = rules.find('\n');
      if (nl == std::string_view::npos) nl = rules.size();
      complete = rule(rules.substr(0, nl), lo, hi, cap, out) && complete;
      rules.remove_prefix(std::min(rules.size(), nl + 1));
    }
    if (s_.rrules.empty()) consider(s_.dtstart, lo, hi, out);  // RDATE-only: DTSTART is one
    for (const RDate& r : s_.rdates) {
      if (r.key < lo || r.key >= hi) continue;
      Candidate c;
      c.rdate = true;
      c.key = r.key;
      if (s_.allDay) {
        c.startDate = floor<days>(r.key);
        c.endDate = c.startDate + days{s_.length.days};
        c.start = display_.startOfDay(c.startDate);
        c.end = display_.startOfDay(c.endDate);
      } else {
        c.start = r.key;
        c.end = r.hasEnd ? r.end : endOf(s_.zone->toLocal(r.key), r.key);
      }
      out.push_back(c);
    }
    std::sort(out.begin(), out.end(),
              [](const Candidate& a, const Candidate& b) { return a.key < b.key; });
    out.erase(std::unique(out.begin(), out.end(),
                          [](const Candidate& a, const Candidate& b) { return a.key == b.key; }),
              out.end());
    return complete;
  }

  bool excluded(const Candidate& c) const {
    if (!c.rdate && (c.key < s_.notBefore || c.key >= s_.notAfter)) return true;
    if (std::binary_search(s_.exclude.begin(), s_.exclude.end(), c.key)) return true;
    if (!s_.excludeDays.empty() && !s_.allDay) {
      const Date day{floor<days>(s_.zone->toLocal(c.start)).time_since_epoch()};
      if (std::find(s_.excludeDays.begin(), s_.excludeDays.end(), day) != s_.excludeDays.end())
        return true;
    }
    return false;
  }

 private:
  Instant endOf(LocalSeconds local, Instant start) const {
    if (s_.length.days == 0) return start + s_.length.exact;
    return s_.zone->toInstant(local + days{s_.length.days}) + s_.length.exact;
  }

  void consider(LocalSeconds local, Instant lo, Instant hi, std::vector<Candidate>& out) {
    Candidate c;
    if (s_.allDay) {
      c.startDate = Date{floor<days>(local).time_since_epoch()};
      c.key = dayKey(c.startDate);
      if (c.key < lo || c.key >= hi) return;
      c.endDate = c.startDate + days{s_.length.days};
      c.start = display_.startOfDay(c.startDate);
      c.end = display_.startOfDay(c.endDate);
    } else {
      c.start = s_.zone->toInstant(local);
      c.key = c.start;
      if (c.key < lo || c.key >= hi) return;
      c.end = endOf(local, c.start);
    }
    out.push_back(c);
  }

  // Wall-clock bounds: keys are instants (timed) or midnight-UTC dates (all-day);
  // a zone is at most ~26 h from UTC, two days of slack cover it.
  LocalSeconds localBound(Instant t, int slackDays) const {
    if (s_.allDay) return LocalSeconds{t.time_since_epoch()} + days{slackDays};
    return s_.zone->toLocal(t) + days{slackDays};
  }

  bool rule(std::string_view text, Instant lo, Instant hi, std::size_t cap,
            std::vector<Candidate>& out) {
    const std::string copy(text);
    icalrecurrencetype r = icalrecurrencetype_from_string(copy.c_str());
    const RscaleOwner rscale{&r};  // outlives the iterator below
    icalerror_clear_errno();
    if (r.freq == ICAL_NO_RECURRENCE) return true;
    const icaltimetype until = r.until;
    const int count = r.count;
    r.until = icaltime_null_time();
    r.count = 0;
    const bool hasUntil = !icaltime_is_null_time(until);
    LocalSeconds untilLocal{};
    Instant untilUtc{};
    bool untilIsUtc = false;
    if (hasUntil) {
      untilLocal = fromIcal(until);
      if (until.is_date) {
        untilLocal += days{1} - seconds{1};  // the whole UNTIL day
      } else if (icaltime_is_utc(until) || (!s_.floating && !s_.allDay)) {
        // RFC 5545 3.3.10 wants UTC here when DTSTART has a zone; a bare one is read as UTC.
        untilIsUtc = true;
        untilUtc = Instant{untilLocal.time_since_epoch()};
      }
    }
    auto pastUntil = [&](LocalSeconds local) {
      if (!hasUntil) return false;
      if (untilIsUtc && !s_.allDay) return s_.zone->toInstant(local) > untilUtc;
      if (untilIsUtc) return local > LocalSeconds{untilUtc.time_since_epoch()};
      return local > untilLocal;
    };

    const LocalSeconds localLo = localBound(lo, -2);
    const LocalSeconds localHi = localBound(hi, 2);
    int n = 0;
    bool skipped = false;
    std::optional<RruleIterator> own = RruleIterator::create(r, s_.dtstart);
    RecurIter iter;
    if (own) {
      if (count == 0 && localLo > s_.dtstart + days{1}) {
        own->setStart(localLo);
        skipped = true;
      }
    } else {
      iter.it = icalrecur_iterator_new(r, toIcal(s_.dtstart, s_.allDay));
      icalerror_clear_errno();
      if (iter.it == nullptr) {  // a rule that never meets its parts: DTSTART alone
        consider(s_.dtstart, lo, hi, out);
        return true;
      }
    }
    if (!own && count == 0 && localLo > s_.dtstart + days{1} && !plainFixedStep(r)) {
      // No COUNT: jump close to the window instead of walking from DTSTART.
      skipped = icalrecur_iterator_set_start(iter.it, toIcal(localLo, s_.allDay)) != 0;
      icalerror_clear_errno();
    }
    LocalSeconds first = s_.dtstart;
    if (!own && !skipped && count == 0 && localLo > s_.dtstart + days{1} && plainFixedStep(r)) {
      // libical cannot skip these: restart the iteration at the last step before the window.
      const seconds step =
          seconds{r.interval < 1 ? 1 : r.interval} * (r.freq == ICAL_SECONDLY_RECURRENCE   ? 1
                                                      : r.freq == ICAL_MINUTELY_RECURRENCE ? 60
                                                                                           : 3600);
      // Start just before the window (the 2-day slack of localLo would cost 172800 steps).
      const LocalSeconds near = std::max(localLo, localBound(lo, 0) - hours{2});
      first = s_.dtstart + ((near - s_.dtstart) / step) * step;
      icalrecur_iterator_free(iter.it);
      iter.it = icalrecur_iterator_new(r, toIcal(first, s_.allDay));
      icalerror_clear_errno();
      if (iter.it == nullptr) return true;
      skipped = true;
    }
    if (!skipped) {
      // DTSTART is always the first instance (RFC 5545 3.8.5.3), matching the rule or not.
      n = 1;
      consider(s_.dtstart, lo, hi, out);
    }
    std::size_t produced = 0;
    for (std::size_t step = 0; step < kIterationBudget; ++step) {
      LocalSeconds local;
      if (own) {
        const std::optional<LocalSeconds> t = own->next();
        if (!t) return true;
        local = *t;
      } else {
        const icaltimetype t = icalrecur_iterator_next(iter.it);
        if (icaltime_is_null_time(t)) return true;
        local = fromIcal(t);
      }
      if (local <= s_.dtstart || (skipped && local < first)) continue;
      if (pastUntil(local)) return true;
      if (count > 0 && ++n > count) return true;
      if (local > localHi) return true;
      const std::size_t before = out.size();
      if (local >= localLo) consider(local, lo, hi, out);
      // Only instances that reach into the window count towards the cap.
      if (out.size() > before && out.back().end >= countFrom_ && ++produced >= cap) return false;
    }
    return false;
  }

  const Series& s_;
  const TimeZone& display_;
  Instant countFrom_;
};

}  // namespace

bool validRrule(std::string_view rrule) {
  // Common rules are judged without libical (or a copy of the text); libical gets the rest.
  switch (quickRruleVerdict(rrule)) {
    case RruleVerdict::kValid:
      return true;
    case RruleVerdict::kInvalid:
      return false;
    case RruleVerdict::kUnsure:
      break;
  }
  const std::string copy(rrule);
  icalerror_clear_errno();
  icalrecurrencetype r = icalrecurrencetype_from_string(copy.c_str());
  const RscaleOwner rscale{&r};
  const bool ok = r.freq != ICAL_NO_RECURRENCE && icalerrno == ICAL_NO_ERROR;
  icalerror_clear_errno();
  return ok;
}

bool expandSeries(const Series& s, const TimeZone& display, Instant from, Instant to,
                  std::size_t cap, std::vector<Occurrence>& out) {
  Expander e(s, display, from);
  // Instances that start before `from` can still overlap it: look back by the longest span.
  seconds back = s.length.exact + days{s.length.days} + hours{2};
  for (const RDate& r : s.rdates)
    if (r.hasEnd) back = std::max(back, duration_cast<seconds>(r.end - r.key));
  if (s.allDay) back += days{2};  // keys are UTC midnights, starts are display-zone midnights
  std::vector<Candidate> cands;
  const bool complete = e.collect(from - back, to + (s.allDay ? days{2} : days{0}), cap, cands);
  std::size_t added = 0;
  for (const Candidate& c : cands) {
    const bool overlaps =
        c.start == c.end ? (from <= c.start && c.start < to) : (c.start < to && c.end > from);
    if (!overlaps || e.excluded(c)) continue;
    if (added++ >= cap) return false;
    Occurrence o = s.proto;
    o.start = c.start;
    o.end = c.end;
    o.allDay = s.allDay;
    o.startDate = c.startDate;
    o.endDate = c.endDate;
    out.push_back(o);
  }
  return complete;
}

void seriesKeys(const Series& s, const TimeZone& display, Instant lo, Instant hi,
                std::vector<Instant>& out) {
  Expander e(s, display, lo);
  std::vector<Candidate> cands;
  (void)e.collect(lo, hi, 10000, cands);
  for (const Candidate& c : cands) out.push_back(c.key);
}

}  // namespace cb::ics
