// Private: the compact records behind EventStore (shared by ingest, expansion and snapshots).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ics/store.hpp"

namespace cb::ics {

// The module's one non-cryptographic hash, for short strings: eight bytes a step,
// multiply and fold (in wyhash's spirit). UIDs and the arena's interned texts use it.
[[nodiscard]] std::uint64_t textHash(std::string_view s);

// Append-only string storage; views stay valid while the arena lives.
class Arena {
 public:
  std::string_view intern(std::string_view s);
  [[nodiscard]] std::size_t bytes() const { return used_; }

 private:
  static constexpr std::size_t kBlock = 16 * 1024;
  std::string_view store(std::string_view s);
  void grow();

  std::vector<std::unique_ptr<char[]>> blocks_;
  char* current_ = nullptr;
  std::size_t blockUsed_ = 0;
  std::size_t used_ = 0;
  // The stored strings by hash, open addressing with linear probing, at most half full
  // (an empty view is a free slot: the empty string is never stored).
  std::vector<std::string_view> slots_;
  std::size_t count_ = 0;
};

// The nominal part (days, in wall-clock terms) and the exact part of a length.
struct Span {
  std::int32_t days = 0;
  std::chrono::seconds exact{0};
  // Both parts are wall-clock time (a floating DTSTART and DTEND, RFC 5545 3.3.5): the end is
  // placed in the zone after adding them, so it keeps the wall-clock time across a clock change.
  bool wallClock = false;
};

// The end of an instance of `length` that starts at `local` (the instant `start`) in `zone`:
// whole days on the wall clock, the rest exact, unless all of it is wall-clock time.
[[nodiscard]] inline Instant endOf(const TimeZone& zone, const Span& length, LocalSeconds local,
                                   Instant start) {
  if (length.wallClock)
    return zone.toInstant(local + std::chrono::days{length.days} + length.exact);
  if (length.days == 0) return start + length.exact;
  return zone.toInstant(local + std::chrono::days{length.days}) + length.exact;
}

struct RDate {
  Instant key{};  // timed: start instant; all-day: midnight UTC of the date
  bool hasEnd = false;
  Instant end{};  // PERIOD end (timed only)
};

// A recurring master: kept compactly, expanded for a window on demand.
struct Series {
  Occurrence proto;                // text and flags shared by every instance
  const TimeZone* zone = nullptr;  // wall clock of DTSTART (display zone when floating)
  bool allDay = false;
  bool floating = false;   // DTSTART without zone: a zone-less UNTIL is wall clock too
  LocalSeconds dtstart{};  // wall clock; all-day: midnight of the date
  Span length;
  std::string_view rrules;  // '\n'-separated RRULE values (interned); empty: RDATE only
  std::vector<RDate> rdates;
  std::vector<Instant> exclude;   // sorted instance keys: EXDATEs and overridden instances
  std::vector<Date> excludeDays;  // DATE EXDATEs of a timed series: that local day
  // RANGE=THISANDFUTURE splits: RRULE instances outside [notBefore, notAfter) belong
  // to another segment; `shift` is how far this segment moved them.
  Instant notBefore = Instant::min();
  Instant notAfter = Instant::max();
  std::chrono::seconds shift{0};
  // Set when an expansion went over its step budget or met a rule we refuse: the series is
  // left out of every later window too (one warning, not one per frame).
  mutable bool dropped = false;
};

// Whether `pred` holds for one of the '\n'-separated RRULE values of `rrules` (Series::rrules);
// it is asked of each in turn until it does.
template <class Pred>
[[nodiscard]] bool anyRrule(std::string_view rrules, Pred&& pred) {
  while (!rrules.empty()) {
    const std::size_t nl = std::min(rrules.find('\n'), rrules.size());
    if (pred(rrules.substr(0, nl))) return true;
    rrules.remove_prefix(std::min(rrules.size(), nl + 1));
  }
  return false;
}

// When one instance of a series is: timed, [start, end); all-day, the dates [startDate,
// endDate) and their midnights in the display zone (left unset where only the dates are read).
struct InstanceTimes {
  Instant start{};
  Instant end{};
  Date startDate{};
  Date endDate{};
};

// One instance of `s`: its prototype (UID, SUMMARY, STATUS, …) at the instance's times. The
// expansion (expandSeries) and the streamed conformance TSV (writeWindowTsv) both make them so.
[[nodiscard]] inline Occurrence instanceOf(const Series& s, const InstanceTimes& t) {
  Occurrence o = s.proto;
  o.start = t.start;
  o.end = t.end;
  o.allDay = s.allDay;
  o.startDate = t.startDate;
  o.endDate = t.endDate;
  return o;
}

struct EventStore::Data {
  Arena arena;
  std::vector<Occurrence> singles;  // plain events and overrides
  std::vector<Series> series;
  std::vector<std::shared_ptr<const TimeZone>> zones;  // VTIMEZONE zones the records use
  // By zones' index: the VTIMEZONE text of a zone libical answers for (no table), else empty.
  std::vector<std::string> zoneTexts;
  const TimeZone* display = &TimeZone::utc();
  std::size_t maxOccurrencesPerSeries = 5000;
  std::uint64_t maxStepsPerSeries = Limits{}.maxExpansionStepsPerSeries;
  std::uint64_t maxStepsPerFeed = Limits{}.maxExpansionStepsPerFeed;
  std::size_t maxOccurrencesPerWindow = Limits{}.maxOccurrencesPerWindow;
  IngestStats stats;
  ScreenTally leftOut;              // what the screen budget left out (a store for the screens)
  std::uint64_t truncated = 0;      // expansions cut at maxOccurrencesPerSeries
  ExpansionStats expansion;         // of the last occurrences() call
  std::uint64_t droppedSeries = 0;  // series dropped (over budget or refused), in all
};

// Visits the occurrences overlapping [from, to) that occurrences() returns, unsorted: the
// singles, then each series' instances, within the window's caps and the expansion budgets
// (series over theirs are dropped and warned of). `index`: the single's index in d.singles, or
// d.singles.size() + the series' index.
void visitWindow(EventStore::Data& d, Instant from, Instant to, const WarningSink& warn,
                 const std::function<void(const Occurrence&, std::uint32_t index)>& visit);

// Steps an expansion may still take: iterator steps and candidate instants looked at.
class StepBudget {
 public:
  explicit StepBudget(std::uint64_t steps) : left_(steps) {}
  [[nodiscard]] bool spend(std::uint64_t n) {
    if (n > left_) {
      used_ += left_;
      left_ = 0;
      return false;
    }
    used_ += n;
    left_ -= n;
    return true;
  }
  [[nodiscard]] std::uint64_t left() const { return left_; }
  [[nodiscard]] std::uint64_t used() const { return used_; }

