// The conformance TSV of ../shared/ics-oracle/occurrences.py.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ics/event.hpp"
#include "ics/store.hpp"

namespace cb::ics {

// "\\" → "\\\\", TAB → "\\t", LF → "\\n", CR → "\\r".
[[nodiscard]] std::string escapeTsv(std::string_view text);
// START, END, UID, RECURRENCE-ID, STATUS, SUMMARY joined by TABs (no newline).
[[nodiscard]] std::string tsvLine(const Occurrence& o);
void appendTsvLine(std::string& out, const Occurrence& o);
// All lines sorted byte-wise, each ending in '\n', handed to `out` one at a time (the
// occurrences are consumed: a window is never held twice).
void writeTsv(std::vector<Occurrence> occurrences,
              const std::function<void(std::string_view)>& out);
// All lines, sorted byte-wise, each ending in '\n'.
[[nodiscard]] std::string tsvDocument(const std::vector<Occurrence>& occurrences);

// What writeWindowTsv() held.
struct TsvCost {
  std::uint64_t lines = 0;
  // The most it held at once: kRefBytes per occurrence of the window (never the occurrences
  // themselves, nor their lines), and the lines of one START (sorted together).
  std::uint64_t peakBytes = 0;
  std::uint64_t largestGroup = 0;  // the most lines sharing one START
  static constexpr std::size_t kRefBytes = 24;
};

// The lines of tsvDocument(store.occurrences(from, to, warn)), in the same order, without
// holding the window: each occurrence is kept as a 24-byte reference (its instants and where
// it comes from), sorted by START in the text's byte order (a UTC date, its all-day items
// before its instants), and only the lines of one START are built and sorted at a time.
TsvCost writeWindowTsv(const EventStore& store, Instant from, Instant to, const WarningSink& warn,
                       const std::function<void(std::string_view)>& out);

}  // namespace cb::ics
