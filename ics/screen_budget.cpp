// The screen budget: the plain events nearest to "now" survive a pathological feed.
#include "ics/screen_budget.hpp"

#include <algorithm>
#include <array>
#include <tuple>

namespace cb::ics {
namespace {

// Smaller is needed sooner.
struct NeedKey {
  // 0: timed, runs now or later; 1: all-day, covers now or later; 2: ended before now;
  // 3: no screen shows it.
  std::uint8_t group = 0;
  Instant at{};  // groups 0 and 1: start clamped to now; else minus the end (recent first)
  std::uint32_t order = 0;
  friend bool operator<(const NeedKey& a, const NeedKey& b) {
    return std::tie(a.group, a.at, a.order) < std::tie(b.group, b.at, b.order);
  }
};

NeedKey needOf(const Occurrence& o, std::uint32_t order, Instant now) {
  const Instant recent = Instant{} - (o.end - Instant{});
  if (o.status == Status::Cancelled || o.response == Response::Declined ||
      hasCancelPrefix(o.summary))
    return {3, recent, order};
  if (o.end > now || (o.start == o.end && o.start >= now))
    return {std::uint8_t(o.allDay ? 1 : 0), std::max(o.start, now), order};
  return {2, recent, order};
}

}  // namespace

void ScreenBudget::prune(std::vector<Occurrence>& singles, std::vector<Meta>* metas,
                         IngestStats& stats) {
  stats.peakEvents = std::max<std::uint64_t>(stats.peakEvents, singles.size());
  if (singles.size() <= keep_) return;
  std::vector<std::pair<NeedKey, std::uint32_t>> need;
  need.reserve(singles.size());
  std::array<std::size_t, 4> inGroup{};
  for (std::size_t i = 0; i < singles.size(); ++i) {
    need.emplace_back(needOf(singles[i], metas ? (*metas)[i].order : std::uint32_t(i), now_),
                      std::uint32_t(i));
    ++inGroup[need.back().first.group];
  }
  // What each group keeps: all-day items and the past their shares first (screen::kAllDayKept
  // and kPastKept of kStoreEvents), timed rows ahead the rest; then all-day items and the past
  // what is left, in that order; last what no screen shows.
  const std::size_t allDayShare = keep_ * screen::kAllDayKept / screen::kStoreEvents;
  const std::size_t pastShare = keep_ * screen::kPastKept / screen::kStoreEvents;
  std::array<std::size_t, 4> keepOf{};
  keepOf[1] = std::min(inGroup[1], allDayShare);
  keepOf[2] = std::min(inGroup[2], pastShare);
  keepOf[0] = std::min(inGroup[0], keep_ - keepOf[1] - keepOf[2]);
  keepOf[1] = std::min(inGroup[1], keep_ - keepOf[0] - keepOf[2]);
  keepOf[2] = std::min(inGroup[2], keep_ - keepOf[0] - keepOf[1]);
  keepOf[3] = std::min(inGroup[3], keep_ - keepOf[0] - keepOf[1] - keepOf[2]);
  std::sort(need.begin(), need.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<bool> kept(singles.size(), false);
  std::size_t groupStart = 0;
  for (std::size_t g = 0; g < keepOf.size(); ++g) {
    for (std::size_t k = 0; k < keepOf[g]; ++k) kept[need[groupStart + k].second] = true;
    groupStart += inGroup[g];
  }
  need = {};
  std::size_t out = 0;
  for (std::size_t i = 0; i < singles.size(); ++i) {
    if (!kept[i]) {
      ++stats.beyondBudget;
      tally_.add(singles[i], now_);
      const Meta* m = metas ? &(*metas)[i] : nullptr;
      if (m && m->hasUid && m->sequence > 0 && leftOutRevisions_.size() < keep_)
        leftOutRevisions_.emplace_back(m->uidHash, m->sequence);
      continue;
    }
    if (out != i) {
      singles[out] = singles[i];
      if (metas) (*metas)[out] = (*metas)[i];
    }
    ++out;
  }
  singles.resize(out);
  if (metas) metas->resize(out);
}

void ScreenBudget::finish(std::vector<Occurrence>& singles, std::vector<Meta>& metas,
                          IngestStats& stats) {
  prune(singles, &metas, stats);
  if (leftOutRevisions_.empty()) return;
  std::sort(leftOutRevisions_.begin(), leftOutRevisions_.end());
  std::size_t out = 0;
  for (std::size_t i = 0; i < singles.size(); ++i) {
    const Meta& m = metas[i];
    // The highest SEQUENCE left out of this UID (the last of its run in the sorted list).
    auto it = std::upper_bound(leftOutRevisions_.begin(), leftOutRevisions_.end(),
                               std::pair{m.uidHash, INT64_MAX});
    const bool superseded = m.hasUid && it != leftOutRevisions_.begin() &&
                            std::prev(it)->first == m.uidHash && std::prev(it)->second > m.sequence;
    if (superseded) {
      ++stats.duplicates;
      continue;
    }
    if (out != i) {
      singles[out] = singles[i];
      metas[out] = metas[i];
    }
    ++out;
  }
  singles.resize(out);
  metas.resize(out);
}

void dropSeriesOutside(EventStore::Data& data, TimeWindow window, const Limits& limits) {
  std::uint64_t feedLeft = limits.maxExpansionStepsPerFeed;
  std::vector<Occurrence> probe;
  std::size_t out = 0;
  for (std::size_t i = 0; i < data.series.size(); ++i) {
    bool outside = false;
    if (feedLeft > 0) {
      StepBudget budget(std::min(limits.maxExpansionStepsPerSeries, feedLeft));
      probe.clear();
      // A few candidates, not one: EXDATEs and overrides may exclude the first ones, and a
      // capped expansion (more candidates than that) keeps the series undecided.
      constexpr std::size_t kCandidates = 64;
      const Expansion e = expandSeries(data.series[i], *data.display, window.from, window.to,
                                       kCandidates, budget, probe);
      feedLeft -= std::min(feedLeft, budget.used());
      outside = e == Expansion::kComplete && probe.empty();
    }
    if (outside) {
      ++data.stats.dropped;
      continue;
    }
    if (out != i) data.series[out] = std::move(data.series[i]);
    ++out;
  }
  data.series.erase(data.series.begin() + long(out), data.series.end());
}

void settleLibicalSeries(EventStore::Data& data, TimeWindow window, const Limits& limits) {
  std::uint64_t feedLeft = limits.maxExpansionStepsPerFeed;
  std::vector<Occurrence> found;
  for (Series& s : data.series) {
    if (feedLeft == 0 || !anyRrule(s.rrules, libicalNeededFor)) continue;
    StepBudget budget(std::min(limits.maxExpansionStepsPerSeries, feedLeft));
    found.clear();
    const Expansion e = expandSeries(s, *data.display, window.from, window.to,
                                     data.maxOccurrencesPerSeries, budget, found);
    feedLeft -= std::min(feedLeft, budget.used());
    if (e != Expansion::kComplete) continue;
    // Each instance as an RDATE with its end: the expansion finds the same ones again (EXDATEs
    // and segment bounds applied already, and again harmlessly), DTSTART among them when it is
    // in the window.
    std::vector<RDate> instances;
    instances.reserve(found.size());
    for (const Occurrence& o : found) {
      RDate r;
      r.key = s.allDay ? dayKey(o.startDate) : o.start;
      r.hasEnd = !s.allDay;
      r.end = o.end;
      instances.push_back(r);
    }
    s.rdates = std::move(instances);
    s.rrules = {};
  }
}

void compactTexts(EventStore::Data& data, Records& records) {
  Arena fresh;
  auto texts = [&](Occurrence& o) {
    o.uid = fresh.intern(o.uid);
    o.statusText = fresh.intern(o.statusText);
    o.summary = fresh.intern(o.summary);
    o.location = fresh.intern(o.location);
  };
  for (Occurrence& o : data.singles) texts(o);
  for (Series& s : data.series) {
    texts(s.proto);
    s.rrules = fresh.intern(s.rrules);
  }
  for (Override& ov : records.overrides) texts(ov.occ);
  data.arena = std::move(fresh);
}

void ScreenBudget::finishMerged(std::vector<Occurrence>& singles, IngestStats& stats) {
  prune(singles, nullptr, stats);
  tally_.compact();
}

}  // namespace cb::ics
