// EventStore: what survives of a feed, and the push parser that fills it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ics/event.hpp"
#include "ics/screen_tally.hpp"

namespace cb::ics {

// Every limit is explicit; past one, the component is skipped and counted.
struct Limits {
  std::size_t maxLineBytes = 64 * 1024;         // one unfolded content line
  std::size_t maxComponentBytes = 1024 * 1024;  // one VEVENT / VTIMEZONE
  std::size_t maxEventsPerFeed = 200000;
  std::size_t maxOccurrencesPerSeries = 5000;  // per expansion window (RRULE bombs)
  std::size_t maxTextBytes = 200;              // SUMMARY / LOCATION kept in the store
  // Expansion work: iterator steps and candidate instants examined, per series and per
  // feed in one window (never-matching rules, minutely series by the thousand). A series
  // over its share is dropped with a warning; the rest of the feed stands. About 20-50 ns
  // a step here: the feed's whole budget is well under a second on a Pi.
  std::uint64_t maxExpansionStepsPerSeries = 200000;
  std::uint64_t maxExpansionStepsPerFeed = 4000000;
  // Occurrences one window may hold, all events and series together: what expansion may
  // allocate whatever the feed (about 100 bytes each). The daemon's agenda spans 8 days and
  // its screens show a few dozen events a day; `occurrences` raises it to list a window whole.
  std::size_t maxOccurrencesPerWindow = 20000;
  // The screen budget of a store built for the screens (IngestOptions::now set): it keeps at
  // most this many plain events and overrides, the ones nearest to now (see ScreenBudget and
  // screen::kStoreEvents, derived from what the layouts draw); the rest are counted in
  // IngestStats::beyondBudget (one warning) and, for the screens' "+N", in
  // EventStore::leftOut(). Not sent to the fetch child: it is the layouts' constant.
  std::size_t screenEvents = screen::kStoreEvents;
};

// What the last EventStore::occurrences() call cost.
struct ExpansionStats {
  std::uint64_t steps = 0;           // iterator steps and candidates examined, all series
  std::uint64_t maxSeriesSteps = 0;  // the most any one series took
  std::uint64_t droppedNow = 0;      // series dropped by this call
  std::uint64_t cutByWindow = 0;     // events and series left out at maxOccurrencesPerWindow
};

// [from, to): instants.
struct TimeWindow {
  Instant from{};
  Instant to{};
};

struct IngestOptions {
  const TimeZone* displayZone = &TimeZone::utc();  // floating times and all-day dates
  std::vector<std::string> ownerEmails{};          // lower-case, without "mailto:"
  // When set, non-recurring events wholly outside [now - 1 day, now + horizon]
  // are dropped at ingest, and so are series with no instance in it (ended, or starting
  // later). Unset keeps everything (the `occurrences` command).
  std::optional<Instant> now{};
  std::chrono::days horizon{62};
  // When set (and `now` is not), events wholly outside it are dropped at ingest: the
  // `occurrences` command's window.
  std::optional<TimeWindow> window{};
  std::uint16_t source = 0;
  bool keepUids = false;
  Limits limits{};

  // The window ingest keeps events of: [now - 1 day, now + horizon], `window`, or none.
  [[nodiscard]] std::optional<TimeWindow> keptWindow() const {
    if (now) return TimeWindow{*now - std::chrono::days{1}, *now + horizon};
    return window;
  }
};

struct IngestStats {
  std::uint64_t bytes = 0;
  std::uint64_t events = 0;      // records kept (plain events, overrides, series)
  std::uint64_t skipped = 0;     // VEVENTs skipped as malformed or over a limit
  std::uint64_t dropped = 0;     // VEVENTs (and series, see IngestOptions::now) outside the window
  std::uint64_t duplicates = 0;  // superseded by a higher SEQUENCE of the same UID
  std::uint64_t longLines = 0;   // content lines cut at Limits::maxLineBytes
  // Plain events and overrides left out past the screen budget (Limits::screenEvents, when
  // IngestOptions::now is set), and the most the ingest held at once (at most twice it, or
  // ScreenBudget::kPruneAt).
  std::uint64_t beyondBudget = 0;
  std::uint64_t matchSteps = 0;  // expansion steps spent matching overrides to instances
  std::uint64_t peakEvents = 0;
  bool sawCalendar = false;  // a BEGIN:VCALENDAR was seen
};

// Receives one human-readable warning per skipped or doubtful construct.
using WarningSink = std::function<void(std::string_view)>;

class EventStore {
 public:
  EventStore();
  ~EventStore();
  EventStore(EventStore&&) noexcept;
  EventStore& operator=(EventStore&&) noexcept;

  // Occurrences overlapping [from, to) (zero-length ones when from <= start < to),
  // sorted by start, then end, then summary.
  // A series that goes over its expansion budget (or is of a shape we refuse) is dropped,
  // here and in later windows, with one warning naming its UID.
  [[nodiscard]] std::vector<Occurrence> occurrences(Instant from, Instant to,
                                                    const WarningSink& warn = {}) const;
  // Occurrences of a series past Limits::maxOccurrencesPerSeries in one window are
  // left out (and counted here): an RRULE bomb costs bounded time and memory.
  [[nodiscard]] std::uint64_t truncatedSeries() const;
  [[nodiscard]] const ExpansionStats& lastExpansion() const;
  [[nodiscard]] std::uint64_t droppedSeries() const;  // over budget or refused, in all
  [[nodiscard]] std::size_t eventCount() const;       // plain events and overrides
  [[nodiscard]] std::size_t seriesCount() const;      // recurring masters
  [[nodiscard]] const IngestStats& stats() const;
  [[nodiscard]] std::size_t textBytes() const;  // SUMMARY, LOCATION, UID… texts held
  // What the screen budget left out that a screen would count (empty but for a store built
  // for the screens).
  [[nodiscard]] const ScreenTally& leftOut() const;

  struct Data;

 private:
  friend class Ingest;
  friend std::string serializeStore(const EventStore& store);
  friend std::optional<EventStore> deserializeStore(std::string_view bytes);
  friend struct TsvCost writeWindowTsv(const EventStore& store, Instant from, Instant to,
                                       const WarningSink& warn,
                                       const std::function<void(std::string_view)>& out);
  std::unique_ptr<Data> data_;
};

// Push parser: feed() bytes as they arrive (any chunking), then finish().
class Ingest {
 public:
  explicit Ingest(IngestOptions options, WarningSink warn = {});
  ~Ingest();
  Ingest(const Ingest&) = delete;
  Ingest& operator=(const Ingest&) = delete;

  void feed(std::string_view bytes);
  // The store built so far; stats().sawCalendar is false when the stream
  // was not a calendar at all.
  [[nodiscard]] EventStore finish();

  struct State;

 private:
  std::unique_ptr<State> state_;
};

struct LoadResult {
  EventStore store;
  std::string error;         // non-empty: the file could not be read or is not a calendar
  bool notCalendar = false;  // read, but no BEGIN:VCALENDAR in it
};

// Reads a file through Ingest in small chunks.
[[nodiscard]] LoadResult loadFile(const std::filesystem::path& path, const IngestOptions& options,
                                  WarningSink warn = {});

}  // namespace cb::ics
