// The conformance TSV of ../shared/ics-oracle/occurrences.py.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ics/event.hpp"

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

}  // namespace cb::ics
