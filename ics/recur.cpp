// Recurrence expansion for a window: our RRULE iterators (libical's, which opens ICU, for the
// DAILY-and-coarser shapes ours do not take) on wall-clock times, our own
// UNTIL/COUNT/RDATE/EXDATE handling, skip-ahead so old series expand in bounded time, and a
// step budget so that no rule, however it is shaped, costs more than its share.

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>

#include "ics/ical_handles.hpp"
#include "ics/ical_time.hpp"
#include "ics/rrule.hpp"
#include "ics/rrule_check.hpp"
#include "ics/rrule_subdaily.hpp"
#include "ics/store_data.hpp"

namespace cb::ics {
namespace {

using namespace std::chrono;

bool subDaily(const icalrecurrencetype& r) {
  return r.freq == ICAL_SECONDLY_RECURRENCE || r.freq == ICAL_MINUTELY_RECURRENCE ||
         r.freq == ICAL_HOURLY_RECURRENCE;
}

// Shapes libical's iterator could search for years inside one call, which our day test
// (dayPasses) cannot rule out: BYWEEKNO outside YEARLY, BYSETPOS on a DAILY rule.
bool unboundedForLibical(const icalrecurrencetype& r) {
  const bool weekNo = r.by_week_no[0] != ICAL_RECURRENCE_ARRAY_MAX;
  const bool setPos = r.by_set_pos[0] != ICAL_RECURRENCE_ARRAY_MAX;
  return (weekNo && r.freq != ICAL_YEARLY_RECURRENCE) ||
         (setPos && r.freq == ICAL_DAILY_RECURRENCE);
}

// A valid rule's shape is one only libical's iterator expands: neither sub-daily (ours, or
// refused) nor one it could search for years (refused), nor one our iterator takes.
bool iteratedByLibical(const icalrecurrencetype& r) {
  return !subDaily(r) && !unboundedForLibical(r) &&
         !RruleIterator::create(r, LocalSeconds{days{20000}}).has_value();  // any DTSTART
}

// A rule's parts: our reader for the shapes feeds use, libical's for the rest (which loads
// it, see ical_lib.hpp). False when the rule is unreadable: it adds nothing.
bool readRule(std::string_view text, ParsedRrule& out) {
  switch (parseRrule(text, out)) {
    case RruleVerdict::kValid:
      return true;
    case RruleVerdict::kInvalid:
      return false;
    case RruleVerdict::kUnsure:
      break;
  }
  const IcalLib& lib = ical(fmt::format("the rule \"{}\"", text));
  const std::string copy(text);
  out.rule = lib.icalrecurrencetype_from_string(copy.c_str());
  lib.icalerror_clear_errno();
  out.untilUtc = !isNullIcalTime(out.rule.until) && lib.icaltime_is_utc(out.rule.until) != 0;
  if (out.rule.freq != ICAL_NO_RECURRENCE) return true;
  std::free(out.rule.rscale);
  out.rule.rscale = nullptr;
  return false;
}

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
  Expander(const Series& s, const TimeZone& display, Instant countFrom, StepBudget& budget)
      : s_(s), display_(display), countFrom_(countFrom), budget_(budget) {}