 private:
  std::uint64_t left_;
  std::uint64_t used_ = 0;
};

// How an expansion ended, from best to worst.
enum class Expansion {
  kComplete,
  kCapped,      // Limits::maxOccurrencesPerSeries reached: the instances so far stand
  kOverBudget,  // the step budget ran out: the series is dropped
  kRefused,     // a rule shape we do not expand (BYWEEKNO below YEARLY, …): dropped
};

// Instance keys: the start instant of a timed instance, midnight UTC of an all-day date.
[[nodiscard]] inline Instant dayKey(Date d) {
  return Instant{d.time_since_epoch()};
}

// Appends the instances of `s` overlapping [from, to) to `out` (at most `cap`), spending
// from `budget`; past kCapped nothing was appended.
[[nodiscard]] Expansion expandSeries(const Series& s, const TimeZone& display, Instant from,
                                     Instant to, std::size_t cap, StepBudget& budget,
                                     std::vector<Occurrence>& out);

// Start keys of the instances of `s` whose key lies in [lo, hi), exclusions ignored.
void seriesKeys(const Series& s, const TimeZone& display, Instant lo, Instant hi,
                StepBudget& budget, std::vector<Instant>& out);

// True when the RRULE text is one libical accepts.
[[nodiscard]] bool validRrule(std::string_view rrule);

// True when a valid RRULE's shape is not one our iterators take, so libical's expands it. Where
// time_t has 32 bits (armhf) libical's stops at the end of 2037: the ingest warns of such rules.
[[nodiscard]] bool expandedByLibical(std::string_view rrule);

// True when reading or expanding a valid RRULE needs libical: our reader leaves its text to
// libical (lower case, RSCALE, …; rrule_check.hpp) or our iterators its shape
// (expandedByLibical). A store for the screens holds such a series as its instances
// (settleLibicalSeries), so that the daemon never loads libical for it.
[[nodiscard]] bool libicalNeededFor(std::string_view rrule);

}  // namespace cb::ics
