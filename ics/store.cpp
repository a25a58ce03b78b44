// EventStore: plain events and overrides as records, recurring masters expanded per window;
// the arena that holds their texts.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "ics/store_data.hpp"

namespace cb::ics {
namespace {

constexpr std::size_t kWarningsPerCall = 10;

}  // namespace

std::uint64_t textHash(std::string_view s) {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15u;
  std::uint64_t h = s.size() * kMul;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  if (i < s.size()) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, s.size() - i);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  return h;
}

std::string_view Arena::intern(std::string_view s) {
  if (s.empty()) return {};
  if (2 * (count_ + 1) > slots_.size()) grow();
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = textHash(s) & mask;; i = (i + 1) & mask) {
    if (slots_[i].empty()) {
      slots_[i] = store(s);
      ++count_;
      return slots_[i];
    }
    if (slots_[i] == s) return slots_[i];
  }
}

void Arena::grow() {
  std::vector<std::string_view> old(std::max<std::size_t>(64, slots_.size() * 2));
  old.swap(slots_);
  const std::size_t mask = slots_.size() - 1;
  for (std::string_view v : old) {
    if (v.empty()) continue;
    std::size_t i = textHash(v) & mask;
    while (!slots_[i].empty()) i = (i + 1) & mask;
    slots_[i] = v;
  }
}

std::string_view Arena::store(std::string_view s) {
  char* dst = nullptr;
  if (s.size() > kBlock / 4) {
    blocks_.push_back(std::make_unique<char[]>(s.size()));  // a one-off block
    dst = blocks_.back().get();
  } else {
    if (current_ == nullptr || blockUsed_ + s.size() > kBlock) {
      blocks_.push_back(std::make_unique<char[]>(kBlock));
      current_ = blocks_.back().get();
      blockUsed_ = 0;
    }
    dst = current_ + blockUsed_;
    blockUsed_ += s.size();
  }
  std::memcpy(dst, s.data(), s.size());
  used_ += s.size();
  return {dst, s.size()};
}

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

const ScreenTally& EventStore::leftOut() const {
  return data_->leftOut;
}

const IngestStats& EventStore::stats() const {
  return data_->stats;
}

std::size_t EventStore::textBytes() const {
  return data_->arena.bytes();
}

const ExpansionStats& EventStore::lastExpansion() const {
  return data_->expansion;
}

std::uint64_t EventStore::droppedSeries() const {
  return data_->droppedSeries;
}

void visitWindow(EventStore::Data& d, Instant from, Instant to, const WarningSink& warn,
                 const std::function<void(const Occurrence&, std::uint32_t)>& visit) {
  ExpansionStats& stats = d.expansion;
  stats = {};
  const std::size_t total = d.maxOccurrencesPerWindow;
  std::size_t taken = 0;
  for (std::size_t i = 0; i < d.singles.size(); ++i) {
    const Occurrence& o = d.singles[i];
    const bool overlaps =
        o.start == o.end ? (from <= o.start && o.start < to) : (o.start < to && o.end > from);
    if (!overlaps) continue;
    if (taken >= total) {
      ++stats.cutByWindow;
      continue;
    }
    ++taken;
    visit(o, std::uint32_t(i));
  }
  std::uint64_t feedLeft = d.maxStepsPerFeed;
  std::size_t warned = 0;
  auto warnOnce = [&](std::string text) {
    // One line per dropped series, but a feed of thousands does not flood the journal.
    if (warn && warned++ < kWarningsPerCall) warn(text);
  };
  std::vector<Occurrence> instances;  // one series' at a time
  for (std::size_t i = 0; i < d.series.size(); ++i) {
    const Series& s = d.series[i];
    if (s.dropped) continue;
    if (taken >= total) {
      ++stats.cutByWindow;
      continue;
    }
    StepBudget budget(std::min(d.maxStepsPerSeries, feedLeft));
    const std::size_t cap = std::min(d.maxOccurrencesPerSeries, total - taken);
    instances.clear();
    const Expansion e = expandSeries(s, *d.display, from, to, cap, budget, instances);
    feedLeft -= std::min(feedLeft, budget.used());
    stats.steps += budget.used();
    stats.maxSeriesSteps = std::max(stats.maxSeriesSteps, budget.used());
    if (e == Expansion::kCapped) ++d.truncated;
    if (e < Expansion::kOverBudget) {
      taken += instances.size();
      for (const Occurrence& o : instances) visit(o, std::uint32_t(d.singles.size() + i));
      continue;
    }
    s.dropped = true;
    ++stats.droppedNow;
    ++d.droppedSeries;
    {
      const bool feedSpent = feedLeft == 0 && budget.used() < d.maxStepsPerSeries;
      warnOnce(fmt::format("recurring event UID \"{}\" ({}) left out: {}",
                           s.proto.uid.substr(0, 200), s.proto.summary.substr(0, 60),
                           e == Expansion::kRefused ? "a rule shape we do not expand"
                           : feedSpent              ? "the feed's expansion budget is spent"
                                       : "its rule takes more than its expansion budget"));
    }
  }
  if (warn && warned > kWarningsPerCall)
    warn(fmt::format("{} more recurring events left out for their expansion cost",
                     warned - kWarningsPerCall));
  if (warn && stats.cutByWindow > 0)
    warn(fmt::format("the window holds more than {} occurrences: {} events left out", total,
                     stats.cutByWindow));
}

std::vector<Occurrence> EventStore::occurrences(Instant from, Instant to,
                                                const WarningSink& warn) const {
  std::vector<Occurrence> out;
  visitWindow(*data_, from, to, warn,
              [&out](const Occurrence& o, std::uint32_t) { out.push_back(o); });
  std::sort(out.begin(), out.end(), [](const Occurrence& a, const Occurrence& b) {
    return std::tie(a.start, a.end, a.summary) < std::tie(b.start, b.end, b.summary);
  });
  return out;
}

}  // namespace cb::ics
