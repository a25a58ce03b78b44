// What the screens can show (the layouts' one source for it) and the tally of the events a
// store built for them left out, so that the screens' counts ("+N more") stay exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "ics/event.hpp"

namespace cb::ics {

// THE SCREEN BUDGET, from what the layouts draw (they use these constants; a store built for
// the screens keeps kStoreEvents plain events and overrides, the ones nearest to now):
//  - 4x8 draws at most kMaxRows event rows on one screen (480x800 fits 10, 800x480 two columns
//    of 6; a taller size stops at kMaxRows and says "+N more"). whats-next draws fewer: the
//    meeting it counts down to, the next one, and the names of what else runs now.
//  - Events that end make room for later ones, and the network may be down for days (the
//    screens keep the last good data and say "Offline since"): the store keeps timed rows
//    from now on (running, then by start) for a week without a refresh at one full screen
//    a day (kOfflineDays), plus the screen drawn at its end. Recurring series are expanded
//    from their rules and are not limited by this; a feed of single events (a booking
//    system's, a timetable's) is: 64 rows would run out after four busy days offline.
//  - Looking back ("No more meetings today" needs a meeting of today that ended): the
//    kPastKept most recent ones.
//  - All-day items: one strip a day names the first and counts the rest, so a screen's
//    worth of them (kAllDayKept), nearest first, whatever the feed holds.
//  kStoreEvents = kMaxRows * (kOfflineDays + 1) + kPastKept + kAllDayKept = 128 + 16 + 16 = 160
//  (at 128 bytes a record, about 20 KB).
// Series are not counted here: they are expanded per window (Limits::maxOccurrencesPerWindow).
namespace screen {
inline constexpr std::size_t kMaxRows = 16;
inline constexpr std::size_t kOfflineDays = 7;
inline constexpr std::size_t kPastKept = kMaxRows;
inline constexpr std::size_t kAllDayKept = kMaxRows;
inline constexpr std::size_t kStoreEvents = kMaxRows * (kOfflineDays + 1) + kPastKept + kAllDayKept;
static_assert(kStoreEvents == 160);
}  // namespace screen

// The events a store built for the screens left out that a screen would have counted: how
// many, by when they start (or, for those running at the store's "now", by when they end),
// to the minute; all-day ones by their dates. Cancelled and declined events are not counted
// (no screen shows them). Bounded by the distinct minutes (and date pairs) among them, not by
// their number. Exact for a screen drawn before the first left-out event starts (the next
// refresh rebuilds the store); after that one started it is no longer counted.
// Outlook renames a meeting the organiser cancelled ("Canceled: Weekly sync", "Abgesagt: …")
// and may leave its STATUS alone: such a title means cancelled (ASCII case-insensitive).
[[nodiscard]] bool hasCancelPrefix(std::string_view summary);

class ScreenTally {
 public:
  enum Kind : std::uint8_t {
    kStarts = 0,   // starts after the store's now: keyed by its start minute
    kRunning = 1,  // ran at the store's now: keyed by its end minute (rounded up)
    kAllDay = 2,   // keyed by its dates [first, second)
    kKinds = 3,
  };
  struct Entry {
    std::int32_t first = 0;   // minutes since the epoch, or days (kAllDay)
    std::int32_t second = 0;  // kAllDay: the end date (exclusive); 0 otherwise
    std::uint8_t kind = kStarts;
    bool free = false;  // TRANSP:TRANSPARENT / busy status FREE (hidden per option)
    std::uint32_t count = 0;
    friend bool operator==(const Entry&, const Entry&) = default;
  };

  // Counts an event left out at `now` (no-op for cancelled and declined ones).
  void add(const Occurrence& o, Instant now);
  // Merges equal keys; add() calls it as the tally grows.
  void compact();

  // Timed events that are rows at `now`: running then, or starting in [now, to).
  [[nodiscard]] std::uint64_t rows(Instant now, Instant to, bool hideFree) const;
  // All-day events starting on `day`, and covering `day`.
  [[nodiscard]] std::uint64_t allDayStarting(Date day) const;
  [[nodiscard]] std::uint64_t allDayCovering(Date day) const;

  [[nodiscard]] std::uint64_t total() const;
  [[nodiscard]] const std::vector<Entry>& entries() const { return entries_; }
  // For the snapshot reader: the entries as written (validated there).
  void assign(std::vector<Entry> entries) { entries_ = std::move(entries); }

 private:
  std::vector<Entry> entries_;
  std::size_t compacted_ = 0;  // entries_[0, compacted_) are sorted and merged
};

}  // namespace cb::ics
