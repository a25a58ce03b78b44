// The finish-time merge of an ingest: revisions (SEQUENCE), overrides matched to their
// series, RANGE=THISANDFUTURE splits.
#include "ics/merge.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

namespace cb::ics {
namespace {

using namespace std::chrono;

// An override's RECURRENCE-ID as an instance key of `s` (before any split shift).
Instant ridKey(const Series& s, const Override& ov) {
  return s.allDay ? dayKey(ov.ridLocalDate) : ov.rid;
}

bool sameStart(const Occurrence& a, const Occurrence& b) {
  return a.start == b.start && a.end == b.end && a.summary == b.summary;
}

bool sameStart(const Series& a, const Series& b) {
  return a.dtstart == b.dtstart && a.rrules == b.rrules && a.proto.summary == b.proto.summary;
}

struct Merge {
  EventStore::Data& data;
  Records& records;
  const IngestOptions& options;
  const Reporter& report;

  void run();
  std::optional<Instant> matchInstance(const Series& s, const Override& ov,
                                       std::vector<Instant>& keys);
  // Matching overrides to instances expands their series: it spends from the feed's
  // expansion budget like a window's expansion does (Limits::maxExpansionSteps*).
  std::uint64_t matchLeft = 0;
  bool matchSpent = false;  // a match ran out of budget: its series is dropped
  static Series splitSeries(Series& seg, const Override& ov);
  template <class T>
  void dedupe(std::vector<T>& items, std::vector<Meta>& metas);
  void dedupeOverrides();
};

void Merge::run() {
  EventStore::Data& d = data;
  std::vector<Meta>& seriesMeta = records.seriesMeta;
  std::vector<Override>& overrides = records.overrides;
  dedupe(d.series, seriesMeta);
  dedupe(d.singles, records.singleMeta);
  dedupeOverrides();

  // Overrides in RECURRENCE-ID order: THISANDFUTURE splits first, so that a plain
  // override is matched in the segment of the series that holds its instance.
  std::stable_sort(overrides.begin(), overrides.end(),
                   [](const Override& a, const Override& b) { return a.rid < b.rid; });
  std::unordered_map<std::uint64_t, std::vector<std::size_t>> segments;
  for (std::size_t i = 0; i < d.series.size(); ++i)
    if (seriesMeta[i].hasUid) segments[seriesMeta[i].uidHash].push_back(i);
  auto segmentOf = [&](const Override& ov) -> Series* {
    auto it = ov.meta.hasUid ? segments.find(ov.meta.uidHash) : segments.end();
    if (it == segments.end()) return nullptr;
    for (std::size_t i : it->second) {
      Series& seg = d.series[i];
      const Instant k = ridKey(seg, ov) + seg.shift;
      if (k + seconds{1} >= seg.notBefore && k < seg.notAfter) return &seg;
    }
    return &d.series[it->second.front()];
  };
  for (const Override& ov : overrides) {
    if (!ov.thisAndFuture) continue;
    if (Series* seg = segmentOf(ov)) {
      Series tail = splitSeries(*seg, ov);
      segments[ov.meta.uidHash].push_back(d.series.size());
      d.series.push_back(std::move(tail));
    }
  }
  std::vector<Instant> keys;
  matchLeft = options.limits.maxExpansionStepsPerFeed;
  std::size_t droppedHere = 0;
  // With a window, an instance the override replaces far outside it is never shown:
  // finding it (libical iterates from DTSTART) is the costliest step of an ingest.
  const std::optional<TimeWindow> window = options.keptWindow();
  auto replacedMatters = [&](Instant key) {
    return !window || (key + days{2} >= window->from && key <= window->to + days{3});
  };
  for (const Override& ov : overrides) {
    if (Series* seg = ov.thisAndFuture ? nullptr : segmentOf(ov);
        seg != nullptr && replacedMatters(ridKey(*seg, ov) + seg->shift)) {
      if (seg->dropped) {
        // Its series is left out already: the override stands as an event of its own.
      } else if (std::optional<Instant> key = matchInstance(*seg, ov, keys)) {
        seg->exclude.insert(std::upper_bound(seg->exclude.begin(), seg->exclude.end(), *key), *key);
      } else if (matchSpent) {
        seg->dropped = true;
        ++d.droppedSeries;
        if (droppedHere++ < 10)
          report.warning(fmt::format(
              "recurring event UID \"{}\" ({}) left out: matching its overrides takes more "
              "than the expansion budget",
              seg->proto.uid.substr(0, 200), seg->proto.summary.substr(0, 60)));
      }
    }
    if (window && (ov.occ.end < window->from || ov.occ.start > window->to)) {
      ++d.stats.dropped;
      continue;
    }
    d.singles.push_back(ov.occ);
  }
  // Series dropped while matching go now (a snapshot keeps no such mark).
  if (droppedHere > 0) std::erase_if(d.series, [](const Series& x) { return x.dropped; });
  if (droppedHere > 10)
    report.warning(fmt::format("{} more recurring events left out for the cost of their overrides",
                               droppedHere - 10));
  d.stats.events = d.singles.size() + d.series.size();
}

// The instance an override replaces: exactly its RECURRENCE-ID, else the one
// instance on that date (calendars write DATE-TIME ids for all-day series and
// vice versa); none: the override is an extra occurrence.
std::optional<Instant> Merge::matchInstance(const Series& s, const Override& ov,
                                            std::vector<Instant>& keys) {
  const TimeZone& display = *options.displayZone;
  const Instant exact = ridKey(s, ov) + s.shift;
  keys.clear();
  StepBudget budget(std::min(options.limits.maxExpansionStepsPerSeries, matchLeft));
  seriesKeys(s, display, exact - days{2}, exact + days{2}, budget, keys);
  matchLeft -= budget.used();
  data.stats.matchSteps += budget.used();
  matchSpent = budget.left() == 0;
  if (matchSpent) return std::nullopt;
  if (std::find(keys.begin(), keys.end(), exact) != keys.end()) return exact;
  for (Instant k : keys) {
    const Instant original = k - s.shift;
    const Date day = s.allDay ? floor<days>(original)
                              : Date{floor<days>(s.zone->toLocal(original)).time_since_epoch()};
    if (day == ov.ridLocalDate) return k;
  }
  return std::nullopt;
}

// RANGE=THISANDFUTURE (RFC 5545 3.8.4.4): the instances from the RECURRENCE-ID on
// move with the override and take its text and length. `seg` keeps the earlier
// ones; the returned tail holds the later ones (the override itself is the first).
Series Merge::splitSeries(Series& seg, const Override& ov) {
  Series tail = seg;
  tail.proto = ov.occ;
  tail.proto.fromOverride = false;
  tail.proto.recurrenceIdIsDate = false;
  tail.proto.recurrenceId = {};
  const Instant at = ridKey(seg, ov) + seg.shift;  // where the instance is in `seg`
  const Instant to =
      seg.allDay ? dayKey(Date{floor<days>(ov.localStart).time_since_epoch()}) : ov.occ.start;
  const seconds delta = duration_cast<seconds>(to - at);
  tail.dtstart = seg.dtstart + delta;
  tail.shift = seg.shift + delta;
  tail.length = ov.length;
  tail.notBefore = to + seconds{1};  // the override is that instance
  tail.notAfter = seg.notAfter == Instant::max() ? Instant::max() : seg.notAfter + delta;
  for (Instant& k : tail.exclude) k += delta;
  tail.rdates.clear();  // explicit dates stay where they were written
  seg.notAfter = at;
  return tail;
}

// Components with the same UID (and no RECURRENCE-ID) are revisions: the highest
// SEQUENCE (absent = 0, RFC 5545 3.8.7.4) wins. Revisions with equal SEQUENCE are
// kept, unless they are the same event again (time and summary: the later wins).
template <class T>
void Merge::dedupe(std::vector<T>& items, std::vector<Meta>& metas) {
  // Groups by UID as runs of a sorted list: one allocation, not one per UID.
  std::vector<std::pair<std::uint64_t, std::size_t>> byUid;
  byUid.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i)
    if (metas[i].hasUid) byUid.emplace_back(metas[i].uidHash, i);
  std::sort(byUid.begin(), byUid.end());
  bool any = false;
  for (std::size_t k = 1; k < byUid.size() && !any; ++k) any = byUid[k].first == byUid[k - 1].first;
  if (!any) return;
  std::vector<bool> drop(items.size(), false);
  std::vector<std::size_t> group;
  for (std::size_t k = 0; k < byUid.size();) {
    std::size_t run = k + 1;
    while (run < byUid.size() && byUid[run].first == byUid[k].first) ++run;
    group.clear();
    for (; k < run; ++k) group.push_back(byUid[k].second);
    if (group.size() < 2) continue;
    std::int64_t top = metas[group.front()].sequence;
    for (std::size_t i : group) top = std::max(top, metas[i].sequence);
    for (std::size_t a = 0; a < group.size(); ++a) {
      const std::size_t i = group[a];
      if (metas[i].sequence < top) {
        drop[i] = true;
        continue;
      }
      for (std::size_t b = a + 1; b < group.size(); ++b) {
        const std::size_t j = group[b];
        if (metas[j].sequence == top && sameStart(items[i], items[j])) {
          drop[i] = true;
          break;
        }
      }
    }
  }
  std::size_t out = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (drop[i]) continue;
    if (out != i) {
      items[out] = std::move(items[i]);
      metas[out] = metas[i];
    }
    ++out;
  }
  data.stats.duplicates += items.size() - out;
  items.resize(out);
  metas.resize(out);
}

void Merge::dedupeOverrides() {
  std::vector<Override>& overrides = records.overrides;
  std::map<std::pair<std::uint64_t, Instant>, std::size_t> best;
  std::vector<bool> drop(overrides.size(), false);
  for (std::size_t i = 0; i < overrides.size(); ++i) {
    const Override& ov = overrides[i];
    if (!ov.meta.hasUid) continue;
    auto [it, inserted] = best.emplace(std::pair{ov.meta.uidHash, ov.rid}, i);
    if (inserted) continue;
    if (ov.meta.sequence >= overrides[it->second].meta.sequence) {
      drop[it->second] = true;
      it->second = i;
    } else {
      drop[i] = true;
    }
  }
  std::size_t out = 0;
  for (std::size_t i = 0; i < overrides.size(); ++i)
    if (!drop[i]) overrides[out++] = std::move(overrides[i]);
  data.stats.duplicates += overrides.size() - out;
  overrides.resize(out);
}

}  // namespace

void mergeRecords(EventStore::Data& data, Records& records, const IngestOptions& options,
                  const Reporter& report) {
  Merge{data, records, options, report}.run();
}

}  // namespace cb::ics
