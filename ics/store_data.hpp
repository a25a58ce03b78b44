// Private: the compact records behind EventStore (shared by ingest, expansion and snapshots).
#pragma once

#include <cstdint>
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
};

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
};

struct EventStore::Data {
  Arena arena;
  std::vector<Occurrence> singles;  // plain events and overrides
  std::vector<Series> series;
  std::vector<std::shared_ptr<const TimeZone>> zones;          // VTIMEZONE zones the records use
  std::vector<std::pair<std::string, std::string>> zoneTexts;  // their TZID and VTIMEZONE text
  const TimeZone* display = &TimeZone::utc();
  std::size_t maxOccurrencesPerSeries = 5000;
  IngestStats stats;
  std::uint64_t truncated = 0;  // expansions cut at maxOccurrencesPerSeries
};

// Instance keys: the start instant of a timed instance, midnight UTC of an all-day date.
[[nodiscard]] inline Instant dayKey(Date d) {
  return Instant{d.time_since_epoch()};
}

// Appends the instances of `s` overlapping [from, to) to `out` (at most `cap`);
// false when the cap or the iteration budget cut the expansion short.
bool expandSeries(const Series& s, const TimeZone& display, Instant from, Instant to,
                  std::size_t cap, std::vector<Occurrence>& out);

// Start keys of the instances of `s` whose key lies in [lo, hi), exclusions ignored.
void seriesKeys(const Series& s, const TimeZone& display, Instant lo, Instant hi,
                std::vector<Instant>& out);

// True when the RRULE text is one libical accepts.
[[nodiscard]] bool validRrule(std::string_view rrule);

}  // namespace cb::ics
