// EventStore: plain events and overrides as records, recurring masters expanded per window.
#include <algorithm>

#include "ics/store_data.hpp"

namespace cb::ics {

EventStore::EventStore() : data_(std::make_unique<Data>()) {}
EventStore::~EventStore() = default;
EventStore::EventStore(EventStore&&) noexcept = default;
EventStore& EventStore::operator=(EventStore&&) noexcept = default;

std::size_t EventStore::eventCount() const {
  return data_->singles.size();
}

std::size_t EventStore::seriesCount() const {
  return data_->series.size();
}

std::uint64_t EventStore::truncatedSeries() const {
  return data_->truncated;
}

const IngestStats& EventStore::stats() const {
  return data_->stats;
}

std::vector<Occurrence> EventStore::occurrences(Instant from, Instant to) const {
  std::vector<Occurrence> out;
  for (const Occurrence& o : data_->singles) {
    const bool overlaps =
        o.start == o.end ? (from <= o.start && o.start < to) : (o.start < to && o.end > from);
    if (overlaps) out.push_back(o);
  }
  for (const Series& s : data_->series) {
    if (!expandSeries(s, *data_->display, from, to, data_->maxOccurrencesPerSeries, out))
      ++data_->truncated;
  }
  std::sort(out.begin(), out.end(), [](const Occurrence& a, const Occurrence& b) {
    return std::tie(a.start, a.end, a.summary) < std::tie(b.start, b.end, b.summary);
  });
  return out;
}

}  // namespace cb::ics
