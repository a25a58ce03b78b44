// The conformance TSV of ../shared/ics-oracle/occurrences.py.
#pragma once

#include <string>
#include <vector>

#include "ics/event.hpp"

namespace cb::ics {

// "\\" → "\\\\", TAB → "\\t", LF → "\\n", CR → "\\r".
[[nodiscard]] std::string escapeTsv(std::string_view text);
// START, END, UID, RECURRENCE-ID, STATUS, SUMMARY joined by TABs (no newline).
[[nodiscard]] std::string tsvLine(const Occurrence& o);
// All lines, sorted byte-wise, each ending in '\n'.
[[nodiscard]] std::string tsvDocument(const std::vector<Occurrence>& occurrences);

}  // namespace cb::ics
