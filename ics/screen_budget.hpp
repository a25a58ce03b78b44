// Private: the screen budget — how many plain events a store with a "now" keeps, and which.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ics/ingest_records.hpp"
#include "ics/screen_tally.hpp"

namespace cb::ics {

// Keeps the plain events a screen can need first, drops the rest (counted in
// IngestStats::beyondBudget, and in the store's ScreenTally when a screen would count them).
// Order of need: timed events that run at `now` or start later, by start (what whats-next
// and 4x8 draw, from now forward); all-day items covering now or later, nearest first, up to
// their share (screen::kAllDayKept of kStoreEvents: a strip names one a day and counts the
// rest); what ended before `now`, the most recent first, up to its share (kPastKept: only
// "No more meetings today" looks back); shares unused by one go to the others; last what no
// screen shows (cancelled, declined). Ties by parse order, so the kept set does not depend on
// when pruning ran.
class ScreenBudget {
 public:
  ScreenBudget(Instant now, std::size_t keep, ScreenTally& tally)
      : now_(now), keep_(std::max<std::size_t>(1, keep)), tally_(tally) {}

  // During the ingest: prunes `singles` (and their metas) back to the budget once they hold
  // twice it (at least kPruneAt), so the ingest holds at most that many whatever the feed.
  static constexpr std::size_t kPruneAt = 1024;
  void maybePrune(std::vector<Occurrence>& singles, std::vector<Meta>& metas, IngestStats& stats) {
    if (singles.size() >= std::max(2 * keep_, kPruneAt)) prune(singles, &metas, stats);
  }
  // At the end of the ingest, before the merge: exactly the budget, and no older revision
  // of an event whose newer one was left out.
  void finish(std::vector<Occurrence>& singles, std::vector<Meta>& metas, IngestStats& stats);
  // After the merge (overrides are records now): the budget over all of them.
  void finishMerged(std::vector<Occurrence>& singles, IngestStats& stats);

 private:
  void prune(std::vector<Occurrence>& singles, std::vector<Meta>* metas, IngestStats& stats);

  Instant now_;
  std::size_t keep_;
  ScreenTally& tally_;
  // UIDs (and SEQUENCE) of revisions left out, so an older revision kept within the budget is
  // not shown in their place. Only SEQUENCE > 0 can supersede; at most `keep_` remembered.
  std::vector<std::pair<std::uint64_t, std::int64_t>> leftOutRevisions_;
};

// Drops the series with no instance in `window` (ended before it, or starting after it): a
// store for the screens is rebuilt on every refresh, and its plain events outside the window
// were dropped at parse time already. Each is expanded within the feed's step budgets; one
// that cannot be decided within them is kept (the screens' expansion judges it). Counted in
// IngestStats::dropped. Call compactTexts afterwards.
void dropSeriesOutside(EventStore::Data& data, TimeWindow window, const Limits& limits);

// Replaces each series with a rule only libical reads or expands (libicalNeededFor) by its
// instances in `window`, as RDATEs: the daemon, which reads the store and draws it, then never
// loads libical and ICU (2.2 MB resident, ics/ical_lib.hpp). The store holds what `window` needs
// only, as it does of plain events. A series whose instances are more than the store keeps of one
// (maxOccurrencesPerSeries), or exceed the step budgets, keeps its rules. Call compactTexts
// afterwards.
void settleLibicalSeries(EventStore::Data& data, TimeWindow window, const Limits& limits);

// Rebuilds the arena with only the texts the records still use (after a prune).
void compactTexts(EventStore::Data& data, Records& records);

}  // namespace cb::ics