  // Candidates with key in [lo, hi), sorted, duplicates removed.
  Expansion collect(Instant lo, Instant hi, std::size_t cap, std::vector<Candidate>& out) {
    Expansion worst = Expansion::kComplete;
    if (anyRrule(s_.rrules, [&](std::string_view text) {
          worst = std::max(worst, rule(text, lo, hi, cap, out));
          return worst >= Expansion::kOverBudget;
        }))
      return worst;
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
    return worst;
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
    return ics::endOf(*s_.zone, s_.length, local, start);
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

  Expansion rule(std::string_view text, Instant lo, Instant hi, std::size_t cap,
                 std::vector<Candidate>& out) {
    ParsedRrule parsed;
    if (!readRule(text, parsed)) return Expansion::kComplete;
    icalrecurrencetype& r = parsed.rule;
    const RscaleOwner rscale{&r};  // outlives the iterator below
    const icaltimetype until = r.until;
    const int count = r.count;
    r.until = nullIcalTime();
    r.count = 0;
    const bool hasUntil = !isNullIcalTime(until);
    LocalSeconds untilLocal{};
    Instant untilUtc{};
    bool untilIsUtc = false;
    if (hasUntil) {
      untilLocal = fromIcal(until);
      if (until.is_date) {
        untilLocal += days{1} - seconds{1};  // the whole UNTIL day
      } else if (s_.allDay) {
        // RFC 5545 3.3.10 wants a DATE here. A DATE-TIME names the day it falls on in the
        // series' zone (X-WR-TIMEZONE, else the feed's only VTIMEZONE, else the display zone;
        // see EventParser::parse): Outlook writes UTC local
        // midnight after the last day, which is that day's start in the producer's zone.
        const LocalSeconds wall =
            parsed.untilUtc ? s_.zone->toLocal(Instant{untilLocal.time_since_epoch()}) : untilLocal;
        untilLocal = floor<days>(wall) + days{1} - seconds{1};
      } else if (s_.floating) {
        // A UTC UNTIL on a floating series: its wall-clock value, as the producer meant it
        // (read as an instant it would drop the last instance west of UTC).
      } else {
        // RFC 5545 3.3.10 wants UTC here when DTSTART has a zone; a bare one is read as UTC.
        untilIsUtc = true;
        untilUtc = Instant{untilLocal.time_since_epoch()};
      }
    }
    auto pastUntil = [&](LocalSeconds local) {
      if (!hasUntil) return false;
      if (untilIsUtc) return s_.zone->toInstant(local) > untilUtc;
      return local > untilLocal;
    };

    const LocalSeconds localLo = localBound(lo, -2);
    const LocalSeconds localHi = localBound(hi, 2);
    if (!budget_.spend(1)) return Expansion::kOverBudget;
    if (neverMatches(r, s_.dtstart)) {
      // Nothing follows DTSTART: it stands alone (RFC 5545 3.8.5.3), found without a search.
      consider(s_.dtstart, lo, hi, out);
      return Expansion::kComplete;
    }
    const bool skip = count == 0 && localLo > s_.dtstart + days{1};
    std::optional<SubDailyIterator> sub;
    std::optional<RruleIterator> own;
    const IcalLib* lib = nullptr;  // bound where libical's iterator serves
    IcalRecurIteratorPtr iter;
    if (subDaily(r)) {
      sub = SubDailyIterator::create(r, s_.dtstart);
      if (!sub) return Expansion::kRefused;
      sub->setStepLimit(budget_.left());
      // Timed: just before the window (localLo's two days of slack would cost 172,800 steps
      // of a SECONDLY rule); two hours cover a repeated wall-clock hour.
      if (skip)
        sub->setStart(s_.allDay ? localLo : std::max(localLo, localBound(lo, 0) - hours{2}));
    } else if ((own = RruleIterator::create(r, s_.dtstart))) {
      if (skip) own->setStart(localLo);
    } else {
      if (unboundedForLibical(r)) return Expansion::kRefused;
      lib = &ical();
      iter.reset(lib->icalrecur_iterator_new(r, toIcal(s_.dtstart, s_.allDay)));
      lib->icalerror_clear_errno();
      if (iter.get() == nullptr) {  // a rule that never meets its parts: DTSTART alone
        consider(s_.dtstart, lo, hi, out);
        return Expansion::kComplete;
      }
    }
    // libical's set_start may refuse: then it walks from DTSTART (within the budget).
    bool skipped = skip && (sub || own);
    if (skip && iter.get() != nullptr) {
      skipped = lib->icalrecur_iterator_set_start(iter.get(), toIcal(localLo, s_.allDay)) != 0;
      lib->icalerror_clear_errno();
    }
    int n = 0;
    if (!skipped) {
      // DTSTART is always the first instance (RFC 5545 3.8.5.3), matching the rule or not.
      n = 1;
      consider(s_.dtstart, lo, hi, out);
    }
    // The sub-daily iterator's own steps (days and candidates looked at) are charged as well.
    std::uint64_t subCharged = 0;
    auto charge = [&]() {
      const std::uint64_t now = sub->steps();
      const bool ok = budget_.spend(now - subCharged) && !sub->overBudget();
      subCharged = now;
      return ok;
    };
    std::size_t produced = 0;
    while (true) {
      if (!budget_.spend(1)) return Expansion::kOverBudget;
      LocalSeconds local;
      if (sub) {
        const std::optional<LocalSeconds> t = sub->next();
        if (!charge()) return Expansion::kOverBudget;
        if (!t) return Expansion::kComplete;
        local = *t;
      } else if (own) {
        const std::optional<LocalSeconds> t = own->next();
        if (!t) return Expansion::kComplete;
        local = *t;
      } else {
        const icaltimetype t = lib->icalrecur_iterator_next(iter.get());
        if (isNullIcalTime(t)) return Expansion::kComplete;
        local = fromIcal(t);
      }
      if (local <= s_.dtstart) continue;
      if (pastUntil(local)) return Expansion::kComplete;
      if (count > 0 && ++n > count) return Expansion::kComplete;
      if (local > localHi) return Expansion::kComplete;
      const std::size_t before = out.size();
      if (local >= localLo) consider(local, lo, hi, out);
      // Only instances that reach into the window count towards the cap.
      if (out.size() > before && out.back().end >= countFrom_ && ++produced >= cap)
        return Expansion::kCapped;
    }
  }

  const Series& s_;
  const TimeZone& display_;
  Instant countFrom_;
  StepBudget& budget_;
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
  if (!rruleNumbersFit(rrule)) return false;
  const IcalLib& lib = ical(fmt::format("the rule \"{}\"", rrule));
  const std::string copy(rrule);
  lib.icalerror_clear_errno();
  icalrecurrencetype r = lib.icalrecurrencetype_from_string(copy.c_str());
  const RscaleOwner rscale{&r};
  const bool ok = r.freq != ICAL_NO_RECURRENCE && *lib.icalerrno_return() == ICAL_NO_ERROR;
  lib.icalerror_clear_errno();
  return ok;
}

Expansion expandSeries(const Series& s, const TimeZone& display, Instant from, Instant to,
                       std::size_t cap, StepBudget& budget, std::vector<Occurrence>& out) {
  Expander e(s, display, from, budget);
  // Instances that start before `from` can still overlap it: look back by the longest span.
  seconds back = s.length.exact + days{s.length.days} + hours{2};
  for (const RDate& r : s.rdates)
    if (r.hasEnd) back = std::max(back, duration_cast<seconds>(r.end - r.key));
  if (s.allDay) back += days{2};  // keys are UTC midnights, starts are display-zone midnights
  std::vector<Candidate> cands;
  const Expansion result = e.collect(from - back, to + (s.allDay ? days{2} : days{0}), cap, cands);
  if (result >= Expansion::kOverBudget) return result;  // the series is dropped whole
  std::size_t added = 0;
  for (const Candidate& c : cands) {
    const bool overlaps =
        c.start == c.end ? (from <= c.start && c.start < to) : (c.start < to && c.end > from);
    if (!overlaps || e.excluded(c)) continue;
    if (added++ >= cap) return Expansion::kCapped;
    out.push_back(instanceOf(
        s, {.start = c.start, .end = c.end, .startDate = c.startDate, .endDate = c.endDate}));
  }
  return result;
}

bool expandedByLibical(std::string_view rrule) {
  ParsedRrule parsed;
  if (!readRule(rrule, parsed)) return false;
  const RscaleOwner rscale{&parsed.rule};
  return iteratedByLibical(parsed.rule);
}

bool libicalNeededFor(std::string_view rrule) {
  ParsedRrule parsed;  // our reader's: nothing for RscaleOwner to free
  return parseRrule(rrule, parsed) != RruleVerdict::kValid || iteratedByLibical(parsed.rule);
}

void seriesKeys(const Series& s, const TimeZone& display, Instant lo, Instant hi,
                StepBudget& budget, std::vector<Instant>& out) {
  Expander e(s, display, lo, budget);
  std::vector<Candidate> cands;
  (void)e.collect(lo, hi, 10000, cands);
  for (const Candidate& c : cands) out.push_back(c.key);
}

}  // namespace cb::ics
